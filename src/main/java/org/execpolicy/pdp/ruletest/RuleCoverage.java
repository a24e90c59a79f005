package org.execpolicy.pdp.ruletest;

import java.io.PrintWriter;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.execpolicy.pdp.engine.RuleInfo;

/** How many cases fired each rule, so that an author sees which rules no case exercises. */
public final class RuleCoverage {
    private final Map<RuleInfo, Integer> casesByRule = new LinkedHashMap<>();
    private final Map<String, RuleInfo> rulesByName = new LinkedHashMap<>();

    public RuleCoverage(List<RuleInfo> rules) {
        rules.forEach(rule -> {
            casesByRule.put(rule, 0);
            rulesByName.put(rule.name(), rule);
        });
    }

    /** One case's firings; a rule that fired twice in a case counts once. */
    public void record(List<String> firedRuleNames) {
        new HashSet<>(firedRuleNames).forEach(name -> {
            RuleInfo rule = rulesByName.get(name);
            if (rule != null) {
                casesByRule.merge(rule, 1, Integer::sum);
            }
        });
    }

    public void print(PrintWriter out) {
        out.println("coverage: cases that fired each rule");
        casesByRule.forEach((rule, cases) -> out.printf("%6d  %s  %s%n", cases, location(rule), rule.name()));
        List<RuleInfo> unfired = casesByRule.entrySet().stream()
                .filter(entry -> entry.getValue() == 0).map(Map.Entry::getKey).toList();
        if (!unfired.isEmpty()) {
            out.println("not fired by any case:");
            unfired.forEach(rule -> out.printf("  %s  %s%n", location(rule), rule.name()));
        }
        int total = casesByRule.size();
        int fired = total - unfired.size();
        // Rounded down, so that 100% is only ever printed when every rule fired.
        out.printf("coverage: %d/%d rules fired (%d%%)%n", fired, total, total == 0 ? 100 : fired * 100 / total);
    }

    private static String location(RuleInfo rule) {
        return rule.file() + ":" + rule.line();
    }
}
