package org.execpolicy.pdp.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.execpolicy.pdp.engine.DecisionService.RecordedDecision;
import org.execpolicy.pdp.model.Json;

/**
 * The answer about a decision, built from its records, so that what a runtime
 * is told and what an auditor reads later can never differ.
 */
final class DecisionView {
    /** The fields of SPEC.md section 5, in the order of the contract. */
    private static final List<String> ANSWER_FIELDS = List.of(
            "decision_id", "event_id", "trace_id", "requested_source", "requested_policy",
            "requested_policy_hash", "effective_policy", "effective_policy_hash", "mode", "exactness",
            "downgraded", "downgrade_reason", "reason_codes", "adjustments", "waiver_ref",
            "trace_artifact_ref", "trace_artifact_null_reason", "codes");

    /** What GET adds: the request's context and when it was decided. */
    private static final List<String> CONTEXT_FIELDS = List.of(
            "timestamp", "evaluated_at", "role", "model_id", "task_type", "backend", "parameter_class",
            "wp_id", "mt_id", "job_id", "profile_id", "cloud_reasoning_strength", "code", "trace_artifact_sha256");

    private DecisionView() {
    }

    /** The answer to POST /v1/decisions. */
    static ObjectNode answer(RecordedDecision decision) {
        ObjectNode record = decision.decision();
        ObjectNode view = Json.object();
        ANSWER_FIELDS.forEach(field -> view.set(field, record.get(field)));
        ObjectNode ruleset = view.putObject("ruleset");
        ruleset.put("digest", record.path("ruleset_digest").asText());
        ArrayNode fired = ruleset.putArray("rules_fired");
        decision.firings().forEach(firing -> fired.add(firing.path("rule_name").asText()));
        return view;
    }

    /** GET /v1/decisions/{id}: the answer, its context and every rule firing in order. */
    static ObjectNode withFirings(RecordedDecision decision) {
        ObjectNode view = answer(decision);
        CONTEXT_FIELDS.forEach(field -> view.set(field, decision.decision().get(field)));
        ArrayNode firings = view.putArray("rule_firings");
        decision.firings().forEach(firing -> {
            ObjectNode item = firings.addObject();
            for (String field : List.of("seq", "rule_name", "rule_package", "matched", "event_id")) {
                item.set(field, firing.get(field));
            }
        });
        return view;
    }
}
