package org.execpolicy.pdp.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.execpolicy.pdp.model.Json;
import org.execpolicy.pdp.model.RegistryEntryChecks;
import org.execpolicy.pdp.recorder.RegistryStore;

/** Work profiles, dynamic roles and waivers: what operators set and the rules read. */
final class RegistryHandlers {
    private final Vertx vertx;
    private final RegistryStore registry;
    private final Clock clock;

    RegistryHandlers(Vertx vertx, RegistryStore registry, Clock clock) {
        this.vertx = vertx;
        this.registry = registry;
        this.clock = clock;
    }

    // ---- profiles

    void putProfile(RoutingContext ctx) {
        String id = Http.pathParam(ctx, "profile_id");
        ObjectNode profile = Http.body(ctx);
        requireSameId(profile, "profile_id", id);
        refuse(RegistryEntryChecks.ofProfile(profile));
        save(ctx, profile, () -> registry.profile(id).isEmpty(), () -> registry.putProfile(id, profile));
    }

    void getProfile(RoutingContext ctx) {
        String id = Http.pathParam(ctx, "profile_id");
        Http.reply(ctx, 200, Http.blocking(vertx, () -> registry.profile(id)
                .orElseThrow(() -> ApiException.notFound("no work profile '" + id + "'"))));
    }

    void listProfiles(RoutingContext ctx) {
        Http.reply(ctx, 200, Http.blocking(vertx, () -> {
            ObjectNode body = Json.object();
            body.putArray("items").addAll(registry.profiles());
            body.put("active_profile_id", registry.activeProfileId().orElse(null));
            return body;
        }));
    }

    void activateProfile(RoutingContext ctx) {
        String id = Http.pathParam(ctx, "profile_id");
        Http.reply(ctx, 200, Http.blocking(vertx, () -> {
            try {
                registry.activate(id);
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
        requireSameId(role, "role_id", id);
        refuse(RegistryEntryChecks.ofDynamicRole(role));
        save(ctx, role, () -> registry.role(id).isEmpty(), () -> registry.putRole(id, role));
    }

    void getRole(RoutingContext ctx) {
        String id = Http.pathParam(ctx, "role_id");
        Http.reply(ctx, 200, Http.blocking(vertx, () -> registry.role(id)
                .orElseThrow(() -> ApiException.notFound("no dynamic role '" + id + "'"))));
    }

    void listRoles(RoutingContext ctx) {
        Http.reply(ctx, 200, Http.blocking(vertx, () -> items(registry.roles())));
    }

    // ---- waivers: never deleted, only revoked

    void createWaiver(RoutingContext ctx) {
        ObjectNode waiver = Http.body(ctx);
        if (!waiver.hasNonNull("waiver_id")) {
            waiver.put("waiver_id", "wv-" + UUID.randomUUID());
        }
        String id = waiver.get("waiver_id").asText();
        waiver.put("created_at", clock.instant().toString());
        waiver.putNull("revoked_at");
        Http.reply(ctx, 201, Http.blocking(vertx, () -> {
            synchronized (registry) {
                if (registry.waiver(id).isPresent()) {
                    throw ApiException.conflict("waiver '" + id + "' exists; waivers are never replaced");
                }
                registry.putWaiver(id, waiver);
            }
            return waiver;
        }));
    }

    void getWaiver(RoutingContext ctx) {
        String id = Http.pathParam(ctx, "waiver_id");
        Http.reply(ctx, 200, Http.blocking(vertx, () -> registry.waiver(id)
                .orElseThrow(() -> ApiException.notFound("no waiver '" + id + "'"))));
    }

    void listWaivers(RoutingContext ctx) {
        Http.reply(ctx, 200, Http.blocking(vertx, () -> items(registry.waivers())));
    }

    void revokeWaiver(RoutingContext ctx) {
        String id = Http.pathParam(ctx, "waiver_id");
        JsonNode reason = Http.body(ctx).get("reason");
        Http.reply(ctx, 200, Http.blocking(vertx, () -> {
            synchronized (registry) {
                ObjectNode waiver = registry.waiver(id)
                        .orElseThrow(() -> ApiException.notFound("no waiver '" + id + "'")).deepCopy();
                if (waiver.hasNonNull("revoked_at")) {
                    throw ApiException.conflict("waiver '" + id + "' was revoked at " + waiver.get("revoked_at").asText());
                }
                waiver.put("revoked_at", clock.instant().toString());
                waiver.set("revoke_reason", reason == null ? Json.object().nullNode() : reason);
                registry.putWaiver(id, waiver);
                return waiver;
            }
        }));
    }

    /** Stores off the event loop and answers 201 for a new entry, 200 for a replaced one. */
    private void save(RoutingContext ctx, ObjectNode body, BooleanSupplier isNew, Runnable put) {
        Http.blocking(vertx, () -> {
            boolean created = isNew.getAsBoolean();
            put.run();
            return created;
        }).onSuccess(created -> Http.json(ctx, created ? 201 : 200, body)).onFailure(ctx::fail);
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

    private static ObjectNode items(List<ObjectNode> list) {
        ObjectNode body = Json.object();
        body.putArray("items").addAll(list);
        return body;
    }
}
