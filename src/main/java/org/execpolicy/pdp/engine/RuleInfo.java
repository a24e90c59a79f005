package org.execpolicy.pdp.engine;

/** A rule of the ruleset as an author reads it: its name, its plain-words description, where it is. */
public record RuleInfo(String name, String rulePackage, String description, String file, int line) {
}
