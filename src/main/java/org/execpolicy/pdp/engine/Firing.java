package org.execpolicy.pdp.engine;

import java.util.List;

/** One rule firing, in order: the rule and a bounded summary of the facts it matched. */
public record Firing(String ruleName, String rulePackage, List<String> matched) {
}
