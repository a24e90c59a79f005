package org.execpolicy.pdp.engine;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * How many evaluations ended in a rule error, by the name of the failing rule,
 * since the engine started (across ruleset reloads). Thread-safe and cheap on
 * the decision path; meant to be read by a metrics endpoint, e.g. as
 * `pdp_rule_errors_total{rule="..."}` from {@link #snapshot()}. An error Drools
 * does not attribute to a rule is counted under {@link #UNATTRIBUTED}.
 */
public final class RuleErrors {
    /** The key of rule errors whose rule is unknown (see {@link RuleError#ruleName()}). */
    public static final String UNATTRIBUTED = "(unattributed)";

    private final ConcurrentHashMap<String, LongAdder> byRule = new ConcurrentHashMap<>();

    /** Counts one rule error; returns the count of its rule so far. */
    long record(RuleError error) {
        LongAdder counter = byRule.computeIfAbsent(keyOf(error.ruleName()), rule -> new LongAdder());
        counter.increment();
        return counter.sum();
    }

    /** Rule errors of one rule so far; a rule name that never failed counts 0. */
    public long count(String ruleName) {
        LongAdder counter = byRule.get(keyOf(ruleName));
        return counter == null ? 0 : counter.sum();
    }

    /** Every rule error so far. */
    public long total() {
        return byRule.values().stream().mapToLong(LongAdder::sum).sum();
    }

    /** The count of every rule that failed at least once, by rule name in name order. */
    public Map<String, Long> snapshot() {
        Map<String, Long> counts = new TreeMap<>();
        byRule.forEach((rule, counter) -> counts.put(rule, counter.sum()));
        return counts;
    }

    private static String keyOf(String ruleName) {
        return ruleName == null ? UNATTRIBUTED : ruleName;
    }
}
