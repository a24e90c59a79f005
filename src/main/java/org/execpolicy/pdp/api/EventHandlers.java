package org.execpolicy.pdp.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import io.vertx.openapi.validation.RequestParameter;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import org.execpolicy.pdp.json.Json;
import org.execpolicy.pdp.recorder.EventPage;
import org.execpolicy.pdp.recorder.EventQuery;
import org.execpolicy.pdp.recorder.EvidenceStore;

/** GET /v1/events (newest first, filtered, paged by cursor) and GET /v1/events/{id}. */
final class EventHandlers {
    static final int DEFAULT_LIMIT = 50;

    private final Vertx vertx;
    private final EvidenceStore recorder;

    EventHandlers(Vertx vertx, EvidenceStore recorder) {
        this.vertx = vertx;
        this.recorder = recorder;
    }

    void list(RoutingContext ctx) {
        RequestParameter limit = Http.query(ctx, "limit");
        EventQuery query = new EventQuery(
                text(ctx, "type"), text(ctx, "trace_id"), text(ctx, "decision_id"),
                instant(ctx, "since"), instant(ctx, "until"),
                limit == null ? DEFAULT_LIMIT : limit.getInteger(),
                cursor(text(ctx, "cursor")));
        Http.reply(ctx, 200, Http.blocking(vertx, () -> {
            EventPage page = recorder.events(query);
            ObjectNode body = Json.object();
            body.putArray("items").addAll(page.items());
            body.put("next_cursor", page.nextCursor());
            return body;
        }));
    }

    void get(RoutingContext ctx) {
        String id = Http.pathParam(ctx, "event_id");
        Http.reply(ctx, 200, Http.blocking(vertx, () -> recorder.event(id)
                .orElseThrow(() -> recorder.retentionCheckpointCovering(id) // SPEC 4 (v2): 410, not a bare 404
                        .map(checkpoint -> ApiException.purged("event '" + id + "' was purged by retention (records "
                                + "before " + checkpoint.path("cutoff").asText() + ")", checkpoint))
                        .orElseGet(() -> ApiException.notFound("no event '" + id + "'")))));
    }

    private static String text(RoutingContext ctx, String name) {
        RequestParameter parameter = Http.query(ctx, name);
        return parameter == null ? null : parameter.getString();
    }

    /** Read from the query as the client sent it (decoded once); see openapi.yaml. */
    private static Instant instant(RoutingContext ctx, String name) {
        String value = ctx.queryParams().get(name);
        try {
            return value == null ? null : OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            throw ApiException.badField("/" + name, "must be an RFC 3339 date-time such as 2026-01-31T12:00:00Z");
        }
    }

    private static Long cursor(String value) {
        try {
            return EventPage.decodeCursor(value);
        } catch (IllegalArgumentException e) {
            throw ApiException.badField("/cursor", "not a cursor this server gave out");
        }
    }
}
