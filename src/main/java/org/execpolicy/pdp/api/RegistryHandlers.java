package org.execpolicy.pdp.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.execpolicy.pdp.engine.RegistryChangeRecords;
import org.execpolicy.pdp.engine.WaiverCoverage;
import org.execpolicy.pdp.json.Json;
import org.execpolicy.pdp.model.RegistryEntryChecks;
import org.execpolicy.pdp.model.SecretRedactor;
import org.execpolicy.pdp.model.WaiverApproval;
import org.execpolicy.pdp.recorder.ProfileUsedException;
import org.execpolicy.pdp.recorder.RegistryStore;

/**
 * Work profiles, dynamic roles and waivers: what operators set and the rules read.
 * Every change is stored with its record (who, what, hashes before and after).
 */
final class RegistryHandlers {
    private final Vertx vertx;
    private final RegistryStore registry;
    private final WaiverCoverage waiverCoverage;
    private final Clock clock;
    private final SecretRedactor redactor;

    RegistryHandlers(Vertx vertx, RegistryStore registry, WaiverCoverage waiverCoverage, Clock clock,
                     SecretRedactor redactor) {
        this.redactor = redactor;
        this.vertx = vertx;
        this.registry = registry;
        this.waiverCoverage = waiverCoverage;
        this.clock = clock;
    }

    // ---- profiles

    void putProfile(RoutingContext ctx) {
        String id = Http.pathParam(ctx, "profile_id");
        ObjectNode profile = Http.body(ctx);
        String operator = AccessControl.operatorName(ctx);
        requireSameId(profile, "profile_id", id);
        refuse(RegistryEntryChecks.ofProfile(profile));
        save(ctx, profile, () -> {
            synchronized (registry) {
                registry.catchUp(); // what the change is checked against and records as 'before' is the stored state
                if (registry.usedAsKnown(id)) {
                    throw usedProfile(registry.usedProfileRefusal(id)); // before any other check: no edit helps
                }
                ObjectNode before = registry.profile(id).orElse(null);
                refuseCaseTwin("profile_id", id, registry.profiles());
                Instant now = clock.instant();
                refuseWaivers(waiverCoverage.ofProfile(id, before, profile, now));
                try {
                    registry.putProfile(id, profile, operator,
                            was -> List.of(RegistryChangeRecords.profileChanged(id, was, profile, operator, now)));
                } catch (ProfileUsedException e) {
                    throw usedProfile(e);
                }
                return before == null;
            }
        });
    }

    /** 409 (SPEC 2, spec 4.3.7.1): a used profile is immutable; the detail says to save under a new profile_id. */
    private static ApiException usedProfile(ProfileUsedException e) {
        return new ApiException(409, "invalid_request", e.getMessage(),
                List.of(new FieldError("/profile_id", "profile '" + e.profileId() + "' has been used by a decision"
                        + " and is immutable; choose a new profile_id")));
    }

    void profileHistory(RoutingContext ctx) {
        String id = Http.pathParam(ctx, "profile_id");
        Http.reply(ctx, 200, Http.blocking(vertx, () -> {
            if (registry.profile(id).isEmpty()) {
                throw ApiException.notFound("no work profile '" + id + "'");
            }
            ObjectNode body = items(registry.profileHistory(id));
            body.put("profile_id", id);
            return body;
        }));
    }

    // Reads are answered on the event loop: the registry serves them from memory.

    void getProfile(RoutingContext ctx) {
        String id = Http.pathParam(ctx, "profile_id");
        Http.found(ctx, registry.profile(id), "work profile", id);
    }

    /** Off the event loop: which profiles are used is read from the store, where every node marks them. */
    void listProfiles(RoutingContext ctx) {
        Http.reply(ctx, 200, Http.blocking(vertx, () -> {
            java.util.Set<String> used = registry.usedProfileIds();
            ObjectNode body = items(registry.profiles());
            body.put("active_profile_id", registry.activeProfileId().orElse(null));
            body.putArray("used_profile_ids").addAll(used.stream().sorted()
                    .map(TextNode::valueOf).toList());
            return body;
        }));
    }

