package org.execpolicy.pdp.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.ext.web.RoutingContext;
import org.execpolicy.pdp.decision.DecisionService;
import org.execpolicy.pdp.decision.DecisionView;
import org.execpolicy.pdp.decision.UnknownProfileException;

/** POST /v1/decisions and GET /v1/decisions/{id}. */
final class DecisionHandlers {
    /**
     * Deciding is CPU work (facts, rules, records, their hashes): the answer waits for the recorder's
     * writer through a future, not on a thread. So decisions run on one thread per core, not on the 20
     * threads of Vert.x's worker pool, where they got in each other's way: on this 2-core machine 2
     * threads answered 1,582 decisions a second, 4 threads 1,319-1,337 and 20 threads 975-1,046 (one
     * `pdp-only` benchmark run each). Reads (JDBC) stay on the worker pool.
     */
    static final int DECISION_THREADS = Runtime.getRuntime().availableProcessors();

    private final Vertx vertx;
    private final WorkerExecutor deciding;
    private final DecisionService decisions;

    private final Metrics metrics;

    DecisionHandlers(Vertx vertx, DecisionService decisions, Metrics metrics) {
        this.vertx = vertx;
        this.deciding = vertx.createSharedWorkerExecutor("pdp-decisions", DECISION_THREADS);
        this.decisions = decisions;
        this.metrics = metrics;
    }

    /** Evaluated off the event loop; answered only once the records are committed. */
    void decide(RoutingContext ctx) {
        ObjectNode request = Http.body(ctx);
        Future<ObjectNode> answer = deciding.executeBlocking(() -> {
            try {
                return decisions.decide(request);
            } catch (UnknownProfileException e) {
                throw ApiException.unprocessable("/profile_id", e.getMessage());
            }
        }, false).compose(recorded -> Future.fromCompletionStage(recorded, ctx.vertx().getOrCreateContext()))
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
