package org.execpolicy.pdp.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.execpolicy.pdp.json.Json;
import org.execpolicy.pdp.support.FixtureRules;
import org.execpolicy.pdp.support.RunningPdp;
import org.junit.jupiter.api.Test;

/**
 * serve --request-timeout-ms N: a request not answered within N ms is answered 504 timeout, and
 * never a second time. The rules are a fixture whose every evaluation takes 300 ms, so a 100 ms
 * limit is exceeded every time, whatever the machine.
 */
class RequestTimeoutTest {
    private static final Path SLOW_RULES = FixtureRules.SLOW;
    private static final Pattern STATUS_LINE = Pattern.compile("HTTP/1\\.1 (\\d{3}) ");

    @Test
    void a_decision_slower_than_the_limit_is_504_timeout_answered_once_and_still_recorded() throws Exception {
        ObjectNode request = Bodies.decision("worker");
        String traceId = request.get("trace_id").asText();
        Path data;
        try (ConfiguredPdp pdp = ConfiguredPdp.start(options -> options.withRulesDir(SLOW_RULES)
                .withWarmupMs(0).withRequestTimeoutMs(100));
             Socket socket = new Socket("127.0.0.1", pdp.port())) {
            data = pdp.dataDir();
            socket.setSoTimeout(10_000);
            byte[] body = request.toString().getBytes(StandardCharsets.UTF_8);
            write(socket.getOutputStream(), "POST /v1/decisions HTTP/1.1\r\nhost: localhost\r\n"
                    + "content-type: application/json\r\ncontent-length: " + body.length + "\r\n\r\n", body);

            String first = readResponse(socket.getInputStream());
            assertThat(status(first)).as(first).isEqualTo(504);
            JsonNode problem = Json.MAPPER.readTree(first.substring(first.indexOf("\r\n\r\n") + 4));
            assertThat(problem.get("error_type").asText()).isEqualTo("timeout");
            assertThat(problem.get("detail").asText()).contains("time limit");

            // the evaluation had begun, so it is not cancelled: the decision is recorded all the same
            awaitRecorded(pdp, traceId);

            // and its late result is not written to the connection: the next answer on it is the
            // next request's own (responses on one connection come in request order)
            write(socket.getOutputStream(), "GET /health/live HTTP/1.1\r\nhost: localhost\r\n\r\n", new byte[0]);
            String second = readResponse(socket.getInputStream());
            assertThat(status(second)).as(second).isEqualTo(200);
            assertThat(second).doesNotContain("decision_id");
        }
        try (RunningPdp reopened = RunningPdp.start(data)) {
            JsonNode items = reopened.get("/v1/events?type=llm_exec_policy&trace_id=" + traceId).json().get("items");
            assertThat(items.size()).isEqualTo(1);
        }
    }

    @Test
    void with_the_default_limit_a_slow_decision_is_answered() {
        try (ConfiguredPdp pdp = ConfiguredPdp.start(options -> options.withRulesDir(SLOW_RULES).withWarmupMs(0))) {
            assertThat(pdp.post("/v1/decisions", Bodies.decision("worker").toString()).status()).isEqualTo(200);
        }
    }

    @Test
    void zero_turns_the_limit_off() {
        try (ConfiguredPdp pdp = ConfiguredPdp.start(options -> options.withRulesDir(SLOW_RULES)
                .withWarmupMs(0).withRequestTimeoutMs(0))) {
            assertThat(pdp.post("/v1/decisions", Bodies.decision("worker").toString()).status()).isEqualTo(200);
        }
    }

    private static void awaitRecorded(ConfiguredPdp pdp, String traceId) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
        while (pdp.get("/v1/events?type=llm_exec_policy&trace_id=" + traceId).json().get("items").isEmpty()) {
            assertThat(Instant.now()).as("decision of " + traceId + " recorded within 10 s").isBefore(deadline);
            Thread.sleep(20);
        }
    }

    private static void write(OutputStream out, String head, byte[] body) throws IOException {
        out.write(head.getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
    }

    /** One whole HTTP/1.1 response with a content-length body. */
    private static String readResponse(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed after: " + head.toString(StandardCharsets.ISO_8859_1));
            }
            head.write(b);
        }
        String headText = head.toString(StandardCharsets.ISO_8859_1);
        Matcher length = Pattern.compile("(?i)content-length: *(\\d+)").matcher(headText);
        int n = length.find() ? Integer.parseInt(length.group(1)) : 0;
        return headText + new String(in.readNBytes(n), StandardCharsets.UTF_8);
    }

    private static int status(String response) {
        Matcher m = STATUS_LINE.matcher(response);
        return m.lookingAt() ? Integer.parseInt(m.group(1)) : -1;
    }
}
