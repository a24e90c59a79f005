package org.execpolicy.pdp.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.execpolicy.pdp.support.RunningPdp.Reply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** serve --rate-limit N: N requests per second per client, then 429 rate_limited with Retry-After. */
class RateLimitTest {
    static final int PER_SECOND = 3;
    static final int READER_TOKENS = 8;
    static int readerTokensUsed;
    static ConfiguredPdp limited;

    @BeforeAll
    static void start() {
        List<String> tokens = new ArrayList<>(List.of(token("a"), token("b"), token("c"), token("d")));
        for (int i = 0; i < READER_TOKENS; i++) {
            tokens.add(token("reader-" + i));
        }
        limited = ConfiguredPdp.start(options -> options.withRateLimit(PER_SECOND), tokens);
    }

    /** Tokens are checked, so every client here is a token in the server's file. */
    static String token(String name) {
        return "rate-limit-test-token-" + name;
    }

    @AfterAll
    static void stop() {
        limited.close();
    }

    static HttpResponse<String> rules(String token) {
        var request = limited.to("/v1/rules").GET();
        if (token != null) {
            request.header("authorization", "Bearer " + token);
        }
        return limited.send(request);
    }

    /** Sends until the first 429 (bounded), returning every answer. */
    static List<HttpResponse<String>> untilLimited(String token) {
        List<HttpResponse<String>> answers = new ArrayList<>();
        for (int i = 0; i < 10 * PER_SECOND; i++) {
            HttpResponse<String> response = rules(token);
            answers.add(response);
            if (response.statusCode() == 429) {
                break;
            }
        }
        return answers;
    }

    @Test
    void over_the_limit_is_429_rate_limited_with_retry_after() {
        List<HttpResponse<String>> answers = untilLimited(token("a"));

        HttpResponse<String> last = answers.get(answers.size() - 1);
        // a burst of N is allowed; refill during the burst may let one or two more through
        assertThat(answers.size()).isBetween(PER_SECOND + 1, PER_SECOND + 4);
        JsonNode problem = ProblemAssert.problem(ConfiguredPdp.reply(last), 429, "rate_limited");
        assertThat(problem.get("detail").asText()).contains(PER_SECOND + " requests per second");
        assertThat(last.headers().firstValue("retry-after")).as("whole seconds until a token is back").hasValue("1");
    }

    @Test
    void each_token_has_its_own_budget_and_it_comes_back() throws InterruptedException {
        List<HttpResponse<String>> answersB = untilLimited(token("b"));
        // a fresh token starts with a full bucket: the first N pass; refill may let a few more through,
        // and untilLimited stops at the first 429, so all before the last are 200 and the last is 429
        assertThat(answersB.subList(0, PER_SECOND)).as("the first %d of a fresh token", PER_SECOND)
                .allSatisfy(answer -> assertThat(answer.statusCode()).isEqualTo(200));
        assertThat(answersB.subList(0, answersB.size() - 1))
                .allSatisfy(answer -> assertThat(answer.statusCode()).isEqualTo(200));
        // the burst's own 429 gives the wait: another request now could find a token refilled meanwhile
        HttpResponse<String> limitedB = answersB.get(answersB.size() - 1);
        assertThat(limitedB.statusCode()).as("the burst ends in 429").isEqualTo(429);

        assertThat(rules(token("c")).statusCode()).as("another token").isEqualTo(200);

        Thread.sleep(Long.parseLong(limitedB.headers().firstValue("retry-after").orElseThrow()) * 1000 + 100);
        assertThat(rules(token("b")).statusCode()).as("after Retry-After").isEqualTo(200);
    }

    @Test
    void without_a_token_the_client_is_its_address_and_health_probes_are_not_limited() {
        List<HttpResponse<String>> answers = untilLimited(null);
        assertThat(answers.get(answers.size() - 1).statusCode()).isEqualTo(429);

        for (int i = 0; i < 3 * PER_SECOND; i++) {
            assertThat(limited.get("/health/live").status()).isEqualTo(200);
        }
    }

    @Test
    void a_refused_decision_is_not_stored() {
        untilLimited(token("d"));
        String before = newestEvent();

        HttpResponse<String> response = limited.send(limited.to("/v1/decisions")
                .header("authorization", "Bearer " + token("d")).header("content-type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(Bodies.decision("worker").toString())));

        assertThat(response.statusCode()).isEqualTo(429);
        assertThat(newestEvent()).isEqualTo(before);
    }

    /** Read with a token not used before, so that reading never uses up a budget under test. */
    static String newestEvent() {
        HttpResponse<String> response = limited.send(limited.to("/v1/events?limit=1")
                .header("authorization", "Bearer " + token("reader-" + readerTokensUsed++)).GET());
        assertThat(response.statusCode()).isEqualTo(200);
        return reply(response).json().get("items").get(0).get("event_id").asText();
    }

    @Test
    void off_by_default_no_429_and_no_retry_after() {
        try (ConfiguredPdp unlimited = ConfiguredPdp.start(options -> options)) {
            for (int i = 0; i < 100; i++) {
                HttpResponse<String> response = unlimited.send(unlimited.to("/v1/rules").GET());
                assertThat(response.statusCode()).isEqualTo(200);
                assertThat(response.headers().firstValue("retry-after")).isEmpty();
            }
        }
    }

    @Test
    void a_negative_rate_or_timeout_is_refused() {
        PdpServer.Options options = new PdpServer.Options("127.0.0.1", 0, Path.of("data"), Path.of("rules"));
        assertThat(options.rateLimit()).isZero();
        assertThat(options.requestTimeoutMs()).isEqualTo(PdpServer.DEFAULT_REQUEST_TIMEOUT_MS);
        assertThatThrownBy(() -> options.withRateLimit(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> options.withRequestTimeoutMs(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    static Reply reply(HttpResponse<String> response) {
        return ConfiguredPdp.reply(response);
    }
}
