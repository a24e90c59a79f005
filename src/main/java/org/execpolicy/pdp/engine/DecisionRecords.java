package org.execpolicy.pdp.engine;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.execpolicy.pdp.model.RecordEnvelope;
import org.execpolicy.pdp.model.DecisionRequest;
import org.execpolicy.pdp.model.Effective;
import org.execpolicy.pdp.model.ExecPolicy;
import org.execpolicy.pdp.json.Json;
import org.execpolicy.pdp.model.Outcome;
import org.execpolicy.pdp.json.Sha256;
import org.execpolicy.pdp.json.TimeOrderedIds;

/**
 * Writes one evaluation as Flight Recorder records (SPEC.md section 4): one
 * `llm_exec_policy` holding everything the answer says, and one
 * `policy_rule_fired` per firing, in order.
 */
public final class DecisionRecords {
    public static final String TRACES_PATH = "/v1/traces/";

    private DecisionRecords() {
    }

    /**
     * @param facts     what the rules saw; its {@link DecisionInputs} become the record's `inputs`
     * @param snapshots stores the registry snapshots of the inputs and answers their SHA-256
     */
    public static List<ObjectNode> of(String decisionId, Facts facts, String profileId,
                               Evaluation evaluation, DecisionInputs.Snapshots snapshots) {
        DecisionRequest request = facts.request();
        Instant now = facts.inputs().now();
        List<ObjectNode> records = new ArrayList<>();
        // the firings' ids derive from the decision's: the recorder stores them as one unit under one id
        String group = TimeOrderedIds.nextGroup();
        ObjectNode decision = decision(group, decisionId, request, profileId, evaluation, now);
        // the runtime's session identifiers (SPEC 5, v2): recorded, never evaluated
        for (String field : DecisionInputs.SESSION_FIELDS) {
            decision.set(field, facts.inputs().request().path(field).isTextual()
                    ? facts.inputs().request().get(field) : Json.MAPPER.nullNode());
        }
        decision.set("inputs", facts.inputs().toRecord(snapshots));
        records.add(decision);
        int seq = 1;
        String timestamp = decision.get("timestamp").textValue();
        for (Firing firing : evaluation.firings()) {
            ObjectNode record = RecordEnvelope.of(TimeOrderedIds.member(group, seq), "policy_rule_fired", "system",
                    timestamp);
            record.put("decision_id", decisionId);
            record.put("policy_decision_id", decisionId);
            record.put("trace_id", request.getTraceId());
            record.put("seq", seq++);
            record.put("rule_name", firing.ruleName());
            record.put("rule_package", firing.rulePackage());
            record.put("rule_description", firing.description());
            record.put("ruleset_digest", evaluation.rulesetDigest());
            record.set("matched", Json.array(firing.matched()));
            records.add(record);
        }
        return records;
    }

    private static ObjectNode decision(String eventId, String decisionId, DecisionRequest request,
                                       String profileId, Evaluation evaluation, Instant now) {
        ExecPolicy requested = evaluation.requested().getPolicy();
        Effective effective = evaluation.effective();
        Outcome outcome = evaluation.outcome();
        String at = now.toString();
        ObjectNode record = RecordEnvelope.of(eventId, "llm_exec_policy", "system", at);
        record.put("phase", "decided"); // SPEC 4 (v2): a report adds a second record, phase executed
        record.put("decision_id", decisionId);
        // spec 11.5.1 names the link policy_decision_id; the same value under both names (SPEC 4, v2)
        record.put("policy_decision_id", decisionId);
        record.put("trace_id", request.getTraceId());
        record.put("wp_id", request.getWpId());
        record.put("mt_id", request.getMtId());
        record.put("job_id", request.getJobId());
        record.put("profile_id", profileId);
        record.put("role", request.getRole());
        record.put("task_type", request.getTaskType());
        record.put("model_id", request.getModelId());
        record.put("backend", request.getBackend());
        record.put("parameter_class", request.getParameterClass());
        record.put("cloud_reasoning_strength", outcome.getCloudReasoningStrength());
        record.put("requested_source", evaluation.requested().getSource());
        putPolicy(record, "requested_policy", requested);
        putPolicy(record, "effective_policy", effective.getPolicy());
        record.put("mode", effective.getMode());
        record.put("exactness", effective.getExactness());
        record.put("downgraded", effective.isDowngraded());
        record.put("downgrade_reason", outcome.getDowngradeReason());
        record.put("adjusted", outcome.isAdjusted());
        record.put("model_permitted", outcome.isModelPermitted());
        record.set("reason_codes", Json.array(outcome.getReasonCodes()));
        record.set("adjustments", Json.array(outcome.getAdjustments()));
        record.set("dropped_fields", Json.array(outcome.getDroppedFields()));
        record.set("codes", Json.array(outcome.getCodes()));
        record.put("code", outcome.getCodes().isEmpty() ? null : outcome.getCodes().get(0));
        record.put("waiver_ref", outcome.getWaiverRef());
        boolean traced = outcome.isTraceArtifactRequired();
        record.put("trace_artifact_ref", traced ? TRACES_PATH + decisionId : null);
        record.putNull("trace_artifact_sha256");
        record.put("trace_artifact_null_reason", traced ? null : outcome.getTraceArtifactNullReason());
        record.put("trace_expected", outcome.isTraceExpected());
        record.putNull("mean_exit_layer");
        record.putNull("exit_layer_histogram");
        record.putNull("speculative");
        record.putNull("offload");
        record.put("ruleset_digest", evaluation.rulesetDigest());
        record.put("evaluated_at", at);
        record.set("rule_error", ruleError(evaluation.ruleError()));
        ArrayNode cancelled = record.putArray("cancelled_rules");
        evaluation.cancelled().forEach(match -> cancelled.addObject()
                .put("rule_name", match.ruleName())
                .put("rule_description", match.description())
                .set("matched", Json.array(match.matched())));
        return record;
    }

    /** The rule that failed, when the decision is the safe default (reason RULE_ERROR); null otherwise. */
    private static ObjectNode ruleError(RuleError error) {
        if (error == null) {
            return null;
        }
        ObjectNode node = Json.object();
        node.put("rule_name", error.ruleName());
        node.put("rule_package", error.rulePackage());
        node.put("message", error.message());
        return node;
    }

    /**
     * The policy as the recorder stores it (RFC 8785: sorted members, 1.0 written 1), so that the
     * answer to POST and a later GET of the same decision carry the same JSON, and its `_hash`: one
     * canonical text serves both.
     */
    private static void putPolicy(ObjectNode record, String field, ExecPolicy policy) {
        StoredPolicy stored = STORED_POLICIES.computeIfAbsent(policy.canonicalJson(), StoredPolicy::of);
        record.set(field, stored.json());
        record.put(field + "_hash", stored.sha256());
        if (STORED_POLICIES.size() > MAX_STORED_POLICIES) {
            STORED_POLICIES.clear(); // policies built from request settings can vary without end
        }
    }

    /**
     * A policy's canonical text parsed and hashed once, not for every decision: a ruleset yields a few
     * policies, which nearly every decision repeats (parsing and hashing them was 4% of the decision
     * threads' CPU). The tree is shared by the records of every decision with this policy, which only
     * read it (the canonical text, the answer, the store).
     */
    private record StoredPolicy(ObjectNode json, String sha256) {
        static StoredPolicy of(String canonical) {
            return new StoredPolicy(Json.parseObject(canonical), Sha256.hex(canonical));
        }
    }

    private static final int MAX_STORED_POLICIES = 1024;
    private static final Map<String, StoredPolicy> STORED_POLICIES = new ConcurrentHashMap<>();
}
