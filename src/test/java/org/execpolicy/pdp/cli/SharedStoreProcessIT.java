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
import org.execpolicy.pdp.support.PdpProcess;
import org.execpolicy.pdp.support.PostgresCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two real `serve` processes on one real PostgreSQL (SPEC 7), as an operator runs them: kill -9
 * one of them at a random moment while both are under load, start it again, and every decision
 * either node answered 200 is found through both, the killed node goes on with its own chain (its
 * next record follows the last it committed) and every chain verifies.
 */
class SharedStoreProcessIT {
    private static final int CLIENTS_A = 8;
    private static final int CLIENTS_B = 4;
    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path temp;

    @Test
    void a_node_killed_under_load_loses_no_answered_decision_and_continues_its_chain() throws Exception {
        assertThat(PostgresCluster.installed()).as("PostgreSQL 15 under %s", PostgresCluster.BIN).isTrue();
        try (PostgresCluster postgres = PostgresCluster.start()) {
            String[] asA = {"--database", postgres.url(), "--node-id", "node-a"};
            String[] asB = {"--database", postgres.url(), "--node-id", "node-b"};
            ConcurrentLinkedQueue<String> answered = new ConcurrentLinkedQueue<>();
            try (PdpProcess nodeB = PdpProcess.startWithoutWarmup(temp.resolve("b"), asB)) {
                try (PdpProcess nodeA = PdpProcess.startWithoutWarmup(temp.resolve("a"), asA)) {
                    AtomicBoolean stop = new AtomicBoolean();
                    ExecutorService clients = Executors.newFixedThreadPool(CLIENTS_A + CLIENTS_B);
                    ConcurrentLinkedQueue<String> answeredByA = new ConcurrentLinkedQueue<>();
                    for (int c = 0; c < CLIENTS_A + CLIENTS_B; c++) {
                        PdpProcess node = c < CLIENTS_A ? nodeA : nodeB;
                        String client = "client-" + c;
                        clients.submit(() -> load(node, client, stop, c2 -> {
                            answered.add(c2);
                            if (node == nodeA) {
                                answeredByA.add(c2);
                            }
                        }));
                    }
                    int killAfter = 100 + new Random().nextInt(300); // a random moment under load
                    long deadline = System.nanoTime() + 120_000_000_000L;
                    while (answeredByA.size() < killAfter) {
                        assertThat(System.nanoTime()).as("node A answered %d decisions", killAfter).isLessThan(deadline);
                        Thread.sleep(5);
                    }
                    nodeA.kill();
                    Thread.sleep(200); // node B goes on alone for a moment: a liveness pause, nothing asserted on it
                    stop.set(true);
                    clients.shutdown();
                    assertThat(clients.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
                }
                long committedByA = Long.parseLong(postgres.psql(
                        "SELECT COALESCE(MAX(chain_seq + record_count - 1), 0) FROM evidence WHERE node_id = 'node-a'")
                        .strip());

                try (PdpProcess restartedA = PdpProcess.startWithoutWarmup(temp.resolve("a"), asA)) {
                    for (PdpProcess reader : List.of(restartedA, nodeB)) {
                        List<String> missing = new ArrayList<>();
                        for (String decisionId : answered) {
                            HttpResponse<String> reply = http.send(HttpRequest.newBuilder(
                                    URI.create(reader.baseUrl() + "/v1/decisions/" + decisionId)).build(),
                                    HttpResponse.BodyHandlers.ofString());
                            JsonNode body = reply.statusCode() == 200 ? Json.MAPPER.readTree(reply.body()) : null;
                            if (body == null || body.path("rule_firings").isEmpty()) {
                                missing.add(decisionId);
                            }
                        }
                        assertThat(missing).as("answered 200, missing through %s", reader.baseUrl()).isEmpty();
                    }

                    HttpResponse<String> after = http.send(decision(restartedA, "after-restart"),
                            HttpResponse.BodyHandlers.ofString());
                    assertThat(after.statusCode()).as(after.body()).isEqualTo(200);
                    String afterId = Json.MAPPER.readTree(after.body()).path("decision_id").asText();
                    JsonNode record = Json.MAPPER.readTree(http.send(HttpRequest.newBuilder(URI.create(nodeB.baseUrl()
                            + "/v1/events?type=llm_exec_policy&decision_id=" + afterId)).build(),
                            HttpResponse.BodyHandlers.ofString()).body()).path("items").get(0);
                    assertThat(record.path("node_id").asText()).isEqualTo("node-a");
                    assertThat(record.path("chain_seq").asLong()).as("node A's chain goes on after its last record")
                            .isGreaterThan(committedByA);

                    JsonNode verify = Json.MAPPER.readTree(http.send(HttpRequest.newBuilder(
                            URI.create(nodeB.baseUrl() + "/v1/recorder/verify")).build(),
                            HttpResponse.BodyHandlers.ofString()).body());
                    assertThat(verify.path("intact").asBoolean()).as(verify.toPrettyString()).isTrue();
                    List<String> chains = new ArrayList<>();
                    verify.path("chains").forEach(chain -> chains.add(chain.path("node_id").asText()));
                    assertThat(chains).contains("node-a", "node-b");
                }
            }
            assertThat(CommandRun.of("recorder", "verify", "--database", postgres.url()).exit()).isZero();
        }
    }

    /** Asks {@code node} for decisions until told to stop or the node is gone; hands on each 200's decision_id. */
    private Void load(PdpProcess node, String client, AtomicBoolean stop, java.util.function.Consumer<String> answered) {
        for (int i = 0; !stop.get(); i++) {
            try {
                HttpResponse<String> reply = http.send(decision(node, client + "-" + i),
                        HttpResponse.BodyHandlers.ofString());
                if (reply.statusCode() == 200) {
                    answered.accept(Json.MAPPER.readTree(reply.body()).path("decision_id").asText());
                }
            } catch (Exception connectionLost) {
                return null;
            }
        }
        return null;
    }

    private static HttpRequest decision(PdpProcess node, String traceId) {
        String body = """
                {"trace_id":"%s","role":"worker","task_type":"chat","model_id":"m-7b",
                 "settings":{"exec_policy":{"mode":"layer_skip","exactness":"approximate"}}}""".formatted(traceId);
        return HttpRequest.newBuilder(URI.create(node.baseUrl() + "/v1/decisions"))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }
}
