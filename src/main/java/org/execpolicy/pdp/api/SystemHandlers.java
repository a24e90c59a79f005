package org.execpolicy.pdp.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import org.execpolicy.pdp.engine.Ruleset;
import org.execpolicy.pdp.model.Json;
import org.execpolicy.pdp.recorder.FlightRecorder;

/** GET /v1/rules and the health probes. */
final class SystemHandlers {
    private final Ruleset ruleset;
    private final FlightRecorder recorder;

    SystemHandlers(Ruleset ruleset, FlightRecorder recorder) {
        this.ruleset = ruleset;
        this.recorder = recorder;
    }

    void rules(RoutingContext ctx) {
        ObjectNode body = Json.object();
        body.put("digest", ruleset.digest());
        ArrayNode files = body.putArray("files");
        ruleset.files().forEach(f -> files.addObject().put("name", f.name()).put("sha256", f.sha256()));
        body.put("loaded_at", ruleset.loadedAt().toString());
        Http.json(ctx, 200, body);
    }

    void live(RoutingContext ctx) {
        ObjectNode body = Json.object();
        body.put("status", "live");
        Http.json(ctx, 200, body);
    }

    /** Ready while the Flight Recorder commits: a decision that cannot be recorded is not given. */
    void ready(RoutingContext ctx) {
        if (!recorder.healthy()) {
            Problems.send(ctx, 503, "runtime_unavailable",
                    "not ready: the Flight Recorder's last commit failed", List.of());
            return;
        }
        ObjectNode body = Json.object();
        body.put("status", "ready");
        body.put("ruleset_digest", ruleset.digest());
        Http.json(ctx, 200, body);
    }
}
