package org.execpolicy.pdp.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * What the registry refuses to store that a JSON Schema cannot say (SPEC.md 2):
 * approximate.allowed=true without a waiver_ref, a dynamic role taking a
 * core role's id, a waiver without an approver or already expired. One place, used by the HTTP API and by `rules check` /
 * `decide` fixtures, so both refuse the same entries.
 */
public final class RegistryEntryChecks {
    private static final List<String> CORE_ROLES = List.of("frontend", "orchestrator", "worker", "validator");

    /** One refusal: a JSON pointer into the entry and what is wrong there. */
    public record Violation(String path, String message) {
    }

    private RegistryEntryChecks() {
    }

    public static List<Violation> ofProfile(JsonNode profile) {
        List<Violation> violations = new ArrayList<>();
        profile.path("model_assignments").fields().forEachRemaining(assignment -> waiverWhenAllowed(
                assignment.getValue().path("compute"), "/model_assignments/" + assignment.getKey() + "/compute",
                violations));
        return violations;
    }

    public static List<Violation> ofDynamicRole(JsonNode role) {
        List<Violation> violations = new ArrayList<>();
        String id = role.path("role_id").asText();
        if (CORE_ROLES.contains(id)) {
            violations.add(new Violation("/role_id", "'" + id + "' is a core role; a dynamic role needs another id"));
        }
        waiverWhenAllowed(role.path("compute"), "/compute", violations);
        return violations;
    }

    /** A waiver must name who approved it and must not be born expired. */
    public static List<Violation> ofNewWaiver(JsonNode waiver, java.time.Instant now) {
        List<Violation> violations = new ArrayList<>();
        if (waiver.path("approver").asText("").isBlank()) {
            violations.add(new Violation("/approver", "approver is required: who approved this waiver"));
        }
        java.time.Instant expiresAt = Json.instantOrNull(waiver, "expires_at");
        if (expiresAt != null && !expiresAt.isAfter(now)) {
            violations.add(new Violation("/expires_at", "expires_at " + waiver.get("expires_at").asText()
                    + " is not in the future (now " + now + ")"));
        }
        return violations;
    }

    private static void waiverWhenAllowed(JsonNode compute, String at, List<Violation> violations) {
        JsonNode approximate = compute.path("approximate");
        if (approximate.path("allowed").asBoolean(false) && !approximate.hasNonNull("waiver_ref")) {
            violations.add(new Violation(at + "/approximate/waiver_ref",
                    "waiver_ref is required when approximate.allowed is true"));
        }
    }
}
