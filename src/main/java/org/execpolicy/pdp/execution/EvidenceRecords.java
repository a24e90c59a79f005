package org.execpolicy.pdp.execution;

import org.execpolicy.pdp.engine.DecisionRecords;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.execpolicy.pdp.model.RecordEnvelope;
import org.execpolicy.pdp.model.Json;

/**
 * Flight Recorder records of what a runtime actually did after its decision: the trace it
 * uploaded (or that it never came), its report, and any violation of the decision. Each names
 * its decision; none carries token ids, token text or prompts.
 */
final class EvidenceRecords {
    static final String ATTACHED = "layerwise_trace_attached";
    static final String MISSING = "layerwise_trace_missing";
    static final String REPORT = "llm_exec_report";
    static final String VIOLATION = "exec_policy_violation";
    static final String VIOLATION_CODE = "CX-EXEC-VIOLATION";

    /** Fields of a runtime report that the record keeps as they came (null when absent). */
    private static final List<String> REPORT_FIELDS = List.of("mode", "exactness", "token_count", "timings",
            "mean_exit_layer", "exit_layer_histogram", "speculative", "offload");

    private EvidenceRecords() {
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

    static ObjectNode report(ObjectNode decision, JsonNode report, Instant now) {
        ObjectNode record = about(REPORT, "agent", decision, now);
        REPORT_FIELDS.forEach(field -> record.set(field, report.hasNonNull(field) ? report.get(field) : null));
        return record;
    }

    /**
     * @param kinds what differs: {@code approximate_when_exact_granted}, {@code mode_differs},
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
