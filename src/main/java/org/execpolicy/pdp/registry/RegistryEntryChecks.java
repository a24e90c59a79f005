package org.execpolicy.pdp.registry;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.execpolicy.pdp.json.FieldError;
import org.execpolicy.pdp.json.Json;

/**
 * What the registry refuses to store that a JSON Schema cannot say (SPEC.md 2):
 * approximate.allowed=true without a waiver_ref, a dynamic role taking a
 * core role's id (in any case), a waiver without a visible approver, already expired or
 * running more than {@link #MAX_WAIVER_DAYS} days, an id that differs from a stored one only by
 * case. One place, used by the HTTP API and by `rules check` / `decide` fixtures, so both refuse
 * the same entries.
 */
public final class RegistryEntryChecks {
    private static final List<String> CORE_ROLES = List.of("frontend", "orchestrator", "worker", "validator");
    /** The longest a waiver may run from its grant: an exception to the policy is reviewed at least yearly. */
    public static final int MAX_WAIVER_DAYS = 365;

    private RegistryEntryChecks() {
    }

    public static List<FieldError> ofProfile(JsonNode profile) {
        List<FieldError> violations = new ArrayList<>();
        profile.path("model_assignments").fields().forEachRemaining(assignment -> waiverWhenAllowed(
                assignment.getValue().path("compute"), "/model_assignments/" + assignment.getKey() + "/compute",
                violations));
        return violations;
    }

    public static List<FieldError> ofDynamicRole(JsonNode role) {
        List<FieldError> violations = new ArrayList<>();
        String id = role.path("role_id").asText();
        if (CORE_ROLES.contains(id.toLowerCase(Locale.ROOT))) {
            // WORKER beside worker would read as the core role to a person and as another role to the rules
            violations.add(new FieldError("/role_id", "'" + id + "' is the core role '" + id.toLowerCase(Locale.ROOT)
                    + "' (ids are compared ignoring case); a dynamic role needs another id"));
        }
        // SPEC 2 (v2): inherits is optional when the role brings its own compute; a role with neither
        // would be a name with no meaning to the rules
        if (!role.hasNonNull("inherits") && !role.hasNonNull("compute")) {
            violations.add(new FieldError("/inherits", "a dynamic role needs inherits (a core role) or its own compute"));
        }
        waiverWhenAllowed(role.path("compute"), "/compute", violations);
        return violations;
    }

    /** A waiver must name who approved it, must not be born expired, and runs at most {@link #MAX_WAIVER_DAYS} days. */
    public static List<FieldError> ofNewWaiver(JsonNode waiver, Instant now) {
        List<FieldError> violations = new ArrayList<>();
        if (!hasVisibleCharacter(waiver.path("approver").asText(""))) {
            violations.add(new FieldError("/approver", "approver is required: who approved this waiver"
                    + " (at least one visible character; spaces and invisible format characters do not count)"));
        }
        Instant expiresAt = Json.instantOrNull(waiver, "expires_at");
        if (expiresAt != null && !expiresAt.isAfter(now)) {
            violations.add(new FieldError("/expires_at", "expires_at " + waiver.get("expires_at").asText()
                    + " is not in the future (now " + now + ")"));
        } else if (expiresAt != null && expiresAt.isAfter(now.plus(Duration.ofDays(MAX_WAIVER_DAYS)))) {
            violations.add(new FieldError("/expires_at", "expires_at " + waiver.get("expires_at").asText()
                    + " is more than " + MAX_WAIVER_DAYS + " days after now (" + now + "); grant the waiver again"
                    + " when it ends"));
        }
        return violations;
    }

    /**
     * The stored id that {@code id} differs from only by case, as a refusal at {@code field}: ids
     * that read the same must be the same entry.
     */
    public static Optional<FieldError> caseTwin(String field, String id, Collection<String> storedIds) {
        return storedIds.stream().filter(stored -> !stored.equals(id) && stored.equalsIgnoreCase(id)).findFirst()
                .map(stored -> new FieldError("/" + field, field + " '" + id + "' differs from the existing '" + stored
                        + "' only by case; ids are unique ignoring case"));
    }

    /** True when the text has a character that shows: not a space, a control or a format character (U+200B). */
    static boolean hasVisibleCharacter(String text) {
        return text.codePoints().anyMatch(c -> !Character.isWhitespace(c) && !Character.isSpaceChar(c)
                && Character.getType(c) != Character.FORMAT && Character.getType(c) != Character.CONTROL);
    }

    private static void waiverWhenAllowed(JsonNode compute, String at, List<FieldError> violations) {
        JsonNode approximate = compute.path("approximate");
        if (approximate.path("allowed").asBoolean(false) && !approximate.hasNonNull("waiver_ref")) {
            violations.add(new FieldError(at + "/approximate/waiver_ref",
                    "waiver_ref is required when approximate.allowed is true"));
        }
    }
}
