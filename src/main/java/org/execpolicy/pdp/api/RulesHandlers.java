package org.execpolicy.pdp.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import org.execpolicy.pdp.engine.RuleEngine;
import org.execpolicy.pdp.engine.RuleMessage;
import org.execpolicy.pdp.engine.Ruleset;
import org.execpolicy.pdp.decision.RulesReloader;
import org.execpolicy.pdp.json.FieldError;
import org.execpolicy.pdp.json.Json;

/** GET /v1/rules and POST /v1/rules/reload. */
final class RulesHandlers {
    private final RuleEngine engine;
    private final RulesReloader reloader;

    RulesHandlers(RuleEngine engine, RulesReloader reloader) {
        this.engine = engine;
        this.reloader = reloader;
    }

    void describe(RoutingContext ctx) {
        ObjectNode body = serving(engine.ruleset());
        ArrayNode rules = body.putArray("rules");
        engine.ruleset().rules().forEach(rule -> rules.addObject().put("name", rule.name())
                .put("file", rule.file()).put("line", rule.line()).put("description", rule.description()));
        ObjectNode rejection = reloader.lastRejection().map(last -> {
            ObjectNode r = Json.object();
            r.put("attempted_digest", last.attemptedDigest());
            r.put("at", last.at().toString());
            ArrayNode messages = r.putArray("messages");
            last.messages().forEach(m -> messages.addObject()
                    .put("file", m.file()).put("line", m.line()).put("text", m.text()));
            return r;
        }).orElse(null);
        body.set("last_rejection", rejection);
        Http.json(ctx, 200, body);
    }

    /** 200 with the serving digest, or 422 listing each compiler or hygiene message with file and line. */
    void reload(RoutingContext ctx) {
        String before = engine.ruleset().digest();
        String operator = AccessControl.operatorName(ctx);
        Future.fromCompletionStage(reloader.reload(RulesReloader.Source.reload, operator), ctx.vertx().getOrCreateContext())
                .onSuccess(outcome -> {
                    if (outcome.rejected()) {
                        List<FieldError> errors = outcome.rejection().messages().stream()
                                .map(m -> new FieldError(location(m), m.text())).toList();
                        Problems.send(ctx, 422, "invalid_request", "the rules were refused ("
                                + errors.size() + " messages); still serving " + before, errors);
                        return;
                    }
                    ObjectNode body = serving(outcome.serving());
                    body.put("previous_digest", before);
                    body.put("changed", outcome.changed());
                    Http.json(ctx, 200, body);
                })
                .onFailure(ctx::fail);
    }

    private static String location(RuleMessage message) {
        return message.file() + ":" + message.line();
    }

    private static ObjectNode serving(Ruleset ruleset) {
        ObjectNode body = Json.object();
        body.put("digest", ruleset.digest());
        ArrayNode files = body.putArray("files");
        ruleset.files().forEach(f -> files.addObject().put("name", f.name()).put("sha256", f.sha256()));
        body.put("loaded_at", ruleset.loadedAt().toString());
        return body;
    }
}
