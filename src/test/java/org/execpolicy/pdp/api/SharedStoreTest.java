package org.execpolicy.pdp.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.execpolicy.pdp.api.Bodies.decision;
import static org.execpolicy.pdp.api.Steps.decide;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.execpolicy.pdp.support.PostgresCluster;
import org.execpolicy.pdp.support.RunningPdp;
import org.execpolicy.pdp.support.RunningPdp.Reply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two PDP nodes on one real PostgreSQL (SPEC 7): each writes its own chain, any node answers any
 * read, and the registry changed through one governs the other's decisions within 1 second.
 */
class SharedStoreTest {
    private static PostgresCluster postgres;
    private static RunningPdp nodeA;
    private static RunningPdp nodeB;

    @BeforeAll
    static void start() {
        assertThat(PostgresCluster.installed()).as("PostgreSQL 15 binaries under %s (.ci/run installs them)",
                PostgresCluster.BIN).isTrue();
        postgres = PostgresCluster.start();
        Path tokens = RunningPdp.freshDataDir().resolve("tokens.json");
        nodeA = node("node-a", tokens);
        nodeB = node("node-b", tokens);
    }

    static RunningPdp node(String nodeId, Path tokens) {
        return RunningPdp.start(new PdpServer.Options("127.0.0.1", 0, RunningPdp.freshDataDir(), Path.of("rules"), false)
                .withStore(postgres.url(), nodeId, tokens));
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable closeable : new AutoCloseable[] {nodeA, nodeB, postgres}) {
            try {
                if (closeable != null) {
                    closeable.close();
                }
            } catch (Exception e) {
                // keep closing the others
            }
        }
    }

    @Test
    void each_node_reads_the_evidence_the_other_wrote_and_both_chains_verify() {
        JsonNode throughA = decide(nodeA, decision("worker"));
        JsonNode throughB = decide(nodeB, decision("worker"));

        for (RunningPdp reader : List.of(nodeA, nodeB)) {
            for (JsonNode answer : List.of(throughA, throughB)) {
                String id = answer.get("decision_id").asText();
                Reply stored = reader.get("/v1/decisions/" + id);
                assertThat(stored.status()).as("GET decision %s: %s", id, stored.body()).isEqualTo(200);
                assertThat(stored.json().toString()).contains(id);
                Reply events = reader.get("/v1/events?decision_id=" + id);
                assertThat(events.status()).as(events.body()).isEqualTo(200);
                assertThat(events.json().get("items").size()).isPositive();
            }
        }
        assertThat(nodeIdOfDecision(nodeB, throughA)).isEqualTo("node-a");
        assertThat(nodeIdOfDecision(nodeA, throughB)).isEqualTo("node-b");

        Reply verify = nodeB.get("/v1/recorder/verify");
        assertThat(verify.status()).as(verify.body()).isEqualTo(200);
        JsonNode report = verify.json();
        assertThat(report.get("intact").asBoolean()).as(report.toPrettyString()).isTrue();
        List<String> chains = new ArrayList<>();
        report.get("chains").forEach(chain -> {
            chains.add(chain.get("node_id").asText());
            assertThat(chain.get("first_broken").isNull()).as(chain.toString()).isTrue();
        });
        assertThat(chains).contains("node-a", "node-b");
    }

    private static String nodeIdOfDecision(RunningPdp reader, JsonNode answer) {
        Reply events = reader.get("/v1/events?type=llm_exec_policy&decision_id=" + answer.get("decision_id").asText());
        return events.json().get("items").get(0).get("node_id").asText();
    }
}