    void activateProfile(RoutingContext ctx) {
        String id = Http.pathParam(ctx, "profile_id");
        String operator = AccessControl.operatorName(ctx);
        Http.reply(ctx, 200, Http.blocking(vertx, () -> {
            try {
                // the previously active profile as the store saw it, under its lock
                registry.activate(id, previous -> List.of(RegistryChangeRecords.profileSelected(id,
                        registry.profile(id).orElseThrow(), Json.textOrNull(previous, "profile_id"),
                        operator, clock.instant())));
            } catch (NoSuchElementException e) {
                throw ApiException.notFound("no work profile '" + id + "'");
            }
            ObjectNode body = Json.object();
            body.put("active_profile_id", id);
            return body;
        }));
    }

    // ---- dynamic roles

    void putRole(RoutingContext ctx) {
        String id = Http.pathParam(ctx, "role_id");
        ObjectNode role = Http.body(ctx);
        String operator = AccessControl.operatorName(ctx);
        requireSameId(role, "role_id", id);
        refuse(RegistryEntryChecks.ofDynamicRole(role));
        save(ctx, role, () -> {
            synchronized (registry) {
                registry.catchUp(); // what the change is checked against and records as 'before' is the stored state
                ObjectNode before = registry.role(id).orElse(null);
                refuseCaseTwin("role_id", id, registry.roles());
                Instant now = clock.instant();
                String activeId = registry.activeProfileId().orElse(null);
                refuseWaivers(waiverCoverage.ofDynamicRole(before, role,
                        activeId == null ? null : registry.profile(activeId).orElse(null), now));
                registry.putRole(id, role,
                        was -> List.of(RegistryChangeRecords.roleChanged(id, was, role, operator, now)));
                return before == null;
            }
        });
    }

    void getRole(RoutingContext ctx) {
        String id = Http.pathParam(ctx, "role_id");
        Http.found(ctx, registry.role(id), "dynamic role", id);
    }

    void listRoles(RoutingContext ctx) {
        Http.json(ctx, 200, items(registry.roles()));
    }

    // ---- waivers: never deleted, only revoked

    void createWaiver(RoutingContext ctx) {
        ObjectNode waiver = Http.body(ctx);
        String operator = AccessControl.operatorName(ctx);
        Instant now = clock.instant();
        refuse(RegistryEntryChecks.ofNewWaiver(waiver, now));
        if (!waiver.hasNonNull("waiver_id")) {
            waiver.put("waiver_id", "wv-" + UUID.randomUUID());
        }
        String id = waiver.get("waiver_id").asText();
        // stored for good, in a record that can never be edited: a pasted credential must not be (SPEC 4)
        waiver.put("justification", redactor.redact(waiver.path("justification").asText()));
        waiver.put("created_at", now.toString());
        waiver.putNull("revoked_at");
        WaiverApproval.grant(waiver, operator);
        Http.reply(ctx, 201, Http.blocking(vertx, () -> {
            synchronized (registry) {
                registry.catchUp(); // what the change is checked against and records as 'before' is the stored state
                if (registry.waiver(id).isPresent()) {
                    throw ApiException.conflict("waiver '" + id + "' exists; waivers are never replaced");
                }
                refuseCaseTwin("waiver_id", id, registry.waivers());
                registry.putWaiver(id, waiver,
                        was -> List.of(RegistryChangeRecords.waiverGranted(waiver, operator, now)));
            }
            return waiver;
        }));
    }

    void getWaiver(RoutingContext ctx) {
        String id = Http.pathParam(ctx, "waiver_id");
        Http.found(ctx, registry.waiver(id), "waiver", id);
    }

    void listWaivers(RoutingContext ctx) {
        Http.json(ctx, 200, items(registry.waivers()));
    }

