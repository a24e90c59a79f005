package org.execpolicy.pdp.traces;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Stream;
import org.execpolicy.pdp.json.Json;
import org.execpolicy.pdp.support.FixtureRules;
import org.execpolicy.pdp.support.RunningPdp;
import org.execpolicy.pdp.support.SyntheticTrace;

/** What the trace and report tests share: a granting registry, decisions, traces, uploads, record lookups. */
final class Evidence {
    static final String WAIVER = "wv-traces";
    static final String PROFILE = "traces";

    private Evidence() {
    }

    /**
     * A fresh server on the fixture ruleset {@code waiver-gate} (src/test/resources/rulesets/README.md), telling
     * time by {@code clock}: it grants approximate execution only under the waiver the role's compute block names
     * and reserves a trace artifact, so these tests see the trace and report machinery whatever the shipped rules/
     * grant.
     */
    static RunningPdp start(Path dataDir, java.time.Clock clock, org.execpolicy.pdp.execution.TraceLimits limits) {
        return RunningPdp.start(dataDir, FixtureRules.WAIVER_GATE, clock, limits);
    }

    /** As {@link #start(Path, java.time.Clock, org.execpolicy.pdp.execution.TraceLimits)}, on the system clock and default limits. */
    static RunningPdp start(Path dataDir) {
        return start(dataDir, java.time.Clock.systemUTC(), org.execpolicy.pdp.execution.TraceLimits.defaults());
    }

    /**
     * A waiver and an active profile under which the worker runs layer_skip, approximate: its compute block asks
     * for it by exec_policy_override and names the waiver, which is what waiver-gate grants (a speed preset is
     * the shipped rules' business, not these tests').
     */
    static void grantApproximateToWorker(RunningPdp pdp) {
        ok(pdp.post("/v1/waivers", """
                {"waiver_id": "%s", "check_waived": "approximate_execution", "scope": {"roles": ["worker"]},
                 "justification": "trace tests", "approver": "ops-lead", "expires_at": "%s"}"""
                .formatted(WAIVER, inDays(300))), 201);
        ObjectNode profile = Json.parseObject("""
                {"schema_version": "hsk.work_profile@0.6", "governance": {"automation_level": "HYBRID", "allow_cloud_escalation": false}, "profile_id": "%s", "name": "traces",
                 "model_assignments": {
                   "frontend": {"primary_model_id": "llama-7b", "local_only": true},
                   "orchestrator": {"primary_model_id": "llama-7b", "local_only": true},
                   "validator": {"primary_model_id": "llama-7b", "local_only": true},
                   "worker": {"primary_model_id": "llama-7b", "local_only": true,
                              "allowed_models": ["meta-llama/Llama-2-7b-chat-hf"],
                              "compute": {"exec_policy_override": {"mode": "layer_skip", "exactness": "approximate"},
                                          "approximate": {"allowed": true, "waiver_ref": "%s"}}}}}"""
                .formatted(PROFILE, WAIVER));
        int saved = pdp.put("/v1/profiles/" + PROFILE, profile.toString()).status();
        if (saved != 200 && saved != 201) {
            throw new IllegalStateException("profile not saved: " + saved);
        }
        ok(pdp.post("/v1/profiles/" + PROFILE + "/activate", "{}"), 200);
    }

    /** An approximate decision for the worker (the profile's exec_policy_override, granted under the waiver). */
    static JsonNode approximateDecision(RunningPdp pdp) {
        return approximateDecision(pdp, "llama-7b");
    }

    /** An approximate decision for the worker about the given model. */
    static JsonNode approximateDecision(RunningPdp pdp, String modelId) {
        JsonNode decision = decide(pdp, """
                {"trace_id": "%s", "role": "worker", "task_type": "chat", "model_id": "%s", "backend": "local"}"""
                .formatted(uid("t"), modelId));
        if (!"approximate".equals(decision.path("exactness").asText())) {
            throw new IllegalStateException("expected an approximate decision: " + decision);
        }
        return decision;
    }

    /** An exact decision for the validator (its block asks for nothing: standard, exact): no trace reserved. */
    static JsonNode exactDecision(RunningPdp pdp) {
        return decide(pdp, """
                {"trace_id": "%s", "role": "validator", "task_type": "chat", "model_id": "llama-7b", "backend": "local"}"""
                .formatted(uid("t")));
    }

