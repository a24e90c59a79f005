package org.execpolicy.pdp.api.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.UUID;
import org.execpolicy.pdp.json.Json;
import org.execpolicy.pdp.support.RunningPdp;

/** The fuzz tests' view of a running PDP: raw requests, and what every answer must look like. */
final class Api {
    static final Set<String> ERROR_TYPES =
            Set.of("invalid_request", "rate_limited", "runtime_unavailable", "timeout", "internal_error");

    private final RunningPdp pdp;
    private final String operatorToken;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    Api(RunningPdp pdp) {
        this.pdp = pdp;
        this.operatorToken = pdp.token("operator");
    }

    /** An answer, with what was sent, for messages. */
    record Answer(String request, int status, String contentType, String body) {
        JsonNode json() {
            try {
                return Json.MAPPER.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + this, e);
            }
        }

        boolean ok() {
            return status == 200 || status == 201;
        }

        @Override
        public String toString() {
            return "\n  sent:   " + request + "\n  answer: " + status + " " + contentType + " " + abbreviate(body);
        }
    }

    static String uid(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 13);
    }

    /** An id as one path segment. */
    static String pathSegment(String id) {
        return java.net.URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20");
    }

    static String abbreviate(String text) {
        return text.length() <= 1500 ? text : text.substring(0, 1500) + "... (" + text.length() + " chars)";
    }

    Answer send(String method, String path, String contentType, byte[] body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(pdp.baseUrl() + path))
                .timeout(Duration.ofSeconds(30))
                .header("authorization", "Bearer " + operatorToken) // fuzz as the operator: every route is reachable
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            request.header("content-type", contentType);
        }
        String sent = method + " " + path + " [" + contentType + "] "
                + (body == null ? "" : abbreviate(new String(body, StandardCharsets.UTF_8)));
        try {
            HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(sent, response.statusCode(), response.headers().firstValue("content-type").orElse(""),
                    response.body());
        } catch (IOException e) {
            throw new UncheckedIOException("no answer to " + sent, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    Answer post(String path, ObjectNode body) {
        return send("POST", path, "application/json", body.toString().getBytes(StandardCharsets.UTF_8));
    }

    Answer put(String path, ObjectNode body) {
        return send("PUT", path, "application/json", body.toString().getBytes(StandardCharsets.UTF_8));
    }

    Answer get(String path) {
        return send("GET", path, null, null);
    }

    /** The newest Flight Recorder record's id: unchanged means nothing was recorded. */
    String newestEvent() {
        Answer answer = get("/v1/events?limit=1");
        assertThat(answer.status()).as("%s", answer).isEqualTo(200);
        return answer.json().get("items").path(0).path("event_id").asText("");
    }

    /**
     * Every answer is a success or an RFC 9457 problem with a 4xx status and a known error kind;
     * never a 5xx, never a bare error page.
     */
    static void wellFormed(Answer answer) {
        assertThat(answer.status()).as("never a 5xx: %s", answer).isLessThan(500);
        if (answer.ok()) {
            assertThat(answer.contentType()).as("%s", answer).startsWith("application/json");
            return;
        }
        assertThat(answer.status()).as("a success or a 4xx: %s", answer).isBetween(400, 499);
        assertThat(answer.contentType()).as("a problem: %s", answer).startsWith("application/problem+json");
        JsonNode problem = answer.json();
        assertThat(problem.path("status").asInt()).as("%s", answer).isEqualTo(answer.status());
        assertThat(problem.path("title").asText()).as("%s", answer).isNotBlank();
        assertThat(problem.path("detail").asText()).as("%s", answer).isNotBlank();
        assertThat(problem.path("error_type").asText()).as("%s", answer).isIn(ERROR_TYPES);
        for (JsonNode error : problem.path("errors")) {
            assertThat(error.path("path").isTextual()).as("%s", answer).isTrue();
            assertThat(error.path("message").asText()).as("%s", answer).isNotBlank();
        }
        assertThat(answer.body()).as("a refused secret is not echoed: %s", answer).doesNotContain("hunter2");
    }

    /** A 200 decision can be read back as recorded, with its trace id. */
    void recorded(Answer decision, String eventBefore) {
        JsonNode answer = decision.json();
        String id = answer.path("decision_id").asText();
        assertThat(id).as("%s", decision).isNotBlank();
        assertThat(newestEvent()).as("a decision is recorded: %s", decision).isNotEqualTo(eventBefore);
        Answer stored = get("/v1/decisions/" + id);
        assertThat(stored.status()).as("GET the decision: %s", stored).isEqualTo(200);
        assertThat(stored.json().path("trace_id")).isEqualTo(answer.path("trace_id"));
    }
}
