package org.execpolicy.pdp.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.ValidatedRequest;
import java.io.IOException;
import java.util.concurrent.Callable;
import org.execpolicy.pdp.json.Json;

/** Small helpers shared by the handlers: the validated body and parameters, blocking work, JSON answers. */
final class Http {
    private Http() {
    }

    /** The request body, parsed by Jackson; the OpenAPI router has validated it already. */
    static ObjectNode body(RoutingContext ctx) {
        try {
            byte[] bytes = ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
            JsonNode node = bytes.length == 0 ? Json.object() : Json.MAPPER.readTree(bytes);
            return (ObjectNode) node;
        } catch (IOException | ClassCastException e) {
            throw ApiException.badField("", "the request body must be a JSON object");
        }
    }

    /**
     * A path parameter as the client sent it (decoded once). The validator's copy is read as JSON,
     * so an id such as "-1" would come back as a number.
     */
    static String pathParam(RoutingContext ctx, String name) {
        return ctx.pathParam(name);
    }

    /** A query parameter, or null when absent. */
    static RequestParameter query(RoutingContext ctx, String name) {
        RequestParameter parameter = validated(ctx).getQuery().get(name);
        return parameter == null || parameter.isNull() ? null : parameter;
    }

    private static ValidatedRequest validated(RoutingContext ctx) {
        return ctx.get(RouterBuilder.KEY_META_DATA_VALIDATED_REQUEST);
    }

    /** Runs JDBC or CPU-heavy work off the event loop, unordered so requests do not queue behind each other. */
    static <T> Future<T> blocking(Vertx vertx, Callable<T> work) {
        return vertx.executeBlocking(work, false);
    }

    static void json(RoutingContext ctx, int status, JsonNode body) {
        if (ctx.response().headWritten()) {
            return; // already answered, e.g. 504 after the request timed out
        }
        ctx.response().setStatusCode(status).putHeader("content-type", "application/json").end(body.toString());
    }

    /** 200 with the entry, or a 404 problem naming what was looked for. */
    static void found(RoutingContext ctx, java.util.Optional<? extends JsonNode> entry, String what, String id) {
        json(ctx, 200, entry.orElseThrow(() -> ApiException.notFound("no " + what + " '" + id + "'")));
    }

    /** Sends the result, or routes the failure to {@link Problems}. */
    static <T extends JsonNode> void reply(RoutingContext ctx, int status, Future<T> result) {
        result.onSuccess(body -> json(ctx, status, body)).onFailure(ctx::fail);
    }
}
