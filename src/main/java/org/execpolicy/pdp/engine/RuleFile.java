package org.execpolicy.pdp.engine;

/** A DRL file of the ruleset, with the SHA-256 of its bytes. */
public record RuleFile(String name, String sha256) {
}
