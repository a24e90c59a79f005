package org.execpolicy.pdp.execution;

import org.execpolicy.pdp.engine.DecisionRecords;
import org.execpolicy.pdp.engine.Firing;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.execpolicy.pdp.model.RecordEnvelope;
import org.execpolicy.pdp.json.Json;

/**
 * Flight Recorder records of what a runtime actually did after its decision: the trace it
 * uploaded (or that it never came), its report, and any violation of the decision. Each names
 * its decision; none carries token ids, token text or prompts.
 */
final class ExecutionRecords {
    static final String ATTACHED = "layerwise_trace_attached";
    static final String MISSING = "layerwise_trace_missing";
    static final String REPORT = "llm_exec_report";
    static final String VIOLATION = "exec_policy_violation";
    static final String VIOLATION_CODE = "CX-EXEC-VIOLATION";
    static final String DOWNGRADE = "runtime_downgrade";
    static final String PURGED = "trace_purged";
    static final String DECISION = "llm_exec_policy";
    static final String FIRED = "policy_rule_fired";
    /** `llm_exec_policy` phases (SPEC 4, v2): at decision time, and after the runtime reported. */
    static final String DECIDED = "decided";
    static final String EXECUTED = "executed";

    /** Fields of a runtime report that the record keeps as they came (null when absent). */
    private static final List<String> REPORT_FIELDS = List.of("mode", "exactness", "token_count", "timings",
            "effective_policy", "mean_exit_layer", "exit_layer_histogram", "speculative", "offload");
    /** The after-the-run metrics the executed `llm_exec_policy` record repeats from the report. */
    private static final List<String> EXECUTED_METRICS = List.of("mean_exit_layer", "exit_layer_histogram",
            "speculative", "offload");

    private ExecutionRecords() {
    }

    static ObjectNode attached(ObjectNode decision, String sha256, long bytes, TraceReader.Result trace, Instant now) {
        ObjectNode record = about(ATTACHED, "agent", decision, now);
        // a sampled exact decision reserves no reference (SPEC 3.8) but takes its trace at the same place
        record.put("trace_artifact_ref", DecisionRecords.TRACES_PATH + decision.path("decision_id").asText());
        record.put("trace_artifact_sha256", sha256);
        record.put("format", TraceReader.FORMAT);
        record.put("byte_count", bytes);
        record.put("record_count", trace.summary().recordCount());
        record.put("model_id", trace.header().modelId());
        record.put("tokenizer_id", trace.header().tokenizerId());
        record.put("trace_created_at", trace.header().createdAt());
        record.set("summary", trace.summary().toJson());
        return record;
    }

    /**
     * The proof that a trace artifact was deleted by retention (SPEC 4, v2): which attachment, its
     * SHA-256 (the bytes can no longer be served, but what they were stays provable), and the cutoff.
     */
    static ObjectNode purged(ObjectNode attached, Instant cutoff, Duration retention, Instant now) {
        ObjectNode record = about(PURGED, "system", attached, now);
        record.put("reason", "purged_by_retention");
        record.put("attached_event_id", attached.path("event_id").asText());
        record.put("attached_at", attached.path("timestamp").asText());
        record.put("trace_artifact_sha256", attached.path("trace_artifact_sha256").asText());
        record.put("cutoff", cutoff.toString());
        record.put("trace_retention_days", retention.toDays());
        return record;
    }

    static ObjectNode missing(ObjectNode decision, Duration deadline, Instant now) {
        ObjectNode record = about(MISSING, "system", decision, now);
        record.put("trace_artifact_ref", decision.path("trace_artifact_ref").asText());
        record.putNull("trace_artifact_sha256");
        record.put("reason_code", "deadline_passed");
        record.put("reason", "no trace was uploaded within " + deadline.toMinutes() + " minutes of the decision");
        record.put("decided_at", decision.path("timestamp").asText());
        record.put("deadline_at", Instant.parse(decision.path("timestamp").asText()).plus(deadline).toString());
        return record;
    }

    /** @param redactedReason the report's downgrade_reason after the secret redactor, or null */
    static ObjectNode report(ObjectNode decision, JsonNode report, String redactedReason, Instant now) {
        ObjectNode record = about(REPORT, "agent", decision, now);
        REPORT_FIELDS.forEach(field -> record.set(field, report.hasNonNull(field) ? report.get(field) : null));
        record.put("downgraded", report.path("downgraded").asBoolean(false));
        record.put("downgrade_reason", redactedReason);
        return record;
    }

