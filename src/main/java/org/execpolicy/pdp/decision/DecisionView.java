package org.execpolicy.pdp.decision;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.execpolicy.pdp.decision.DecisionService.RecordedDecision;
import org.execpolicy.pdp.execution.ExecutionService;
import org.execpolicy.pdp.json.Json;

/**
 * The answer about a decision, built from its records, so that what a runtime
 * is told and what an auditor reads later can never differ.
 */
public final class DecisionView {
    /** The fields of SPEC.md section 5, in the order of the contract. */
    private static final List<String> ANSWER_FIELDS = List.of(
            "decision_id", "event_id", "trace_id", "requested_source", "requested_policy",
            "requested_policy_hash", "effective_policy", "effective_policy_hash", "mode", "exactness",
            "downgraded", "downgrade_reason", "adjusted", "model_permitted", "reason_codes", "adjustments", "dropped_fields", "waiver_ref",
            "trace_artifact_ref", "trace_artifact_null_reason", "trace_expected", "codes");

    /** What GET adds: the request's context and when it was decided. */
    private static final List<String> CONTEXT_FIELDS = List.of(
            "timestamp", "evaluated_at", "role", "model_id", "task_type", "backend", "parameter_class",
            "wp_id", "mt_id", "job_id", "session_id", "model_instance_id", "model_session_id", "profile_id",
            "code", "trace_artifact_sha256");

    private DecisionView() {
    }

    /** The answer to POST /v1/decisions. */
    public static ObjectNode answer(RecordedDecision decision) {
        ObjectNode record = decision.decision();
        ObjectNode view = Json.object();
        ANSWER_FIELDS.forEach(field -> view.set(field, record.get(field)));
        // SPEC 3.10 (v2): a cloud backend is told the strength in effect, so it can apply it
        view.set("cloud_reasoning_strength", "cloud".equals(record.path("backend").asText())
                ? record.get("cloud_reasoning_strength") : Json.MAPPER.nullNode());
        JsonNode ruleError = record.get("rule_error"); // only when a rule failed (reason RULE_ERROR)
        if (ruleError != null && !ruleError.isNull()) {
            view.set("rule_error", ruleError);
        }
        ObjectNode ruleset = view.putObject("ruleset");
        ruleset.put("digest", record.path("ruleset_digest").asText());
        ArrayNode fired = ruleset.putArray("rules_fired");
        decision.firings().forEach(firing -> fired.add(firing.path("rule_name").asText()));
        return view;
    }

    /**
     * `explain=full`: each fired rule in order with its description and the
     * facts it matched, then each rule that matched but was cancelled before
     * firing, then (once the runtime reported) each report rule that fired, with `stage: report`. Built from the records, so a recorded decision explains itself
     * even after its ruleset changed.
     */
    public static ObjectNode explained(ObjectNode view, RecordedDecision decision) {
        ArrayNode explain = view.putArray("explain");
        decision.firings().forEach(firing -> entry(explain, "fired", firing, firing.get("rule_description"))
                .put("seq", firing.path("seq").asInt()));
        decision.decision().path("cancelled_rules").forEach(match ->
                entry(explain, "cancelled", match, match.get("rule_description")));
        // then how report.drl judged the runtime's report, marked so that no one takes it for the decision
        decision.execution().stream().filter(record -> "policy_rule_fired".equals(record.path("type").asText()))
                .forEach(firing -> entry(explain, "fired", firing, firing.get("rule_description"))
                        .put("seq", firing.path("seq").asInt()).put("stage", "report"));
        return view;
    }

    private static ObjectNode entry(ArrayNode explain, String outcome, JsonNode match, JsonNode description) {
        ObjectNode entry = explain.addObject();
        entry.put("outcome", outcome);
        entry.put("rule_name", match.path("rule_name").asText());
        entry.set("description", description);
        entry.set("matched", match.get("matched"));
        return entry;
    }

    /**
     * What the runtime did: the trace's SHA-256 once attached (the decided llm_exec_policy record never
     * changes), `trace_status` (attached, missing, expected or none), its report with the executed
     * llm_exec_policy record and the report rules' firings, any runtime_downgrade and any violations.
     */
    private static void execution(ObjectNode view, RecordedDecision decision) {
        String status = ExecutionService.expectsTrace(decision.decision()) ? "expected" : "none";
        ObjectNode report = null;
        ObjectNode executed = null;
        ObjectNode downgrade = null;
        ArrayNode violations = Json.MAPPER.createArrayNode();
        ArrayNode reportFirings = Json.MAPPER.createArrayNode();
        for (ObjectNode record : decision.execution()) {
            switch (record.path("type").asText()) {
                case "layerwise_trace_attached" -> {
                    status = "attached";
                    view.set("trace_artifact_sha256", record.get("trace_artifact_sha256"));
                    view.set("trace_summary", record.get("summary"));
                }
                case "layerwise_trace_missing" -> status = "missing";
                case "trace_purged" -> { // SPEC 4 (v2): the file is gone, its SHA-256 and the proof stay
                    status = "purged";
                    view.set("trace_purged", record);
                }
                case "llm_exec_report" -> report = record;
                case "exec_policy_violation" -> violations.add(record);
                case "runtime_downgrade" -> downgrade = record;
                case "llm_exec_policy" -> executed = record; // phase executed: the decided one is the decision
                case "policy_rule_fired" -> { // stage report: how report.drl judged the report
                    ObjectNode item = reportFirings.addObject();
                    for (String field : List.of("seq", "rule_name", "rule_package", "matched", "event_id")) {
                        item.set(field, record.get(field));
                    }
                }
                default -> { }
            }
        }
        view.put("trace_status", status);
        // the report, and beside it what came of it: the executed llm_exec_policy record, the report
        // rules' firings and their conclusion (a permitted runtime_downgrade, or violations)
        view.set("runtime_report", report);
        view.set("executed", executed);
        view.set("report_rule_firings", reportFirings);
        view.set("runtime_downgrade", downgrade);
        view.set("violations", violations);
    }

    /** GET /v1/decisions/{id}: the answer, its context and every rule firing in order. */
    public static ObjectNode withFirings(RecordedDecision decision) {
        ObjectNode view = answer(decision);
        CONTEXT_FIELDS.forEach(field -> view.set(field, decision.decision().get(field)));
        execution(view, decision);
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
