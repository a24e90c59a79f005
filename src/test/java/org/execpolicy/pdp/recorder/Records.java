package org.execpolicy.pdp.recorder;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.UUID;

/** Valid sample records for tests; each test changes what it needs. */
final class Records {

    static final ObjectMapper MAPPER = new ObjectMapper();
    static final String HASH = "a".repeat(64);
    static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");

    private Records() {
    }

    static ObjectNode execPolicy(String decisionId, String traceId, Instant at) {
        ObjectNode r = envelope("llm_exec_policy", at);
        r.put("trace_id", traceId);
        r.putNull("wp_id");
        r.putNull("mt_id");
        r.putNull("job_id");
        r.put("profile_id", "default");
        r.put("role", "worker");
        r.put("task_type", "chat");
        r.put("model_id", "m-7b");
        r.put("backend", "local");
        r.put("parameter_class", "P7B");
        r.putNull("cloud_reasoning_strength");
        r.put("requested_source", "runtime_default");
        r.putObject("requested_policy").put("mode", "standard").put("exactness", "exact");
        r.put("requested_policy_hash", HASH);
        r.putObject("effective_policy").put("mode", "standard").put("exactness", "exact");
        r.put("effective_policy_hash", HASH);
        r.put("mode", "standard");
        r.put("exactness", "exact");
        r.put("downgraded", false);
        r.putNull("downgrade_reason");
        r.putArray("reason_codes");
        r.putArray("adjustments");
        r.putArray("codes");
        r.putNull("code");
        r.putNull("waiver_ref");
        r.putNull("trace_artifact_ref");
        r.putNull("trace_artifact_sha256");
        r.put("trace_artifact_null_reason", "exact_execution");
        r.putNull("mean_exit_layer");
        r.putNull("exit_layer_histogram");
        r.putNull("speculative");
        r.putNull("offload");
        r.put("decision_id", decisionId);
        r.put("ruleset_digest", HASH);
        r.put("evaluated_at", at.toString());
        return r;
    }

    /** An approximate, waived decision with a reserved trace artifact. */
    static ObjectNode approximateExecPolicy(String decisionId) {
        ObjectNode r = execPolicy(decisionId, "trace-1", T0);
        r.put("mode", "layer_skip");
        r.put("exactness", "approximate");
        r.put("waiver_ref", "W-1");
        r.put("trace_artifact_ref", "artifact://traces/" + decisionId);
        r.putNull("trace_artifact_null_reason");
        r.put("mean_exit_layer", 21.5);
        r.putArray("exit_layer_histogram").add(0).add(3).add(7);
        return r;
    }

    static ObjectNode ruleFired(String decisionId, int seq, Instant at) {
        ObjectNode r = envelope("policy_rule_fired", at);
        r.put("decision_id", decisionId);
        r.put("seq", seq);
        r.put("rule_name", "rule " + seq);
        r.put("rule_package", "org.execpolicy.rules");
        r.put("ruleset_digest", HASH);
        r.putArray("matched").add("Request(role=worker)");
        return r;
    }

    private static ObjectNode envelope(String type, Instant at) {
        ObjectNode r = MAPPER.createObjectNode();
        r.put("event_id", UUID.randomUUID().toString());
        r.put("timestamp", at.toString());
        r.put("type", type);
        r.put("actor", "system");
        return r;
    }
}
