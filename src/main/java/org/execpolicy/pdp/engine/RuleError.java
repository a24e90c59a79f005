package org.execpolicy.pdp.engine;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.drools.base.definitions.rule.impl.RuleImpl;
import org.drools.mvel.ConstraintEvaluationException;
import org.kie.api.definition.rule.Rule;
import org.kie.api.runtime.rule.ConsequenceException;

/**
 * A rule that failed while a decision was evaluated: its consequence threw, one
 * of its conditions could not be evaluated, or the rules never settled. The
 * decision is then the safe default (see {@link RuleEngine}); this is what the
 * `llm_exec_policy` record keeps as `rule_error`.
 *
 * @param ruleName    the failing rule, or null when Drools does not say which rule it was
 *                    (an exception in a `from` expression, or rules that concluded nothing)
 * @param rulePackage its package, or null with the name
 * @param message     the exception type and message on one line, at most {@link #MAX_MESSAGE_CHARS}
 */
public record RuleError(String ruleName, String rulePackage, String message) {
    static final int MAX_MESSAGE_CHARS = 500;
    private static final String CONSEQUENCE_INVOKER = "DefaultConsequenceInvoker";
    private static final String RULE_MARKER = "[Rule \"";

    /** Names the rule behind an exception that escaped an evaluation of the ruleset, as precisely as Drools allows. */
    static RuleError of(Throwable failure, Ruleset ruleset) {
        if (failure instanceof ConsequenceException consequence && consequence.getRule() != null) {
            Rule rule = consequence.getRule();
            return new RuleError(rule.getName(), rule.getPackageName(),
                    bounded(describe(consequence.getCause() == null ? consequence : consequence.getCause())));
        }
        if (failure instanceof RulesDidNotSettleException loop) {
            return new RuleError(loop.lastRuleName(), loop.lastRulePackage(), bounded(loop.getMessage()));
        }
        // A condition that cannot be evaluated: MVEL constraints name their rule in the message,
        // eval() and other compiled parts of a rule leave a frame of the class generated for the rule.
        RuleInfo rule = namedInMessages(failure, ruleset).or(() -> generatedClassInStack(failure, ruleset))
                .orElse(null);
        String message = failure instanceof ConstraintEvaluationException
                ? failure.getMessage() + ": " + describe(rootOf(failure))
                : describe(rootOf(failure));
        return new RuleError(rule == null ? null : rule.name(), rule == null ? null : rule.rulePackage(),
                bounded(message));
    }

    /**
     * Drools ends a constraint error with `[Rule "name" in file]` (`[Rule "a", "b" in file]` for a
     * constraint that rules share); the first such rule in file and line order is named.
     */
    private static Optional<RuleInfo> namedInMessages(Throwable failure, Ruleset ruleset) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String message = t.getMessage();
            int at = message == null ? -1 : message.lastIndexOf(RULE_MARKER);
            if (at < 0) {
                continue;
            }
            String named = message.substring(at + RULE_MARKER.length() - 1);
            Optional<RuleInfo> rule = ruleset.rules().stream()
                    .filter(info -> named.contains("\"" + info.name() + "\""))
                    .findFirst();
            if (rule.isPresent()) {
                return rule;
            }
        }
        return Optional.empty();
    }

    private static Optional<RuleInfo> generatedClassInStack(Throwable failure, Ruleset ruleset) {
        Map<String, RuleInfo> byClass = generatedClasses(ruleset);
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            for (StackTraceElement frame : t.getStackTrace()) {
                RuleInfo rule = byClass.get(frame.getClassName());
                if (rule != null) {
                    return Optional.of(rule);
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Every rule by the name of the class Drools generated for it (`pkg.Rule_<name><n>`, where an
     * `eval` runs), read off its consequence invoker (`pkg.Rule_<name><n>DefaultConsequenceInvoker`).
     * Only built when a rule failed.
     */
    private static Map<String, RuleInfo> generatedClasses(Ruleset ruleset) {
        Map<String, RuleInfo> byName = new HashMap<>(); // names are unique in a ruleset (RuleHygiene)
        ruleset.rules().forEach(info -> byName.put(info.name(), info));
        Map<String, RuleInfo> byClass = new HashMap<>();
        ruleset.kieBase().getKiePackages().forEach(pkg -> pkg.getRules().forEach(rule -> {
            RuleInfo info = byName.get(rule.getName());
            if (info != null && rule instanceof RuleImpl impl && impl.getConsequence() != null) {
                String invoker = impl.getConsequence().getClass().getName();
                if (invoker.endsWith(CONSEQUENCE_INVOKER)) {
                    byClass.put(invoker.substring(0, invoker.length() - CONSEQUENCE_INVOKER.length()), info);
                }
            }
        }));
        return byClass;
    }

    private static Throwable rootOf(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root;
    }

    private static String describe(Throwable t) {
        return t.getMessage() == null ? t.getClass().getName() : t.getClass().getName() + ": " + t.getMessage();
    }

    /** One line (MVEL messages span several), at most {@link #MAX_MESSAGE_CHARS} characters. */
    static String bounded(String text) {
        String line = String.valueOf(text).replaceAll("[\\s\\p{Cntrl}]+", " ").strip();
        return line.length() <= MAX_MESSAGE_CHARS ? line : line.substring(0, MAX_MESSAGE_CHARS - 1) + "…";
    }
}
