package org.execpolicy.pdp.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import org.execpolicy.pdp.decision.DecisionService;
import org.execpolicy.pdp.decision.DecisionView;
import org.execpolicy.pdp.decision.UnknownProfileException;

/** POST /v1/decisions and GET /v1/decisions/{id}. */
final class DecisionHandlers {
    private final Vertx vertx;
    private final DecisionService decisions;

    private final Metrics metrics;

    DecisionHandlers(Vertx vertx, DecisionService decisions, Metrics metrics) {
        this.vertx = vertx;
        this.decisions = decisions;
        this.metrics = metrics;
    }

    /** Evaluated off the event loop; answered only once the records are committed. */
    void decide(RoutingContext ctx) {
        ObjectNode request = Http.body(ctx);
        Future<ObjectNode> answer = Http.blocking(vertx, () -> {
            try {
                return decisions.decide(request);
            } catch (UnknownProfileException e) {
                throw ApiException.unprocessable("/profile_id", e.getMessage());
            }
        }).compose(recorded -> Future.fromCompletionStage(recorded, ctx.vertx().getOrCreateContext()))
                .map(recorded -> {
                    ObjectNode view = DecisionView.answer(recorded);
                    metrics.decided(view);
                    return explain(ctx) ? DecisionView.explained(view, recorded) : view;
                });
        Http.reply(ctx, 200, answer);
    }

    void get(RoutingContext ctx) {
        String id = Http.pathParam(ctx, "decision_id");
        boolean explain = explain(ctx);
        Http.reply(ctx, 200, Http.blocking(vertx, () -> decisions.find(id)
                .map(recorded -> explain
                        ? DecisionView.explained(DecisionView.withFirings(recorded), recorded)
                        : DecisionView.withFirings(recorded))
                .orElseThrow(() -> notFoundOrPurged(id))));
    }

    /** SPEC 4 (v2): a decision purged by --retention-days is 410 with the checkpoint, never a bare 404. */
    private ApiException notFoundOrPurged(String id) {
        return decisions.purgedBy(id)
                .map(checkpoint -> ApiException.purged("decision '" + id + "' was purged by retention (records "
                        + "before " + checkpoint.path("cutoff").asText() + ")", checkpoint))
                .orElseGet(() -> ApiException.notFound("no decision '" + id + "'"));
    }

    private static boolean explain(RoutingContext ctx) {
        return Http.query(ctx, "explain") != null;
    }
}
