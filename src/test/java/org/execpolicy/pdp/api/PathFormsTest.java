package org.execpolicy.pdp.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A path written in another form ("/v1/./events", "//", %-escapes, "x/..") is routed like its
 * plain form, so it must be checked like it: same scope, same rate limit.
 */
class PathFormsTest {
    static final List<String> EVENTS_IN_OTHER_FORMS = List.of(
            "/v1/./events", "/v1//events", "/v1/%65vents", "/v1/x/../events", "/health/../v1/events");

    @Test
    void every_form_of_a_path_needs_the_token_its_plain_form_needs() {
        try (ConfiguredPdp required = ConfiguredPdp.start(options -> options.withAuth(AuthMode.REQUIRED))) {
            assertThat(required.get("/v1/events?limit=1").status()).isEqualTo(401);
            for (String path : EVENTS_IN_OTHER_FORMS) {
                ProblemAssert.problem(required.get(path + "?limit=1"), 401, "invalid_request");
            }
            String decision = Bodies.decision("worker").toString();
            ProblemAssert.problem(required.post("/v1/./decisions", decision), 401, "invalid_request");
            // a write in another form is refused as a write, not failed as an internal error
            ProblemAssert.problem(required.post("/v1/./waivers", Bodies.waiver(Bodies.uid("wv")).toString()),
                    401, "invalid_request");
            String auditor = AccessTokens.secretOf(required.dataDir(), "auditor");
            assertThat(required.send(required.to("/v1/./events?limit=1").header("authorization", "Bearer " + auditor)
                    .GET()).statusCode()).as("the form still works with the right token").isEqualTo(200);
        }
    }

    @Test
    void a_path_dressed_as_a_health_probe_is_rate_limited_like_what_it_reaches() {
        try (ConfiguredPdp limited = ConfiguredPdp.start(options -> options.withRateLimit(1))) {
            List<Integer> statuses = new java.util.ArrayList<>();
            for (int i = 0; i < 4; i++) {
                statuses.add(limited.send(limited.to("/health/../v1/events?limit=1").GET()).statusCode());
            }
            assertThat(statuses).contains(429);
            for (int i = 0; i < 4; i++) {
                assertThat(limited.send(limited.to("/health/live").GET()).statusCode()).isEqualTo(200);
            }
        }
    }
}