    static JsonNode decide(RunningPdp pdp, String request) {
        RunningPdp.Reply reply = pdp.send(HttpRequest.newBuilder(URI.create(pdp.baseUrl() + "/v1/decisions"))
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(request)));
        return ok(reply, 200).json();
    }

    /** A valid trace of n tokens for the decision: header, then records; each may be varied by the caller. */
    static List<ObjectNode> trace(JsonNode decision, int tokens) {
        return SyntheticTrace.of(decision, tokens);
    }

    static String jsonl(List<ObjectNode> lines) {
        return SyntheticTrace.jsonl(lines);
    }

    static RunningPdp.Reply upload(RunningPdp pdp, JsonNode decision, String body) {
        return upload(pdp, decision.path("trace_artifact_ref").asText(), body);
    }

    /** Uploads bytes as they are, e.g. ones that are not UTF-8. */
    static RunningPdp.Reply upload(RunningPdp pdp, JsonNode decision, byte[] body) {
        return pdp.send(HttpRequest.newBuilder(URI.create(pdp.baseUrl() + decision.path("trace_artifact_ref").asText()))
                .header("content-type", "application/x-ndjson")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    static RunningPdp.Reply upload(RunningPdp pdp, String ref, String body) {
        return pdp.send(HttpRequest.newBuilder(URI.create(pdp.baseUrl() + ref))
                .header("content-type", "application/x-ndjson")
                .PUT(HttpRequest.BodyPublishers.ofString(body)));
    }

    static RunningPdp.Reply report(RunningPdp pdp, String decisionId, String body) {
        return pdp.send(HttpRequest.newBuilder(URI.create(pdp.baseUrl() + "/v1/decisions/" + decisionId + "/report"))
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    /** The decision's records of one type, newest first. */
    static List<JsonNode> records(RunningPdp pdp, String type, String decisionId) {
        List<JsonNode> items = new ArrayList<>();
        ok(pdp.get("/v1/events?type=" + type + "&decision_id=" + decisionId + "&limit=500"), 200)
                .json().get("items").forEach(items::add);
        return items;
    }

    /** What is kept of traces: the artifacts in the store, and files under the data directory's traces/ (scratch). */
    static List<String> traceFiles(RunningPdp pdp) {
        List<String> kept = new java.util.ArrayList<>(storedArtifacts(pdp).stream().map(sha -> "store:" + sha).toList());
        Path root = pdp.dataDir().resolve("traces");
        if (!Files.exists(root)) {
            return kept;
        }
        try (Stream<Path> files = Files.walk(root)) {
            files.filter(Files::isRegularFile).forEach(file -> kept.add(file.toString()));
            return kept;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The SHA-256s of the artifacts in the server's store (trace_artifacts, V6), read over JDBC as an auditor would. */
    static List<String> storedArtifacts(RunningPdp pdp) {
        String url = "jdbc:h2:file:" + pdp.dataDir().toAbsolutePath().normalize().resolve("pdp");
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(url, "sa", "");
             java.sql.Statement s = c.createStatement();
             java.sql.ResultSet rows = s.executeQuery("SELECT sha256 FROM trace_artifacts ORDER BY sha256")) {
            List<String> shas = new java.util.ArrayList<>();
            while (rows.next()) {
                shas.add(rows.getString(1));
            }
            return shas;
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Asks until the answer is there: a liveness bound for background work, not a timing assertion. */
    static <T> T eventually(java.util.function.Supplier<T> ask, Function<T, Boolean> done) throws InterruptedException {
        long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        T answer = ask.get();
        while (!done.apply(answer) && System.nanoTime() < until) {
            Thread.sleep(50);
            answer = ask.get();
        }
        return answer;
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String sha256(String text) {
        return sha256(text.getBytes(StandardCharsets.UTF_8));
    }

    /** An expiry the server takes: waivers run at most 365 days. */
    static String inDays(long days) {
        return java.time.Instant.now().plus(Duration.ofDays(days)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                .toString();
    }

    static String uid(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    static RunningPdp.Reply ok(RunningPdp.Reply reply, int status) {
        if (reply.status() != status) {
            throw new IllegalStateException("expected " + status + " but was " + reply.status() + ": " + reply.body());
        }
        return reply;
    }
}
