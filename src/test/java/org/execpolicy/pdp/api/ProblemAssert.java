package org.execpolicy.pdp.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.execpolicy.pdp.support.RunningPdp.Reply;

/** An RFC 9457 problem with the given status and error kind. */
final class ProblemAssert {
    private ProblemAssert() {
    }

    static JsonNode problem(Reply reply, int status, String errorType) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(status);
        assertThat(reply.contentType()).startsWith("application/problem+json");
        JsonNode problem = reply.json();
        assertThat(problem.get("status").asInt()).isEqualTo(status);
        assertThat(problem.get("title").asText()).isNotBlank();
        assertThat(problem.get("detail").asText()).isNotBlank();
        assertThat(problem.get("error_type").asText()).isEqualTo(errorType);
        return problem;
    }
}
