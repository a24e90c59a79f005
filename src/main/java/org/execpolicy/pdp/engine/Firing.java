package org.execpolicy.pdp.engine;

import java.util.List;

/** One rule match: the rule, what it says it does, and a bounded summary of the facts it matched. */
public record Firing(String ruleName, String rulePackage, String description, List<String> matched) {
}
