package org.execpolicy.pdp.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.execpolicy.pdp.json.CanonicalJson;
import org.execpolicy.pdp.model.ExecPolicy;
import org.execpolicy.pdp.json.Json;

/**
 * Exactly what one decision was made from, as {@link FactAssembler} assembled it:
 * the request as the engine reads it (never the rest of the settings bag), the work
 * profile and dynamic role used (or null), the waivers inserted as facts, in
 * order, and the clock. Recorded as the `inputs` of `llm_exec_policy` (registry
 * entries by the SHA-256 of their RFC 8785 JSON) so a decision can be replayed.
 */
public record DecisionInputs(ObjectNode request, JsonNode profile, JsonNode dynamicRole, List<JsonNode> waivers,
                             Instant now) {
    /** Snapshot kinds, as stored. */
    public static final String WORK_PROFILE = "work_profile";
    public static final String DYNAMIC_ROLE = "dynamic_role";
    public static final String WAIVER = "waiver";

    /** The request fields the engine reads (DecisionRequest); everything else is dropped. */
    private static final List<String> REQUEST_FIELDS = List.of("trace_id", "role", "task_type", "model_id",
            "backend", "parameter_class", "wp_id", "mt_id", "job_id", "profile_id", "runtime_mode",
            "session_id", "model_instance_id", "model_session_id");

    /** The runtime's session identifiers (SPEC 5, v2): recorded on the decision, never evaluated. */
    public static final List<String> SESSION_FIELDS = List.of("session_id", "model_instance_id", "model_session_id");

    public DecisionInputs {
        Objects.requireNonNull(request, "request");
        waivers = List.copyOf(waivers);
    }

    /** Stores (or just hashes) one registry snapshot and answers its SHA-256 (RFC 8785 JSON). */
    @FunctionalInterface
    public interface Snapshots {
        /** Nothing stored (warm-up, decide, rules check, replay): a snapshot is named by its hash alone. */
        Snapshots HASH_ONLY = (kind, body) -> CanonicalJson.sha256Hex(body);

        String put(String kind, JsonNode body);
    }

    /**
     * The request reduced to what the engine reads: the fields of {@link #REQUEST_FIELDS} that
     * are present, `runtime.supported_modes` and `settings.exec_policy`. No other settings key
     * (which may hold prompt-like text) survives. Idempotent: sanitizing its own output changes nothing.
     */
    static ObjectNode sanitize(JsonNode request) {
        ObjectNode clean = Json.object();
        for (String field : REQUEST_FIELDS) {
            JsonNode value = request.get(field);
            if (value != null) {
                clean.set(field, value.deepCopy());
            }
        }
        JsonNode supported = request.path("runtime").get("supported_modes");
        if (supported != null) {
            clean.putObject("runtime").set("supported_modes", supported.deepCopy());
        }
        JsonNode policy = request.path("settings").get("exec_policy");
        if (policy != null) {
            JsonNode copy = policy.deepCopy();
            if (copy.isObject()) {
                // A later version's members are known by pointer only (SPEC 2, v2): their values could be
                // anything, a prompt too, so neither the rules nor the record ever see them.
                ExecPolicy.nullUnknownMembers((ObjectNode) copy);
            }
            clean.putObject("settings").set("exec_policy", copy);
        }
        return clean;
    }

    /** The `inputs` object of the record: the sanitized request and the snapshots' hashes. */
    public ObjectNode toRecord(Snapshots snapshots) {
        ObjectNode inputs = Json.object();
        inputs.set("request", request.deepCopy());
        inputs.put("profile_sha256", profile == null ? null : snapshots.put(WORK_PROFILE, profile));
        inputs.put("dynamic_role_sha256", dynamicRole == null ? null : snapshots.put(DYNAMIC_ROLE, dynamicRole));
        ArrayNode waiverHashes = inputs.putArray("waiver_sha256s");
        waivers.forEach(waiver -> waiverHashes.add(snapshots.put(WAIVER, waiver)));
        return inputs;
    }
}
