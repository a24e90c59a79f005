package org.execpolicy.pdp.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.execpolicy.pdp.support.RunningPdp;
import org.junit.jupiter.api.Test;

/**
 * serve --request-timeout-ms N: a request not answered within N ms is answered 504 timeout, and
 * never a second time. With N = 1 a real decision (rules, then a committed write) cannot make it.
 */
class RequestTimeoutTest {

    @Test
    void a_decision_slower_than_the_limit_is_504_timeout_answered_once_and_still_recorded() throws Exception {
        List<String> timedOut = new ArrayList<>();
        ConfiguredPdp pdp = ConfiguredPdp.start(options -> options.withRequestTimeoutMs(1));
        try {
            for (int i = 0; i < 5; i++) {
                ObjectNode request = Bodies.decision("worker");
                HttpResponse<String> response = pdp.send(pdp.to("/v1/decisions")
                        .header("content-type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(request.toString())));
                // a decision within 1 ms is not impossible on a fast machine, but never every time
                assertThat(response.statusCode()).as(response.body()).isIn(504, 200);
                if (response.statusCode() == 504) {
                    JsonNode problem = ProblemAssert.problem(ConfiguredPdp.reply(response), 504, "timeout");
                    assertThat(problem.get("detail").asText()).contains("time limit");
                    timedOut.add(request.get("trace_id").asText());
                }
            }
            assertThat(timedOut).isNotEmpty();
            // the server is fine afterwards (a request answered at once still is); late answers are dropped
            assertThat(pdp.get("/openapi.yaml").status()).isEqualTo(200);
            Thread.sleep(1_000); // let the evaluations that lost the race commit
        } finally {
            pdp.close();
        }

        // what happened to them: a decision whose evaluation had begun is not cancelled and is recorded
        // all the same; one that timed out earlier (body, validation) never reached the rules
        try (RunningPdp reopened = RunningPdp.start(pdp.dataDir())) {
            for (String traceId : timedOut) {
                JsonNode items = reopened.get("/v1/events?type=llm_exec_policy&trace_id=" + traceId).json().get("items");
                assertThat(items.size()).as(traceId).isLessThanOrEqualTo(1);
            }
        }
    }

    @Test
    void with_the_default_limit_decisions_are_answered() {
        try (ConfiguredPdp pdp = ConfiguredPdp.start(options -> options)) {
            assertThat(pdp.post("/v1/decisions", Bodies.decision("worker").toString()).status()).isEqualTo(200);
        }
    }

    @Test
    void zero_turns_the_limit_off() {
        try (ConfiguredPdp pdp = ConfiguredPdp.start(options -> options.withRequestTimeoutMs(0))) {
            assertThat(pdp.post("/v1/decisions", Bodies.decision("worker").toString()).status()).isEqualTo(200);
        }
    }
}
