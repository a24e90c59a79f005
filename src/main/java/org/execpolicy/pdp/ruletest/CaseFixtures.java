package org.execpolicy.pdp.ruletest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.execpolicy.pdp.engine.DecisionPipeline;
import org.execpolicy.pdp.json.FieldError;
import org.execpolicy.pdp.json.Json;
import org.execpolicy.pdp.registry.RegistryEntryChecks;

/**
 * What the registry would hold for one decision: the work profile in force,
 * the dynamic roles and the waivers. A test case and a `decide --fixtures`
 * file spell them with the same keys, read here, so an author can copy
 * between them. Each is held to what the HTTP API would have accepted.
 */
public final class CaseFixtures {
    public static final List<String> FIELDS = List.of("profile", "dynamic_roles", "waivers");
    public static final CaseFixtures NONE = new CaseFixtures(null, Map.of(), Map.of());

    /** What the registry adds to a waiver it stores; not part of what an operator POSTs. */
    private static final List<String> STORED_WAIVER_TIMES = List.of("created_at", "revoked_at", "approved_at");
    /** The rest of what the registry keeps of a waiver's life: why revoked, its state, who granted and approved it. */
    private static final List<String> STORED_WAIVER_STATE = List.of("revoke_reason", "status", "granted_by",
            "approved_by");
    /** The states the registry stores (v2); a waiver stored before v2 has none. */
    private static final List<String> WAIVER_STATES = List.of("pending", "active", "revoked");

    private final JsonNode profile;
    private final Map<String, JsonNode> dynamicRoles;
    private final Map<String, JsonNode> waivers;

    private CaseFixtures(JsonNode profile, Map<String, JsonNode> dynamicRoles, Map<String, JsonNode> waivers) {
        this.profile = profile;
        this.dynamicRoles = dynamicRoles;
        this.waivers = waivers;
    }

    /** Reads the fixture keys of `holder`, the object at pointer `at`; its other keys are the caller's. */
    public static CaseFixtures read(JsonNode holder, String at, ApiSchemas schemas, List<FieldError> problems) {
        JsonNode profile = holder.get("profile");
        if (profile == null || profile.isNull()) {
            profile = null;
        } else {
            problems.addAll(schemas.check(ApiSchemas.WORK_PROFILE, profile, at + "/profile", "profile"));
            refusals(RegistryEntryChecks.ofProfile(profile), at + "/profile", "profile", problems);
        }
        Map<String, JsonNode> roles = byId(holder, "dynamic_roles", "role_id", at, problems, (role, where, label) -> {
            problems.addAll(schemas.check(ApiSchemas.DYNAMIC_ROLE, role, where, label));
            refusals(RegistryEntryChecks.ofDynamicRole(role), where, label, problems);
        });
        Map<String, JsonNode> waivers = byId(holder, "waivers", "waiver_id", at, problems, (waiver, where, label) -> {
            ObjectNode asPosted = waiver.deepCopy();
            STORED_WAIVER_TIMES.forEach(field -> checkTime(waiver, field, where, label, problems));
            // a misspelt state would silently read as not pending
            String status = Json.textOrNull(waiver, "status");
            if (status != null && !WAIVER_STATES.contains(status)) {
                problems.add(new FieldError(where + "/status", label + "/status: '" + status
                        + "' is not one of " + WAIVER_STATES));
            }
            STORED_WAIVER_TIMES.forEach(asPosted::remove);
            STORED_WAIVER_STATE.forEach(asPosted::remove);
            problems.addAll(schemas.check(ApiSchemas.WAIVER, asPosted, where, label));
        });
        return new CaseFixtures(profile, roles, waivers);
    }

    private interface EntryCheck {
        void check(JsonNode entry, String where, String label);
    }

    /** A list of registry entries keyed by their id; ids must be present and unique, as in the registry. */
    private static Map<String, JsonNode> byId(JsonNode holder, String field, String idField, String at,
                                              List<FieldError> problems, EntryCheck check) {
        Map<String, JsonNode> byId = new LinkedHashMap<>();
        JsonNode list = holder.get(field);
        if (list == null || list.isNull()) {
            return byId;
        }
        if (!list.isArray()) {
            problems.add(new FieldError(at + "/" + field, field + " must be a list"));
            return byId;
        }
        for (int i = 0; i < list.size(); i++) {
            JsonNode entry = list.get(i);
            String where = at + "/" + field + "/" + i;
            String label = field + "/" + i;
            if (!entry.isObject()) {
                problems.add(new FieldError(where, label + " must be a mapping"));
                continue;
            }
            String id = Json.textOrNull(entry, idField);
            if (id == null) {
                problems.add(new FieldError(where, label + ": no " + idField));
            } else if (byId.putIfAbsent(id, entry) != null) {
                problems.add(new FieldError(where + "/" + idField, label + ": " + idField + " '" + id + "' is given twice"));
            }
            check.check(entry, where, label);
        }
        return byId;
    }

    /** What the registry would refuse to store (the API's 422s), as problems of this file. */
    private static void refusals(List<FieldError> violations, String where, String label,
                                 List<FieldError> problems) {
        violations.forEach(v -> problems.add(new FieldError(where + v.path(), label + v.path() + ": " + v.message())));
    }

    private static void checkTime(JsonNode waiver, String field, String where, String label, List<FieldError> problems) {
        String text = Json.textOrNull(waiver, field);
        if (text != null && parseTime(text) == null) {
            problems.add(new FieldError(where + "/" + field, label + "/" + field + ": '" + text
                    + "' is not an RFC 3339 date-time"));
        }
    }

    /** An RFC 3339 date-time, or null when it is not one. */
    public static Instant parseTime(String text) {
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** The profile in force, as the decision records it. */
    String profileId() {
        return profile == null ? null : Json.textOrNull(profile, "profile_id");
    }

    /** The server answers 422 for a profile_id it does not hold; here the fixtures' profile is the only one. */
    public Optional<String> profileMismatch(JsonNode request) {
        String named = Json.textOrNull(request, "profile_id");
        if (named == null || named.equals(profileId())) {
            return Optional.empty();
        }
        return Optional.of("the request names profile_id '" + named + "' but "
                + (profile == null ? "no profile is given" : "the profile given is '" + profileId() + "'"));
    }

    /** The question the server would ask: only the dynamic role registered under the request's role is used. */
    DecisionPipeline.Question question(JsonNode request, Instant now) {
        JsonNode dynamicRole = dynamicRoles.get(request.path("role").asText());
        return new DecisionPipeline.Question(request, profileId(), profile, dynamicRole,
                id -> Optional.ofNullable(waivers.get(id)), now);
    }
}
