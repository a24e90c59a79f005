package org.execpolicy.pdp.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.concurrent.Callable;
import org.execpolicy.pdp.json.Json;
import org.execpolicy.pdp.registry.RegistryRefusedException;
import org.execpolicy.pdp.registry.RegistryService;

/**
 * The HTTP side of work profiles, dynamic roles and waivers: parse, call {@link RegistryService}
 * (which owns the checks and the one save transaction) off the event loop, answer. A refused change
 * answers as {@link #toApi} says.
 */
final class RegistryHandlers {
    private final Vertx vertx;
    private final RegistryService registry;

    RegistryHandlers(Vertx vertx, RegistryService registry) {
        this.vertx = vertx;
        this.registry = registry;
    }

    // ---- profiles

    void putProfile(RoutingContext ctx) {
        String id = Http.pathParam(ctx, "profile_id");
        ObjectNode profile = Http.body(ctx);
        String operator = AccessControl.operatorName(ctx);
        requireSameId(profile, "profile_id", id);
        save(ctx, profile, () -> registry.putProfile(id, profile, operator));
    }

    void profileHistory(RoutingContext ctx) {
        String id = Http.pathParam(ctx, "profile_id");
        Http.reply(ctx, 200, Http.blocking(vertx, refusedAsApi(() -> {
            ObjectNode body = items(registry.profileHistory(id));
            body.put("profile_id", id);
            return body;
        })));
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
        Http.reply(ctx, 200, Http.blocking(vertx, refusedAsApi(() -> {
            registry.activate(id, operator);
            ObjectNode body = Json.object();
            body.put("active_profile_id", id);
            return body;
        })));
    }

    // ---- dynamic roles

    void putRole(RoutingContext ctx) {
        String id = Http.pathParam(ctx, "role_id");
        ObjectNode role = Http.body(ctx);
        String operator = AccessControl.operatorName(ctx);
        requireSameId(role, "role_id", id);
        save(ctx, role, () -> registry.putRole(id, role, operator));
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
        Http.reply(ctx, 201, Http.blocking(vertx, refusedAsApi(() -> registry.grantWaiver(waiver, operator))));
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
        var reason = Http.body(ctx).get("reason");
        String operator = AccessControl.operatorName(ctx);
        Http.reply(ctx, 200, Http.blocking(vertx, refusedAsApi(() -> registry.revokeWaiver(id, reason, operator))));
    }

    /** v2: a second operator (another token name than granted_by) approves a pending MEDIUM or HIGH waiver. */
    void approveWaiver(RoutingContext ctx) {
        String id = Http.pathParam(ctx, "waiver_id");
        String operator = AccessControl.operatorName(ctx);
        Http.reply(ctx, 200, Http.blocking(vertx, refusedAsApi(() -> registry.approveWaiver(id, operator))));
    }

    /** Stores off the event loop; {@code store} answers whether the entry is new (201) or replaced (200). */
    private void save(RoutingContext ctx, ObjectNode body, Callable<Boolean> store) {
        Http.blocking(vertx, refusedAsApi(store)).onSuccess(created -> Http.json(ctx, created ? 201 : 200, body))
                .onFailure(ctx::fail);
    }

    /** The call, with a refused registry change turned into its HTTP problem. */
    private static <T> Callable<T> refusedAsApi(Callable<T> call) {
        return () -> {
            try {
                return call.call();
            } catch (RegistryRefusedException refused) {
                throw toApi(refused);
            }
        };
    }

    /** SPEC 5: every refused registry change is an `invalid_request`, with the fields at fault. */
    static ApiException toApi(RegistryRefusedException refused) {
        int status = switch (refused.kind()) {
            case UNKNOWN -> 404;
            case CONFLICT -> 409;
            case FORBIDDEN -> 403;
            case INVALID -> 422;
        };
        return new ApiException(status, "invalid_request", refused.getMessage(), refused.errors());
    }

    /** The id in the body, when given, must be the one in the path (a 422 naming it); absent, it is the path's. */
    private static void requireSameId(ObjectNode body, String field, String pathId) {
        if (!body.hasNonNull(field)) {
            body.put(field, pathId);
        } else if (!body.get(field).asText().equals(pathId)) {
            throw ApiException.unprocessable("/" + field, field + " '" + body.get(field).asText()
                    + "' differs from the id in the path '" + pathId + "'");
        }
    }

    private static ObjectNode items(List<ObjectNode> list) {
        ObjectNode body = Json.object();
        body.putArray("items").addAll(list);
        return body;
    }
}
