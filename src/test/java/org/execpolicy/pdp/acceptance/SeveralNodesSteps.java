package org.execpolicy.pdp.acceptance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cucumber.java.AfterAll;
import io.cucumber.java.en.Given;
import io.cucumber.java.en.Then;
import io.cucumber.java.en.When;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.execpolicy.pdp.api.PdpServer;
import org.execpolicy.pdp.json.Json;
import org.execpolicy.pdp.support.PostgresCluster;
import org.execpolicy.pdp.support.RunningPdp;
import org.execpolicy.pdp.support.RunningPdp.Reply;
import org.execpolicy.pdp.support.SyntheticTrace;

/**
 * Two real PDP nodes on one real, throwaway PostgreSQL (features/several_nodes.feature): started on
 * first use, stopped with the run.
 */
public class SeveralNodesSteps {
    private static PostgresCluster postgres;
    private static Map<String, RunningPdp> nodes;

    private String profileId;
    private JsonNode decision;
    private String uploaded;
    private Reply reply;
    private List<Reply> saves;
    private Map<Reply, String> savedName;

    @Given("^two PDP nodes \"([^\"]+)\" and \"([^\"]+)\" share one PostgreSQL database$")
    public void twoNodesShareOneDatabase(String a, String b) {
        synchronized (SeveralNodesSteps.class) {
            if (nodes == null) {
                assertThat(PostgresCluster.installed()).as("PostgreSQL 15 under %s", PostgresCluster.BIN).isTrue();
                postgres = PostgresCluster.start();
                Path tokens = RunningPdp.freshDataDir().resolve("tokens.json");
                nodes = Map.of(a, node("node-" + a, tokens), b, node("node-" + b, tokens));
            }
        }
    }

    private static RunningPdp node(String nodeId, Path tokens) {
        return RunningPdp.start(new PdpServer.Options("127.0.0.1", 0, RunningPdp.freshDataDir(), Path.of("rules"), false)
                .withStore(postgres.url(), nodeId, tokens));
    }

    @AfterAll
    public static synchronized void stopNodes() {
        if (nodes != null) {
            nodes.values().forEach(RunningPdp::close);
            nodes = null;
        }
        if (postgres != null) {
            postgres.close();
            postgres = null;
        }
    }

    @Given("^the worker is granted approximate execution under a waiver through node \"([^\"]+)\"$")
    public void theWorkerIsGrantedApproximateExecution(String node) {
        String waiver = uid("wv");
        Reply created = nodes.get(node).post("/v1/waivers", """
                {"waiver_id": "%s", "check_waived": "approximate_execution", "scope": {"roles": ["worker"]},
                 "justification": "several nodes", "approver": "ops-lead", "expires_at": "%s"}"""
                .formatted(waiver, java.time.Instant.now().plus(java.time.Duration.ofDays(30))
                        .truncatedTo(java.time.temporal.ChronoUnit.SECONDS)));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        profileId = uid("wp");
        ObjectNode profile = profile(profileId, "granted");
        ((ObjectNode) profile.get("model_assignments").get("worker")).set("compute", Json.parseObject("""
                {"speed_preset": "fast_approx", "approximate": {"allowed": true, "waiver_ref": "%s"}}""".formatted(waiver)));
        Reply saved = nodes.get(node).put("/v1/profiles/" + profileId, profile.toString());
        assertThat(saved.status()).as(saved.body()).isEqualTo(201);
    }

    @When("^the runtime asks node \"([^\"]+)\" for an approximate decision for the worker$")
    public void theRuntimeAsksForAnApproximateDecision(String node) {
        Reply answer = nodes.get(node).post("/v1/decisions", """
                {"trace_id": "%s", "role": "worker", "task_type": "chat", "model_id": "llama-7b", "backend": "local",
                 "profile_id": "%s"}""".formatted(uid("t"), profileId), null);
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        decision = answer.json();
        assertThat(decision.path("exactness").asText()).isEqualTo("approximate");
    }

    @When("^the runtime uploads a trace of (\\d+) tokens for it to node \"([^\"]+)\"$")
    public void theRuntimeUploadsATrace(int tokens, String node) {
        uploaded = SyntheticTrace.jsonl(SyntheticTrace.of(decision, tokens, "llama-7b"));
        RunningPdp pdp = nodes.get(node);
        reply = pdp.send(HttpRequest.newBuilder(URI.create(pdp.baseUrl() + decision.path("trace_artifact_ref").asText()))
                .header("content-type", "application/x-ndjson").PUT(HttpRequest.BodyPublishers.ofString(uploaded)));
    }

