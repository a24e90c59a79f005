package org.execpolicy.pdp.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

/** HEAD is GET without the body (RFC 9110 9.3.2): same status and headers, same access rules. */
class HeadRequestTest {

    @Test
    void head_answers_as_get_does_without_a_body() {
        try (ConfiguredPdp pdp = ConfiguredPdp.start(options -> options)) {
            for (String path : List.of("/health/ready", "/v1/events?limit=1", "/v1/events?limit=abc",
                    "/v1/decisions/no-such-decision", "/openapi.yaml", "/")) {
                HttpResponse<String> get = pdp.send(pdp.to(path).GET());
                HttpResponse<String> head = pdp.send(pdp.to(path).method("HEAD", HttpRequest.BodyPublishers.noBody()));

                assertThat(head.statusCode()).as(path).isEqualTo(get.statusCode());
                assertThat(head.headers().firstValue("content-type")).as(path)
                        .isEqualTo(get.headers().firstValue("content-type"));
                assertThat(head.body()).as(path).isEmpty();
                assertThat(get.body()).as(path).isNotEmpty();
            }
        }
    }

    @Test
    void head_needs_the_token_get_needs_and_a_path_without_get_refuses_it() {
        try (ConfiguredPdp pdp = ConfiguredPdp.start(options -> options.withAuth(AuthMode.REQUIRED))) {
            HttpResponse<String> events = pdp.send(pdp.to("/v1/events").method("HEAD", HttpRequest.BodyPublishers.noBody()));
            assertThat(events.statusCode()).isEqualTo(401);

            HttpResponse<String> decisions = pdp.send(pdp.to("/v1/decisions")
                    .method("HEAD", HttpRequest.BodyPublishers.noBody()));
            assertThat(decisions.statusCode()).isEqualTo(405);
            assertThat(decisions.headers().firstValue("allow")).contains("POST");
        }
    }
}
