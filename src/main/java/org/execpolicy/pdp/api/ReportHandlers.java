package org.execpolicy.pdp.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import org.execpolicy.pdp.execution.ExecutionRefusedException;
import org.execpolicy.pdp.execution.ExecutionService;
import org.execpolicy.pdp.json.Json;

/**
 * POST /v1/decisions/{decision_id}/report: what a runtime actually ran. The OpenAPI router has
 * checked the report's shape (400); its ranges are the `llm_exec_report` record schema's (422).
 */
final class ReportHandlers {
    private final Vertx vertx;
    private final ExecutionService evidence;

    ReportHandlers(Vertx vertx, ExecutionService evidence) {
        this.vertx = vertx;
        this.evidence = evidence;
    }

    void report(RoutingContext ctx) {
        String decisionId = Http.pathParam(ctx, "decision_id");
        ObjectNode body = Http.body(ctx);
        Http.reply(ctx, 201, Http.blocking(vertx, () -> {
            try {
                return answer(evidence.report(decisionId, body));
            } catch (ExecutionRefusedException e) {
                throw ExecutionRefusals.toApi(e);
            }
        }));
    }

    /**
     * The recorded report, the executed `llm_exec_policy` record, and what report.drl concluded: the
     * violation or the permitted downgrade (each null when not), with the rules that fired in order.
     */
    private static ObjectNode answer(ExecutionService.Reported reported) {
        ObjectNode answer = Json.object();
        answer.put("decision_id", reported.report().path("decision_id").asText());
        answer.set("report", reported.report());
        answer.set("executed", reported.executed());
        answer.set("violation", reported.violation());
        answer.set("runtime_downgrade", reported.downgrade());
        ArrayNode fired = answer.putArray("rules_fired");
        reported.firings().forEach(firing -> fired.add(firing.path("rule_name").asText()));
        return answer;
    }
}