    /**
     * The second `llm_exec_policy` record of a decision (phase executed, SPEC 4 v2): what ran, from the
     * report, and the attached trace's SHA-256 (null when none is attached yet). It names the decided
     * record by event id and is stored as a record of its own, never folded with firings.
     */
    static ObjectNode executed(ObjectNode decision, ObjectNode report, String traceSha256, Instant now) {
        ObjectNode record = about(DECISION, "agent", decision, now);
        record.put("phase", EXECUTED);
        record.put("decided_event_id", decision.path("event_id").asText());
        record.put("report_event_id", report.path("event_id").asText());
        record.set("mode", report.get("mode"));
        record.set("exactness", report.get("exactness"));
        record.set("effective_policy", report.get("effective_policy"));
        record.set("downgraded", report.get("downgraded"));
        record.set("downgrade_reason", report.get("downgrade_reason"));
        record.put("trace_artifact_sha256", traceSha256);
        EXECUTED_METRICS.forEach(field -> record.set(field, report.get(field)));
        return record;
    }

    /** A fallback the rules permit (report.drl): the runtime ran exact in the decision's fallback chain and said why. */
    static ObjectNode downgrade(ObjectNode decision, ObjectNode report, String rulesetDigest, Instant now) {
        ObjectNode record = about(DOWNGRADE, "agent", decision, now);
        record.set("granted", modeAndExactness(decision));
        record.set("reported", modeAndExactness(report));
        record.set("downgrade_reason", report.get("downgrade_reason"));
        record.put("report_event_id", report.path("event_id").asText());
        record.put("ruleset_digest", rulesetDigest);
        return record;
    }

    /**
     * The firings of report.drl on one report, as `policy_rule_fired` records marked `stage: report`
     * (a decision's own firings carry no stage) so that readers of the decision never take them for its
     * firings; seq counts from 1 within the report.
     */
    static List<ObjectNode> reportFirings(ObjectNode decision, ObjectNode report, List<Firing> firings,
                                          String rulesetDigest, Instant now) {
        List<ObjectNode> records = new java.util.ArrayList<>();
        int seq = 1;
        for (Firing firing : firings) {
            ObjectNode record = about(FIRED, "system", decision, now);
            record.put("stage", "report");
            record.put("report_event_id", report.path("event_id").asText());
            record.put("seq", seq++);
            record.put("rule_name", firing.ruleName());
            record.put("rule_package", firing.rulePackage());
            record.put("rule_description", firing.description());
            record.put("ruleset_digest", rulesetDigest);
            record.set("matched", Json.array(firing.matched()));
            records.add(record);
        }
        return records;
    }

    /** Whether a `policy_rule_fired` record is a report's firing rather than one of its decision's. */
    static boolean isReportFiring(JsonNode record) {
        return FIRED.equals(record.path("type").asText()) && "report".equals(record.path("stage").asText());
    }

    /** Whether an `llm_exec_policy` record is the decision itself (phase decided, or older records with no phase). */
    static boolean isDecided(JsonNode record) {
        return DECISION.equals(record.path("type").asText()) && !EXECUTED.equals(record.path("phase").asText());
    }

    /**
     * @param kinds what differs, as report.drl concluded (at the report, or judging it again at the deadline):
     *     {@code approximate_when_exact_granted}, {@code mode_differs}, {@code downgrade_without_reason},
     *     {@code trace_missing}
     */
    static ObjectNode violation(ObjectNode decision, ObjectNode report, List<String> kinds, Instant now) {
        ObjectNode record = about(VIOLATION, "system", decision, now);
        record.put("code", VIOLATION_CODE);
        ArrayNode list = record.putArray("violations");
        kinds.forEach(list::add);
        record.set("granted", modeAndExactness(decision));
        record.set("reported", modeAndExactness(report));
        record.put("report_event_id", report.path("event_id").asText());
        record.put("detail", "granted " + decision.path("mode").asText() + "/" + decision.path("exactness").asText()
                + ", reported " + report.path("mode").asText() + "/" + report.path("exactness").asText()
                + ": " + String.join(", ", kinds));
        return record;
    }

    private static ObjectNode about(String type, String actor, ObjectNode decision, Instant now) {
        ObjectNode record = RecordEnvelope.of(type, actor, now);
        record.put("decision_id", decision.path("decision_id").asText());
        // spec 11.5.1 names the link policy_decision_id; the same value under both names (SPEC 4, v2)
        record.put("policy_decision_id", decision.path("decision_id").asText());
        record.put("trace_id", decision.path("trace_id").asText());
        return record;
    }

    private static ObjectNode modeAndExactness(JsonNode from) {
        ObjectNode node = Json.object();
        node.put("mode", from.path("mode").asText());
        node.put("exactness", from.path("exactness").asText());
        return node;
    }
}
