package org.execpolicy.pdp.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;
import org.execpolicy.pdp.model.RecordEnvelope;
import org.execpolicy.pdp.json.CanonicalJson;
import org.execpolicy.pdp.json.Json;
import org.execpolicy.pdp.json.JsonDiff;

/**
 * The Flight Recorder records of what operators change in the registry: who
 * (the token's name, actor human), what, and the hashes before and after, so
 * an auditor can tie every decision's profile snapshot to the change that made it.
 */
public final class RegistryChangeRecords {
    /** Bound on the listed paths; `changed_path_count` still counts them all. */
    static final int MAX_LISTED_PATHS = 256;

    private RegistryChangeRecords() {
    }

    /** `work_profile_changed`; {@code before} is null for a new profile. */
    public static ObjectNode profileChanged(String profileId, JsonNode before, JsonNode after, String operator,
                                            Instant at) {
        ObjectNode record = changed("work_profile_changed", before, after, operator, at);
        record.put("profile_id", profileId);
        return record;
    }

    /**
     * `work_profile_selected` (FR-EVT-PROFILE-001, SPEC 4 v2): what the selection means for a run,
     * read from the profile as selected: the model each core role resolves to, and the profile's
     * governance (null when it has none, as profiles saved before v2 may not).
     * {@code previousId} is null when no profile was active.
     */
    public static ObjectNode profileSelected(String profileId, JsonNode profile, String previousId, String operator,
                                             Instant at) {
        ObjectNode record = human("work_profile_selected", operator, at);
        record.put("profile_id", profileId);
        record.put("profile_hash", CanonicalJson.sha256Hex(profile));
        record.put("previous_profile_id", previousId);
        ObjectNode resolved = record.putObject("resolved_models");
        for (String role : List.of("frontend", "orchestrator", "worker", "validator")) {
            resolved.set(role, profile.path("model_assignments").path(role).get("primary_model_id"));
        }
        JsonNode governance = profile.path("governance");
        record.set("automation_level", governance.hasNonNull("automation_level")
                ? governance.get("automation_level") : Json.MAPPER.nullNode());
        record.set("allow_cloud_escalation", governance.hasNonNull("allow_cloud_escalation")
                ? governance.get("allow_cloud_escalation") : Json.MAPPER.nullNode());
        return record;
    }

    /** `dynamic_role_changed`; {@code before} is null for a new role. */
    public static ObjectNode roleChanged(String roleId, JsonNode before, JsonNode after, String operator, Instant at) {
        ObjectNode record = changed("dynamic_role_changed", before, after, operator, at);
        record.put("role_id", roleId);
        record.put("inherits", Json.textOrNull(after, "inherits"));
        return record;
    }

    /** `waiver_granted`: the whole waiver as granted, and its hash. */
    public static ObjectNode waiverGranted(JsonNode waiver, String operator, Instant at) {
        ObjectNode record = aboutWaiver("waiver_granted", waiver, operator, at);
        for (String field : List.of("check_waived", "justification", "approver")) {
            record.set(field, waiver.get(field));
        }
        // as an instant in UTC: the record's timestamps are all in one form (RFC 3339 allows others, e.g. -00:00)
        record.put("expires_at", Json.instantOrNull(waiver, "expires_at").toString());
        record.set("scope", waiver.hasNonNull("scope") ? waiver.get("scope") : Json.object());
        record.put("risk", waiver.path("risk").asText("LOW"));
        record.put("status", waiver.path("status").asText("active"));
        return record;
    }

    /**
     * `waiver_approved` (v2): the second operator (the record's operator) approved a pending
     * MEDIUM or HIGH waiver; with the hash of the waiver as it now stands and who granted it.
     */
    public static ObjectNode waiverApproved(JsonNode approved, String operator, Instant at) {
        ObjectNode record = aboutWaiver("waiver_approved", approved, operator, at);
        record.set("risk", approved.get("risk"));
        record.set("granted_by", approved.get("granted_by"));
        record.set("approved_by", approved.get("approved_by"));
        record.set("approved_at", approved.get("approved_at"));
        return record;
    }

    /** `waiver_revoked`: when and why, with the hash of the waiver as it now stands. */
    public static ObjectNode waiverRevoked(JsonNode revoked, String operator, Instant at) {
        ObjectNode record = aboutWaiver("waiver_revoked", revoked, operator, at);
        record.set("revoked_at", revoked.get("revoked_at"));
        record.set("reason", revoked.get("revoke_reason"));
        return record;
    }

    /** A waiver record: the operator's act on it, its id and the hash of the waiver as it now stands. */
    private static ObjectNode aboutWaiver(String type, JsonNode waiver, String operator, Instant at) {
        ObjectNode record = human(type, operator, at);
        record.put("waiver_id", waiver.path("waiver_id").asText());
        record.put("waiver_hash", CanonicalJson.sha256Hex(waiver));
        return record;
    }

    private static ObjectNode changed(String type, JsonNode before, JsonNode after, String operator, Instant at) {
        ObjectNode record = human(type, operator, at);
        record.put("before_hash", before == null ? null : CanonicalJson.sha256Hex(before));
        record.put("after_hash", CanonicalJson.sha256Hex(after));
        List<String> paths = JsonDiff.changedPaths(before, after);
        record.set("changed_paths", Json.array(paths.subList(0, Math.min(paths.size(), MAX_LISTED_PATHS))));
        record.put("changed_path_count", paths.size());
        return record;
    }

    private static ObjectNode human(String type, String operator, Instant at) {
        ObjectNode record = RecordEnvelope.of(type, "human", at);
        record.put("operator", operator);
        return record;
    }
}
