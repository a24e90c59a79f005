package org.execpolicy.pdp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.execpolicy.pdp.json.Json;
import org.execpolicy.pdp.support.ChildJvm;
import org.execpolicy.pdp.support.PdpProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real `java -jar target/pdp.jar serve` as an operator runs it. A decision
 * answered 200 is durable: kill -9 the server at a random moment while 16
 * clients are asking, restart it on the same data directory, and every
 * answered decision is still in the Flight Recorder with its rule firings and
 * the hash chain verifies; five rounds. SIGTERM stops it cleanly.
 */
class ServeProcessIT {
    private static final int CLIENTS = 16;
    private static final int ROUNDS = 5;
    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path data;

    @Test
    void every_answered_decision_survives_sigkill_and_the_chain_stays_intact_over_five_rounds() throws Exception {
        Random random = new Random();
        for (int round = 1; round <= ROUNDS; round++) {
            ConcurrentLinkedQueue<String> answered = new ConcurrentLinkedQueue<>();
            try (PdpProcess pdp = PdpProcess.startWithoutWarmup(data)) {
                AtomicBoolean killed = new AtomicBoolean();
                ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
                for (int c = 0; c < CLIENTS; c++) {
                    String client = round + "-" + c;
                    clients.submit(() -> {
                        for (int i = 0; !killed.get(); i++) {
                            try {
                                HttpResponse<String> reply = http.send(decision(pdp.baseUrl(), "kill9-" + client + "-" + i),
                                        HttpResponse.BodyHandlers.ofString());
                                if (reply.statusCode() == 200) {
                                    answered.add(Json.MAPPER.readTree(reply.body()).path("decision_id").asText());
                                }
                            } catch (Exception connectionLost) {
                                return null;
                            }
                        }
                        return null;
                    });
                }
                int killAfter = 50 + random.nextInt(400); // a random moment under load
                // a store that fails (503 to every decision) must fail the test, not hang it
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                while (answered.size() < killAfter) {
                    assertThat(System.nanoTime()).as("round %d: %d decisions answered 200 within 120 s, got %d", round,
                            killAfter, answered.size()).isLessThan(deadline);
                    Thread.sleep(5);
                }
                pdp.kill();
                killed.set(true);
                clients.shutdown();
                assertThat(clients.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
            }

            try (PdpProcess restarted = PdpProcess.startWithoutWarmup(data)) {
                List<String> missing = new ArrayList<>();
                for (String decisionId : answered) {
                    HttpResponse<String> reply = lookUp(restarted, decisionId);
                    JsonNode body = reply.statusCode() == 200 ? Json.MAPPER.readTree(reply.body()) : null;
                    if (body == null || body.path("rule_firings").isEmpty()) {
                        missing.add(decisionId + " (" + reply.statusCode() + ": " + reply.body() + ")");
                    }
                }
                assertThat(missing).as("round %d: answered 200 before the kill, missing after restart", round).isEmpty();
                JsonNode verify = Json.MAPPER.readTree(http.send(HttpRequest.newBuilder(
                        URI.create(restarted.baseUrl() + "/v1/recorder/verify")).build(),
                        HttpResponse.BodyHandlers.ofString()).body());
                assertThat(verify.path("intact").asBoolean()).as("round %d: %s", round, verify).isTrue();
                restarted.kill();
            }
        }
        Process verify = new ProcessBuilder(ChildJvm.java(
                "-jar", "target/pdp.jar", "recorder", "verify", "--data", data.toString()))
                .redirectErrorStream(true).start();
        String report = new String(verify.getInputStream().readAllBytes());
        assertThat(verify.waitFor()).as(report).isZero();
        assertThat(Json.MAPPER.readTree(report.substring(report.indexOf('{'))).path("records_checked").asLong())
                .isGreaterThan(ROUNDS * 50L);
    }

    /**
     * The decision as the restarted server has it. A 5xx is the server busy (a loaded machine can
     * time a request out), not an answer: asked again, up to five times; a 404 is an answer.
     */
    private HttpResponse<String> lookUp(PdpProcess pdp, String decisionId) throws Exception {
        HttpResponse<String> reply = null;
        for (int attempt = 0; attempt < 5 && (reply == null || reply.statusCode() >= 500); attempt++) {
            if (attempt > 0) {
                Thread.sleep(200);
            }
            reply = http.send(HttpRequest.newBuilder(URI.create(pdp.baseUrl() + "/v1/decisions/" + decisionId)).build(),
                    HttpResponse.BodyHandlers.ofString());
        }
        return reply;
    }

    @Test
    void sigterm_stops_the_server_and_keeps_what_it_answered() throws Exception {
        String decisionId;
        try (PdpProcess pdp = PdpProcess.startWithoutWarmup(data)) {
            HttpResponse<String> reply = http.send(decision(pdp.baseUrl(), "sigterm-1"),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(reply.statusCode()).isEqualTo(200);
            decisionId = Json.MAPPER.readTree(reply.body()).path("decision_id").asText();
            int exit = pdp.terminate();
            assertThat(exit).as("SIGTERM exit status").isIn(0, 143);
        }
        try (PdpProcess restarted = PdpProcess.startWithoutWarmup(data)) {
            HttpResponse<String> reply = http.send(HttpRequest.newBuilder(
                    URI.create(restarted.baseUrl() + "/v1/decisions/" + decisionId)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(reply.statusCode()).isEqualTo(200);
        }
    }

    private static HttpRequest decision(String baseUrl, String traceId) {
        String body = """
                {"trace_id":"%s","role":"worker","task_type":"chat","model_id":"m-7b",
                 "settings":{"exec_policy":{"mode":"layer_skip","exactness":"approximate"}}}""".formatted(traceId);
        return HttpRequest.newBuilder(URI.create(baseUrl + "/v1/decisions"))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }
}
