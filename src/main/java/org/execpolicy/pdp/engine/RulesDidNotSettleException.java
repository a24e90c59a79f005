package org.execpolicy.pdp.engine;

import java.util.List;

/**
 * The rules kept firing: a defect in rules/, reported with the rules that were
 * looping. {@link RuleEngine} turns it into a rule error (the safe default, with
 * reason RULE_ERROR) naming the last rule that fired.
 */
public final class RulesDidNotSettleException extends RuntimeException {
    private final Firing last;

    RulesDidNotSettleException(int limit, List<Firing> firings) {
        super("the rules did not settle after " + limit + " firings; the rules that kept firing were "
                + firings.subList(Math.max(0, firings.size() - 8), firings.size()).stream()
                        .map(Firing::ruleName).distinct().toList());
        this.last = firings.isEmpty() ? null : firings.get(firings.size() - 1);
    }

    /** The last rule that fired before the evaluation was stopped, or null. */
    String lastRuleName() {
        return last == null ? null : last.ruleName();
    }

    String lastRulePackage() {
        return last == null ? null : last.rulePackage();
    }
}
