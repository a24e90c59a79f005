package org.execpolicy.pdp.engine;

import java.util.Collection;
import java.util.List;
import java.util.Objects;
import org.execpolicy.pdp.model.Effective;
import org.execpolicy.pdp.model.ExecPolicy;
import org.execpolicy.pdp.model.Outcome;
import org.execpolicy.pdp.model.Requested;

/**
 * The decision when a rule failed: SPEC.md's default posture, the runtime
 * default {standard, exact}, with reason RULE_ERROR and model_permitted false
 * (the permission rules may not have run). It is the only policy Java
 * supplies, and only because the rules could not: nothing the failed
 * evaluation concluded leaks into it (no other reason codes, adjustments,
 * codes, waiver or trace decision), except the requested policy when the rules
 * had determined one, so that `downgraded` says whether the safe default
 * differs from what was asked for.
 */
final class SafeDefault {
    static final String RULE_ERROR = "RULE_ERROR";
    private static final String RUNTIME_DEFAULT = "runtime_default";
    private static final String MODE = "standard";
    private static final String EXACTNESS = "exact";

    private SafeDefault() {
    }

    /**
     * @param concluded the facts in the session when the rule failed
     */
    static Evaluation of(RuleError error, Collection<?> concluded, List<Firing> firings, List<Firing> cancelled,
                         String rulesetDigest) {
        Requested requested = requestedIn(concluded);
        Effective effective = new Effective(ExecPolicy.of(MODE, EXACTNESS));
        ExecPolicy asked = requested.getPolicy();
        effective.setDowngraded(!Objects.equals(asked.getMode(), MODE)
                || !Objects.equals(asked.getExactness(), EXACTNESS));
        Outcome outcome = new Outcome();
        outcome.addReason(RULE_ERROR);
        outcome.addDowngradeReason(downgradeReason(error));
        // Fail closed: the permission rules may not have run, so no model call is vouched for.
        outcome.setModelPermitted(false);
        // As for any exact decision: there is no artifact; why depends on whether a trace was asked for.
        boolean traceAsked = !"off".equals(asked.getTraceLevel()) || asked.isTraceArtifactEnabled();
        outcome.setTraceArtifactNullReason(traceAsked ? "exact_execution" : "trace_not_requested");
        return new Evaluation(requested, effective, outcome, firings, cancelled, rulesetDigest, error);
    }

    /** The requested policy the rules had determined, else the runtime default (source runtime_default). */
    private static Requested requestedIn(Collection<?> concluded) {
        List<Requested> found = concluded.stream()
                .filter(Requested.class::isInstance).map(Requested.class::cast).toList();
        if (found.size() == 1 && found.get(0).getPolicy() != null) {
            return Requested.policy(found.get(0).getSource(), found.get(0).getPolicy());
        }
        return Requested.policy(RUNTIME_DEFAULT, ExecPolicy.of(MODE, EXACTNESS));
    }

    private static String downgradeReason(RuleError error) {
        String rule = error.ruleName() == null ? "a rule Drools did not name" : "rule \"" + error.ruleName() + "\"";
        return "rule error in " + rule + " (" + error.message() + "); answered with the safe default "
                + MODE + "/" + EXACTNESS;
    }
}
