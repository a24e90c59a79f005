package org.execpolicy.pdp.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import org.execpolicy.pdp.engine.RuleEngine;
import org.execpolicy.pdp.json.Json;
import org.execpolicy.pdp.recorder.EvidenceStore;

/** The health probes. */
final class SystemHandlers {
    private final RuleEngine engine;
    private final EvidenceStore recorder;

    SystemHandlers(RuleEngine engine, EvidenceStore recorder) {
        this.engine = engine;
        this.recorder = recorder;
    }

    void live(RoutingContext ctx) {
        ObjectNode body = Json.object();
        body.put("status", "live");
        Http.json(ctx, 200, body);
    }

    /** Ready while the Flight Recorder commits: a decision that cannot be recorded is not given. */
    void ready(RoutingContext ctx) {
        if (!recorder.healthy()) {
            Problems.send(ctx, 503, "runtime_unavailable", "not ready: the Flight Recorder's last commit failed ("
                    + recorder.lastFailure().orElse("unknown") + "); decisions are refused until it recovers", List.of());
            return;
        }
        ObjectNode body = Json.object();
        body.put("status", "ready");
        body.put("ruleset_digest", engine.ruleset().digest());
        Http.json(ctx, 200, body);
    }
}
