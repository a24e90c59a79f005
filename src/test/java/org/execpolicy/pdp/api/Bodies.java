package org.execpolicy.pdp.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.execpolicy.pdp.json.Json;

/** Small JSON builders for the HTTP API tests: valid bodies that each test then varies. */
final class Bodies {
    static final List<String> CORE_ROLES = List.of("frontend", "orchestrator", "worker", "validator");
    /** A model in every class's allowed_models, so that a dynamic role of any class may call it (SPEC 3.7). */
    static final String SHARED_MODEL = "model-shared";

    private Bodies() {
    }

    /** A unique id with a readable prefix, so tests sharing one server never collide. */
    static String uid(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** A minimal valid Work Profile: the four core roles, each with a primary model and local_only. */
    static ObjectNode profile(String profileId) {
        ObjectNode profile = Json.object();
        profile.put("schema_version", "hsk.work_profile@0.6");
        profile.put("profile_id", profileId);
        profile.put("name", "profile " + profileId);
        profile.putObject("governance").put("automation_level", "HYBRID").put("allow_cloud_escalation", false);
        ObjectNode assignments = profile.putObject("model_assignments");
        for (String role : CORE_ROLES) {
            ObjectNode assignment = assignments.putObject(role);
            assignment.put("primary_model_id", "model-" + role);
            // SPEC 3.7: a dynamic role calls a model its class's assignment names; every class names this one
            assignment.putArray("allowed_models").add(SHARED_MODEL);
            assignment.put("local_only", true);
        }
        return profile;
    }

    /** The profile with the given compute block for one core role. */
    static ObjectNode profile(String profileId, String role, ObjectNode compute) {
        ObjectNode profile = profile(profileId);
        ((ObjectNode) profile.get("model_assignments").get(role)).set("compute", compute);
        return profile;
    }

    static ObjectNode compute() {
        return Json.object();
    }

    static ObjectNode preset(String speedPreset) {
        ObjectNode compute = compute();
        compute.put("speed_preset", speedPreset);
        return compute;
    }

    static ObjectNode override(ObjectNode policy) {
        ObjectNode compute = compute();
        compute.set("exec_policy_override", policy);
        return compute;
    }

    /**
     * The exact policy a {@link #marked} compute block asks for: mem_offload, with its own policy_id. It comes
     * back verbatim as requested_policy, so a test tells which profile or role applied without depending on
     * what the shipped rules make of a speed preset (that mapping is tested by rules/tests/presets.yaml).
     */
    static ObjectNode marker(String name) {
        return policy("mem_offload", "exact").put("policy_id", name);
    }

    /** A compute block whose exec_policy_override is {@link #marker}(name). */
    static ObjectNode marked(String name) {
        return override(marker(name));
    }

    /** compute.approximate = {allowed, waiver_ref?}. */
    static ObjectNode approximate(ObjectNode compute, boolean allowed, String waiverRef) {
        ObjectNode approximate = compute.putObject("approximate");
        approximate.put("allowed", allowed);
        if (waiverRef != null) {
            approximate.put("waiver_ref", waiverRef);
        }
        return compute;
    }

    /**
     * A compute block asking for approximate layer_skip by its exec_policy_override, allowed under the given
     * waiver: what the waiver-gate fixture ruleset grants or refuses by the waiver alone (and echo grants), so
     * a test of machinery never depends on what the shipped rules make of a speed preset.
     */
    static ObjectNode approximateOverrideAllowed(String waiverRef) {
        return approximate(override(policy("layer_skip", "approximate")), true, waiverRef);
    }

    static ObjectNode role(String roleId, String inherits, ObjectNode compute) {
        ObjectNode role = Json.object();
        role.put("role_id", roleId);
        role.put("inherits", inherits);
        if (compute != null) {
            role.set("compute", compute);
        }
        return role;
    }

    static ObjectNode policy(String mode, String exactness) {
        ObjectNode policy = Json.object();
        policy.put("mode", mode);
        policy.put("exactness", exactness);
        return policy;
    }

    /** A waiver of approximate execution, any scope, expiring at the given instant. */
    static ObjectNode waiver(String waiverId, Instant expiresAt) {
        ObjectNode waiver = Json.object();
        if (waiverId != null) {
            waiver.put("waiver_id", waiverId);
        }
        waiver.put("check_waived", "approximate_execution");
        waiver.put("justification", "latency budget of the summarizer, reviewed weekly");
        waiver.put("approver", "ops-lead@example.org");
        waiver.put("expires_at", expiresAt.toString());
        return waiver;
    }

    static ObjectNode waiver(String waiverId) {
        return waiver(waiverId, inDays(30));
    }

    static Instant inDays(long days) {
        return Instant.now().plus(Duration.ofDays(days)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    }

    /** A valid decision request: chat for the given role, with a fresh trace id. */
    static ObjectNode decision(String role) {
        ObjectNode request = Json.object();
        request.put("trace_id", uid("trace"));
        request.put("role", role);
        request.put("task_type", "chat");
        // a core role calls its own primary model; a dynamic role the model every class allows
        request.put("model_id", CORE_ROLES.contains(role) ? "model-" + role : SHARED_MODEL);
        request.put("backend", "local");
        request.put("parameter_class", "P7B");
        return request;
    }

    /** The request under a named profile. */
    static ObjectNode decision(String role, String profileId) {
        ObjectNode request = decision(role);
        request.put("profile_id", profileId);
        return request;
    }

    static ObjectNode withPolicy(ObjectNode request, ObjectNode policy) {
        ObjectNode settings = request.has("settings") ? (ObjectNode) request.get("settings") : request.putObject("settings");
        settings.set("exec_policy", policy);
        return request;
    }
}
