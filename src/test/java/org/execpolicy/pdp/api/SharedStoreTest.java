package org.execpolicy.pdp.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.execpolicy.pdp.api.Bodies.decision;
import static org.execpolicy.pdp.api.Bodies.uid;
import static org.execpolicy.pdp.api.Steps.decide;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.ArrayList;
import java.util.List;
import org.execpolicy.pdp.cli.CommandRun;
import org.execpolicy.pdp.recorder.TraceArtifacts;
import org.execpolicy.pdp.support.FixtureRules;
import org.execpolicy.pdp.support.PostgresCluster;
import org.execpolicy.pdp.support.RunningPdp;
import org.execpolicy.pdp.support.RunningPdp.Reply;
import org.execpolicy.pdp.support.SyntheticTrace;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Two PDP nodes on one real PostgreSQL (SPEC 7): each writes its own chain, any node answers any
 * read (trace artifacts included), the registry changed through one governs the other's decisions
 * within 1 second, and one profile saved through both at once is stored once, the other save a 409.
 * Both nodes run the waiver-gate fixture ruleset (approximate only under a waiver in the registry, approved
 * and not revoked): the sync is seen through a decision's answer whatever the shipped governance decides.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class) // the last ones truncate a chain and stop PostgreSQL
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
        writeTokens(tokens);
        nodeA = node("node-a", tokens);
        nodeB = node("node-b", tokens);
    }

    /** The usual token per scope, and a second operator: a waiver granted by one is approved by the other. */
    static void writeTokens(Path file) {
        com.fasterxml.jackson.databind.node.ObjectNode root = org.execpolicy.pdp.json.Json.object();
        var tokens = root.putArray("tokens");
        for (String[] token : new String[][] {{"operator", "operator"}, {"second-operator", "operator"},
                {"runtime", "runtime"}, {"auditor", "auditor"}}) {
            tokens.addObject().put("name", token[0]).put("token", "pdp_" + token[0] + "_" + uid("secret"))
                    .set("scopes", org.execpolicy.pdp.json.Json.array(List.of(token[1])));
        }
        try {
            java.nio.file.Files.writeString(file, root.toString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static RunningPdp node(String nodeId, Path tokens) {
        return RunningPdp.start(new PdpServer.Options("127.0.0.1", 0, RunningPdp.freshDataDir(), FixtureRules.WAIVER_GATE,
                false)
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
    @Order(1)
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

        // the offline commands read the shared store with the same flag, no data directory needed
        assertThat(CommandRun.of("recorder", "verify", "--database", postgres.url()).exit()).isEqualTo(0);
        CommandRun replay = CommandRun.of("replay", "--database", postgres.url(), "--decision",
                throughB.get("decision_id").asText());
        assertThat(replay.exit()).as(replay.err()).isEqualTo(0);
    }

    @Test
    @Order(2)
    void a_profile_a_decision_used_on_one_node_cannot_be_changed_through_the_other() {
        String used = uid("wp");
        String unused = uid("wp");
        ObjectNode profile = Bodies.profile(used);
        Steps.putProfile(nodeA, profile);
        Steps.putProfile(nodeA, Bodies.profile(unused));
        decide(nodeA, decision("worker", used));
        ObjectNode changed = profile.deepCopy().put("description", "changed through node B");

        Reply refused = nodeB.put("/v1/profiles/" + used, changed.toString());
        Reply replaced = nodeB.put("/v1/profiles/" + unused,
                Bodies.profile(unused).put("description", "replaced through node B").toString());

        assertThat(refused.status()).as(refused.body()).isEqualTo(409);
        assertThat(refused.contentType()).startsWith("application/problem+json");
        assertThat(refused.json().get("error_type").asText()).isEqualTo("invalid_request");
        assertThat(refused.json().get("detail").asText()).contains("new profile_id");
        for (RunningPdp node : List.of(nodeA, nodeB)) {
            assertThat(node.get("/v1/profiles/" + used).json()).as("unchanged").isEqualTo(profile);
            assertThat(node.get("/v1/profiles/" + used + "/history").json().get("items")).hasSize(1);
        }
        assertThat(replaced.status()).as("a profile no decision used: %s", replaced.body()).isEqualTo(200);
        assertThat(Steps.texts(nodeB.get("/v1/profiles").json().get("used_profile_ids"))).contains(used)
                .doesNotContain(unused);
    }

    @Test
    @Order(2)
    void a_waiver_revoked_through_one_node_is_honoured_by_the_other_within_a_second() {
        String waiver = uid("wv");
        String wp = profileUnderWaiver(Bodies.waiver(waiver));
        JsonNode before = decideWithin(nodeB, wp, answer -> !reasons(answer).contains("WAIVER_REVOKED"));
        assertThat(before.path("waiver_ref").asText()).isEqualTo(waiver);

        Steps.revoke(nodeA, waiver, "model drifted");
        long revoked = System.nanoTime();
        JsonNode after = decideWithin(nodeB, wp, answer -> reasons(answer).contains("WAIVER_REVOKED"));
        long tookMs = (System.nanoTime() - revoked) / 1_000_000;

        assertThat(reasons(after)).containsExactly("WAIVER_REVOKED");
        assertThat(after.path("exactness").asText()).isEqualTo("exact");
        assertThat(recordOf(nodeA, after).get("registry_version").asLong()).as("the version node B decided with")
                .isGreaterThan(recordOf(nodeA, before).get("registry_version").asLong());
        assertThat(tookMs).as("node B honoured the revocation after %d ms", tookMs).isLessThan(1_000);
    }

    @Test
    @Order(2)
    void a_waiver_approved_through_one_node_governs_the_other_within_a_second() {
        String waiver = uid("wv");
        String wp = profileUnderWaiver(Bodies.waiver(waiver).put("risk", "MEDIUM"));
        JsonNode pending = decideWithin(nodeB, wp, answer -> reasons(answer).contains("WAIVER_PENDING"));
        // node B knows who granted it: the same operator is refused there too
        Reply same = nodeB.post("/v1/waivers/" + waiver + "/approve", "", nodeB.token("operator"));
        assertThat(same.status()).as(same.body()).isEqualTo(403);

        Reply approved = nodeB.post("/v1/waivers/" + waiver + "/approve", "", nodeB.token("second-operator"));
        assertThat(approved.status()).as(approved.body()).isEqualTo(200);
        long at = System.nanoTime();
        JsonNode after = decideWithin(nodeA, wp, answer -> waiver.equals(answer.path("waiver_ref").asText(null)));
        long tookMs = (System.nanoTime() - at) / 1_000_000;

        assertThat(reasons(after)).doesNotContain("WAIVER_PENDING");
        assertThat(recordOf(nodeA, after).get("registry_version").asLong())
                .isGreaterThan(recordOf(nodeA, pending).get("registry_version").asLong());
        assertThat(tookMs).as("node A honoured the approval after %d ms", tookMs).isLessThan(1_000);
        assertThat(nodeA.get("/v1/waivers/" + waiver).json().get("approved_by").asText()).isEqualTo("second-operator");
    }

    @Test
    @Order(3)
    void a_trace_uploaded_through_one_node_is_served_by_the_other_from_the_shared_store() {
        String wp = profileUnderWaiver(Bodies.waiver(uid("wv")));
        JsonNode decided = decideWithin(nodeA, wp, answer -> "approximate".equals(answer.path("exactness").asText()));
        // larger than one stored chunk: stored and served in several
        String body = SyntheticTrace.jsonl(SyntheticTrace.of(decided, 6_000, "model-worker"));
        assertThat(body.length()).isGreaterThan(2 * TraceArtifacts.CHUNK_BYTES);
        String ref = decided.get("trace_artifact_ref").asText();

        Reply attached = nodeA.send(HttpRequest.newBuilder(URI.create(nodeA.baseUrl() + ref))
                .header("content-type", "application/x-ndjson").PUT(HttpRequest.BodyPublishers.ofString(body)));
        assertThat(attached.status()).as(attached.body()).isEqualTo(201);

        Reply served = nodeB.get(ref);
        assertThat(served.status()).as(served.body()).isEqualTo(200);
        assertThat(served.contentType()).startsWith("application/x-ndjson");
        assertThat(served.body()).isEqualTo(body);
        String sha256 = attached.json().get("trace_artifact_sha256").asText();
        assertThat(postgres.psql("SELECT bytes || ' ' || chunks FROM trace_artifacts WHERE sha256 = '" + sha256 + "'")
                .strip()).isEqualTo(body.length() + " " + (body.length() + TraceArtifacts.CHUNK_BYTES - 1)
                / TraceArtifacts.CHUNK_BYTES);
        // the upload's scratch file is gone from the uploading node's data directory
        assertThat(nodeA.dataDir().resolve("traces/incoming").toFile().list()).isEmpty();
    }

    @Test
    @Order(4)
    void the_same_profile_saved_through_both_nodes_at_once_is_stored_once_and_the_other_save_is_a_409()
            throws Exception {
        String wp = uid("wp");
        ObjectNode throughA = Bodies.profile(wp);
        throughA.put("name", "saved through node A");
        ObjectNode throughB = Bodies.profile(wp);
        throughB.put("name", "saved through node B");
        List<Reply> answers;
        // hold the registry version's row lock, as a third node's change in flight would: both saves read the
        // registry (no such profile yet), then wait at the lock; released, one commits and the other finds it
        try (Connection holder = DriverManager.getConnection(postgres.url())) {
            holder.setAutoCommit(false);
            try (Statement lock = holder.createStatement()) {
                lock.executeUpdate("UPDATE registry_version SET version = version WHERE id = 1");
            }
            CompletableFuture<Reply> a = CompletableFuture.supplyAsync(
                    () -> nodeA.put("/v1/profiles/" + wp, throughA.toString()));
            CompletableFuture<Reply> b = CompletableFuture.supplyAsync(
                    () -> nodeB.put("/v1/profiles/" + wp, throughB.toString()));
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (waitingForALock() < 2) {
                assertThat(System.nanoTime()).as("both saves wait at the registry lock").isLessThan(deadline);
                pause(20);
            }
            holder.rollback();
            answers = List.of(a.get(30, TimeUnit.SECONDS), b.get(30, TimeUnit.SECONDS));
        }

        assertThat(answers).extracting(Reply::status).containsExactlyInAnyOrder(201, 409);
        Reply refused = answers.stream().filter(r -> r.status() == 409).findFirst().orElseThrow();
        assertThat(ProblemAssert.problem(refused, 409, "invalid_request").get("detail").asText())
                .contains("profile '" + wp + "' was changed through another node").contains("nothing was stored");
        String winner = answers.get(0).status() == 201 ? "saved through node A" : "saved through node B";
        for (RunningPdp reader : List.of(nodeA, nodeB)) {
            long deadline = System.nanoTime() + 3_000_000_000L;
            Reply stored;
            do {
                stored = reader.get("/v1/profiles/" + wp);
            } while (stored.status() != 200 && System.nanoTime() < deadline);
            assertThat(stored.json().get("name").asText()).isEqualTo(winner);
        }
        assertThat(postgres.psql("SELECT COUNT(*) FROM profile_versions WHERE profile_id = '" + wp + "'").strip())
                .as("one version in the profile's history").isEqualTo("1");
        // a save after it, through the refused node, is the profile's second version
        RunningPdp loser = answers.get(0).status() == 409 ? nodeA : nodeB;
        Reply retried = loser.put("/v1/profiles/" + wp, (answers.get(0).status() == 409 ? throughA : throughB).toString());
        assertThat(retried.status()).as("the profile exists: an update, %s", retried.body()).isEqualTo(200);
        assertThat(postgres.psql("SELECT COUNT(*) FROM profile_versions WHERE profile_id = '" + wp + "'").strip())
                .isEqualTo("2");
    }

    /** Sessions of the test cluster waiting for a row lock (the registry version's). */
    private static int waitingForALock() {
        return Integer.parseInt(postgres.psql("SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                + " AND query LIKE '%registry_version%'").strip());
    }

    @Test
    @Order(5)
    void a_node_signs_its_chain_head_within_10_s_and_records_removed_from_its_end_are_caught() {
        Path tokens = RunningPdp.freshDataDir().resolve("tokens.json");
        RunningPdp nodeC = node("node-c", tokens);
        long headSeq;
        try {
            decide(nodeC, decision("worker"));
            JsonNode last = decide(nodeC, decision("worker"));
            headSeq = recordOf(nodeA, last).get("chain_seq").asLong();
            long deadline = System.nanoTime() + 12_000_000_000L;
            while (signedThrough("node-c") < headSeq) {
                assertThat(System.nanoTime()).as("node-c signed chain_seq %d within 10 s", headSeq).isLessThan(deadline);
                pause(200);
            }
        } finally {
            nodeC.close();
        }
        // the decision's unit (the decision and its firings) is the chain's last: remove it as an attacker would
        postgres.psql("DELETE FROM evidence WHERE node_id = 'node-c' AND chain_seq ="
                + " (SELECT MAX(chain_seq) FROM evidence WHERE node_id = 'node-c')");

        JsonNode report = nodeA.get("/v1/recorder/verify").json();

        assertThat(report.get("intact").asBoolean()).as(report.toPrettyString()).isFalse();
        JsonNode broken = report.get("first_broken");
        assertThat(broken.get("node_id").asText()).isEqualTo("node-c");
        assertThat(broken.get("reason").asText()).isEqualTo("records removed from the chain's end");
        assertThat(CommandRun.of("recorder", "verify", "--database", postgres.url()).exit()).isEqualTo(1);
    }

    @Test
    @Order(6)
    void with_postgresql_stopped_decisions_and_readiness_are_503_and_both_recover_when_it_is_back() {
        decide(nodeA, decision("worker"));
        postgres.stopServer();
        try {
            Reply refused = nodeA.post("/v1/decisions", decision("worker").toString());
            assertThat(refused.status()).as(refused.body()).isEqualTo(503);
            assertThat(nodeA.get("/health/ready").status()).isEqualTo(503);
        } finally {
            postgres.startServer();
        }
        long deadline = System.nanoTime() + 15_000_000_000L;
        Reply answer;
        do {
            answer = nodeA.post("/v1/decisions", decision("worker").toString());
            if (answer.status() == 200) {
                break;
            }
            pause(200);
        } while (System.nanoTime() < deadline);
        assertThat(answer.status()).as("a decision after PostgreSQL is back: %s", answer.body()).isEqualTo(200);
        assertThat(nodeA.get("/health/ready").status()).isEqualTo(200);
        assertThat(nodeB.get("/v1/decisions/" + answer.json().get("decision_id").asText()).status()).isEqualTo(200);
    }

    private static long signedThrough(String nodeId) {
        String max = postgres.psql("SELECT COALESCE(MAX(chain_seq), 0) FROM chain_checkpoints WHERE node_id = '"
                + nodeId + "'").strip();
        return Long.parseLong(max);
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis); // polling interval only: every wait here has a deadline and a condition
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Grants the waiver and saves, through node A, a profile whose worker asks for approximate layer_skip
     * under it (its exec_policy_override); its id.
     */
    private static String profileUnderWaiver(com.fasterxml.jackson.databind.node.ObjectNode waiver) {
        Steps.createWaiver(nodeA, waiver);
        String wp = uid("wp");
        Steps.putProfile(nodeA, Bodies.profile(wp, "worker",
                Bodies.approximateOverrideAllowed(waiver.path("waiver_id").asText())));
        return wp;
    }

    /** Decides through {@code node} until {@code done} holds, for at most 3 s; returns the answer that held. */
    private static JsonNode decideWithin(RunningPdp node, String profileId,
                                         java.util.function.Predicate<JsonNode> done) {
        long deadline = System.nanoTime() + 3_000_000_000L;
        Reply answer;
        do {
            // 422 until the node has seen the profile another node saved
            answer = node.post("/v1/decisions", decision("worker", profileId).toString());
            if (answer.status() == 200 && done.test(answer.json())) {
                return answer.json();
            }
        } while (System.nanoTime() < deadline);
        throw new AssertionError("not within 3 s; last answer: " + answer);
    }

    private static List<String> reasons(JsonNode answer) {
        return Steps.texts(answer.get("reason_codes"));
    }

    private static String nodeIdOfDecision(RunningPdp reader, JsonNode answer) {
        return recordOf(reader, answer).get("node_id").asText();
    }

    /** The llm_exec_policy record of an answered decision, as {@code reader} serves it. */
    private static JsonNode recordOf(RunningPdp reader, JsonNode answer) {
        Reply events = reader.get("/v1/events?type=llm_exec_policy&decision_id=" + answer.get("decision_id").asText());
        assertThat(events.status()).as(events.body()).isEqualTo(200);
        return events.json().get("items").get(0);
    }
}
