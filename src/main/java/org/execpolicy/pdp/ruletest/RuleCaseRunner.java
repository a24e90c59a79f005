package org.execpolicy.pdp.ruletest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.execpolicy.pdp.decision.DecisionService.RecordedDecision;
import org.execpolicy.pdp.decision.DecisionView;
import org.execpolicy.pdp.engine.Firing;
import org.execpolicy.pdp.engine.ReportEvaluation;
import org.execpolicy.pdp.engine.RuleEngine;
import org.execpolicy.pdp.engine.RuleInfo;
import org.execpolicy.pdp.engine.Ruleset;
import org.execpolicy.pdp.json.Json;
import org.execpolicy.pdp.model.ReportedRun;

/**
 * Runs rule cases through the real engine of one ruleset and compares each answer (the one
 * POST /v1/decisions would give, plus report.drl's judgement for a case with a report) with what
 * the case expects, counting which rules the cases fire.
 */
public final class RuleCaseRunner {
    private final RuleEngine engine;
    private final Set<String> ruleNames;
    private final RuleCoverage coverage;

    public RuleCaseRunner(Ruleset ruleset) {
        this.engine = new RuleEngine(ruleset);
        this.ruleNames = ruleset.rules().stream().map(RuleInfo::name).collect(Collectors.toSet());
        this.coverage = new RuleCoverage(ruleset.rules());
    }

    /** The cases run so far: how many fired each rule. */
    public RuleCoverage coverage() {
        return coverage;
    }

    /** The differences between the answer and the expectations; a ruleset that cannot conclude is one too. */
    public List<String> run(RuleCase rulecase) {
        RecordedDecision decision;
        try {
            decision = OfflineDecision.decide(engine, rulecase.request(), rulecase.fixtures(), rulecase.now());
        } catch (RuntimeException e) {
            return List.of("the rules did not conclude (" + rulecase.where() + "): " + e.getMessage());
        }
        ObjectNode answer = DecisionView.answer(decision);
        coverage.record(decision.firings().stream().map(firing -> firing.path("rule_name").asText()).toList());
        if (rulecase.report() != null) {
            ReportEvaluation judged;
            try {
                judged = engine.evaluateReport(ReportedRun.of(decision.decision(), rulecase.report(),
                        rulecase.traceMissing()));
            } catch (RuntimeException e) {
                return List.of("the report rules failed (" + rulecase.where() + "): " + e.getMessage());
            }
            List<String> reportFired = judged.firings().stream().map(Firing::ruleName).toList();
            coverage.record(reportFired);
            ArrayNode rulesFired = (ArrayNode) answer.path("ruleset").path("rules_fired");
            reportFired.forEach(rulesFired::add);
            answer.set(Expectations.VIOLATIONS, Json.array(judged.outcome().getViolations()));
            answer.put(Expectations.RUNTIME_DOWNGRADE, judged.outcome().isPermittedDowngrade());
        }
        List<String> differences = new ArrayList<>(rulecase.expect().differences(answer, ruleNames));
        // The server answers a failing rule with the safe default; a suite must not pass over it.
        JsonNode ruleError = answer.get("rule_error");
        if (ruleError != null && !ruleError.isNull()) {
            differences.add("rule '" + ruleError.path("rule_name").asText() + "' failed: "
                    + ruleError.path("message").asText());
        }
        return differences;
    }
}