    void revokeWaiver(RoutingContext ctx) {
        String id = Http.pathParam(ctx, "waiver_id");
        JsonNode reason = Http.body(ctx).get("reason");
        String operator = AccessControl.operatorName(ctx);
        Http.reply(ctx, 200, Http.blocking(vertx, () -> {
            Instant now = clock.instant();
            return changeWaiver(id, waiver -> {
                if (waiver.hasNonNull("revoked_at")) {
                    throw ApiException.conflict("waiver '" + id + "' was revoked at "
                            + waiver.get("revoked_at").asText());
                }
                waiver.put("revoked_at", now.toString());
                waiver.set("revoke_reason", reason == null || !reason.isTextual() ? NullNode.instance
                        : TextNode.valueOf(redactor.redact(reason.asText())));
                if (waiver.has("status")) { // a waiver stored before v2 has no state to keep
                    waiver.put("status", WaiverApproval.REVOKED);
                }
                return waiver;
            }, revoked -> RegistryChangeRecords.waiverRevoked(revoked, operator, now));
        }));
    }

    /** v2: a second operator (another token name than granted_by) approves a pending MEDIUM or HIGH waiver. */
    void approveWaiver(RoutingContext ctx) {
        String id = Http.pathParam(ctx, "waiver_id");
        String operator = AccessControl.operatorName(ctx);
        Http.reply(ctx, 200, Http.blocking(vertx, () -> {
            Instant now = clock.instant();
            return changeWaiver(id, waiver -> {
                WaiverApproval.refusal(waiver, operator, now).ifPresent(refusal -> {
                    throw new ApiException(refusal.status(), "invalid_request", refusal.message(), List.of());
                });
                return WaiverApproval.approve(waiver, operator, now);
            }, approved -> RegistryChangeRecords.waiverApproved(approved, operator, now));
        }));
    }

    /** Changes a stored waiver from its current state in the store, with the record built from the result. */
    private ObjectNode changeWaiver(String id, java.util.function.UnaryOperator<ObjectNode> change,
                                    java.util.function.Function<ObjectNode, ObjectNode> record) {
        ObjectNode[] changed = {null};
        synchronized (registry) {
            try {
                return registry.changeWaiver(id, waiver -> changed[0] = change.apply(waiver),
                        was -> List.of(record.apply(changed[0])));
            } catch (NoSuchElementException e) {
                throw ApiException.notFound("no waiver '" + id + "'");
            }
        }
    }

    /** Stores off the event loop; {@code store} answers whether the entry is new (201) or replaced (200). */
    private void save(RoutingContext ctx, ObjectNode body, Callable<Boolean> store) {
        Http.blocking(vertx, store).onSuccess(created -> Http.json(ctx, created ? 201 : 200, body))
                .onFailure(ctx::fail);
    }

    // ---- checks a schema cannot say

    private static void requireSameId(ObjectNode body, String field, String pathId) {
        if (!body.hasNonNull(field)) {
            body.put(field, pathId);
        } else if (!body.get(field).asText().equals(pathId)) {
            throw ApiException.unprocessable("/" + field, field + " '" + body.get(field).asText()
                    + "' differs from the id in the path '" + pathId + "'");
        }
    }

    /** 422 naming the first field the registry refuses; nothing is stored. */
    private static void refuse(List<RegistryEntryChecks.Violation> violations) {
        if (!violations.isEmpty()) {
            throw ApiException.unprocessable(violations.get(0).path(), violations.get(0).message());
        }
    }

    /** 409 naming the id when it differs from a stored one only by case (wv-1 beside WV-1); nothing is stored. */
    private static void refuseCaseTwin(String field, String id, List<ObjectNode> stored) {
        RegistryEntryChecks.caseTwin(field, id, stored.stream().map(entry -> entry.path(field).asText()).toList())
                .ifPresent(twin -> {
                    throw new ApiException(409, "invalid_request", twin.message(),
                            List.of(new FieldError(twin.path(), twin.message())));
                });
    }

    /** 422 naming each role whose waiver the rules would refuse; nothing is stored. */
    private static void refuseWaivers(List<WaiverCoverage.Refusal> refusals) {
        if (!refusals.isEmpty()) {
            List<FieldError> errors = refusals.stream().map(r -> new FieldError(r.path(), r.message())).toList();
            throw new ApiException(422, "invalid_request", "approximate execution cannot be turned on: "
                    + errors.get(0).message() + " (at " + errors.get(0).path() + ")", errors);
        }
    }

    private static ObjectNode items(List<ObjectNode> list) {
        ObjectNode body = Json.object();
        body.putArray("items").addAll(list);
        return body;
    }
}