    @Then("^the upload is answered 201 with the SHA-256 of what was uploaded$")
    public void theUploadIsAnswered201() {
        assertThat(reply.status()).as(reply.body()).isEqualTo(201);
        assertThat(reply.json().path("trace_artifact_sha256").asText())
                .isEqualTo(org.execpolicy.pdp.json.Sha256.hex(uploaded.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    @Then("^node \"([^\"]+)\" serves the trace byte for byte$")
    public void nodeServesTheTrace(String node) {
        Reply served = nodes.get(node).get(decision.path("trace_artifact_ref").asText());
        assertThat(served.status()).as(served.body()).isEqualTo(200);
        assertThat(served.contentType()).startsWith("application/x-ndjson");
        assertThat(served.body()).isEqualTo(uploaded);
    }

    @When("^the same new work profile is saved through node \"([^\"]+)\" and node \"([^\"]+)\" at once$")
    public void theSameProfileIsSavedThroughBothAtOnce(String a, String b) throws Exception {
        profileId = uid("wp");
        // hold the registry version's row lock, as a third node's change in flight would: both saves read the
        // registry (no such profile yet) and wait at the lock; released, one commits and the other finds it
        try (Connection holder = DriverManager.getConnection(postgres.url())) {
            holder.setAutoCommit(false);
            try (Statement lock = holder.createStatement()) {
                lock.executeUpdate("UPDATE registry_version SET version = version WHERE id = 1");
            }
            CompletableFuture<Reply> throughA = CompletableFuture.supplyAsync(() ->
                    nodes.get(a).put("/v1/profiles/" + profileId, profile(profileId, "through " + a).toString()));
            CompletableFuture<Reply> throughB = CompletableFuture.supplyAsync(() ->
                    nodes.get(b).put("/v1/profiles/" + profileId, profile(profileId, "through " + b).toString()));
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (Integer.parseInt(postgres.psql("SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                    + " AND query LIKE '%registry_version%'").strip()) < 2) {
                assertThat(System.nanoTime()).as("both saves wait at the registry lock").isLessThan(deadline);
                Thread.sleep(20); // polling interval; the wait has a deadline and a condition
            }
            holder.rollback();
            Reply ra = throughA.get(30, TimeUnit.SECONDS);
            Reply rb = throughB.get(30, TimeUnit.SECONDS);
            saves = List.of(ra, rb);
            savedName = Map.of(ra, "through " + a, rb, "through " + b);
        }
    }

    @Then("^one save is answered 201 and the other 409 as a problem saying it was changed through another node$")
    public void oneSaveIs201AndTheOther409() {
        assertThat(saves).extracting(Reply::status).containsExactlyInAnyOrder(201, 409);
        Reply refused = saves.stream().filter(r -> r.status() == 409).findFirst().orElseThrow();
        assertThat(refused.contentType()).startsWith("application/problem+json");
        assertThat(refused.json().path("detail").asText()).contains("was changed through another node")
                .contains("nothing was stored");
    }

    @Then("^both nodes serve the profile of the save answered 201, with one version in its history$")
    public void bothNodesServeTheWinner() {
        Reply stored = saves.stream().filter(r -> r.status() == 201).findFirst().orElseThrow();
        for (RunningPdp node : nodes.values()) {
            long deadline = System.nanoTime() + 3_000_000_000L;
            Reply profile;
            do {
                profile = node.get("/v1/profiles/" + profileId);
            } while (profile.status() != 200 && System.nanoTime() < deadline);
            assertThat(profile.json().path("name").asText()).isEqualTo(savedName.get(stored));
            Reply history = node.get("/v1/profiles/" + profileId + "/history");
            assertThat(history.json().path("items").size()).as(history.body()).isEqualTo(1);
        }
    }

    private static ObjectNode profile(String id, String name) {
        return Json.parseObject("""
                {"schema_version": "hsk.work_profile@0.6", "profile_id": "%s", "name": "%s",
                 "governance": {"automation_level": "HYBRID", "allow_cloud_escalation": false},
                 "model_assignments": {
                   "frontend": {"primary_model_id": "llama-7b", "local_only": true},
                   "orchestrator": {"primary_model_id": "llama-7b", "local_only": true},
                   "validator": {"primary_model_id": "llama-7b", "local_only": true},
                   "worker": {"primary_model_id": "llama-7b", "local_only": true}}}""".formatted(id, name));
    }

    private static String uid(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
