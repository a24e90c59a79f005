package org.execpolicy.pdp.api;

import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import org.execpolicy.pdp.recorder.EvidenceStore;

/**
 * GET /v1/recorder/verify: walks each hash chain from where the last call left it verified, so it
 * answers in time at any store size; {@code pdp recorder verify} re-verifies everything.
 */
final class RecorderHandlers {
    private final Vertx vertx;
    private final EvidenceStore recorder;

    RecorderHandlers(Vertx vertx, EvidenceStore recorder) {
        this.vertx = vertx;
        this.recorder = recorder;
    }

    void verify(RoutingContext ctx) {
        Http.reply(ctx, 200, Http.blocking(vertx, () -> recorder.verifySinceLastMark().toJson()));
    }
}
