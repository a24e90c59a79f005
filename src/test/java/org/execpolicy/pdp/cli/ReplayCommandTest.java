package org.execpolicy.pdp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.execpolicy.pdp.engine.Ruleset;
import org.execpolicy.pdp.json.Json;
import org.execpolicy.pdp.recorder.Database;
import org.execpolicy.pdp.recorder.FlightRecorder;
import org.execpolicy.pdp.support.FixtureRules;
import org.execpolicy.pdp.support.RunningPdp;
import org.execpolicy.pdp.support.RunningPdp.Reply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `replay`: a recorded decision re-evaluated offline from its recorded inputs and ruleset. */
class ReplayCommandTest {
    private static final String SECRET = "SECRET-PROMPT-do-not-store-4711";
    private static final String WAIVER = """
            {"waiver_id":"wv-1","check_waived":"approximate_execution","scope":{"roles":["worker"]},
             "justification":"latency SLO","approver":"ops-lead","expires_at":"%s"}"""
            .formatted(java.time.Instant.now().plus(java.time.Duration.ofDays(300))
                    .truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
    /** The profile "fast"; the worker's compute block is the %s. */
    private static final String PROFILE_WITH_WORKER_COMPUTE = """
            {"schema_version":"hsk.work_profile@0.6","governance":{"automation_level":"HYBRID","allow_cloud_escalation":false},"profile_id":"fast","name":"Fast worker","model_assignments":{
              "frontend":{"primary_model_id":"m-7b","local_only":true},
              "orchestrator":{"primary_model_id":"m-7b","local_only":true},
              "validator":{"primary_model_id":"m-7b","local_only":true},
              "worker":{"primary_model_id":"m-7b","local_only":true,"compute":%s}}}""";
    /** The worker's preset is the %s, approximate allowed under wv-1. */
    private static final String PROFILE = PROFILE_WITH_WORKER_COMPUTE.formatted(
            "{\"speed_preset\":\"%s\",\"approximate\":{\"allowed\":true,\"waiver_ref\":\"wv-1\"}}");
    /** The worker asks for approximate layer_skip under wv-1: the waiver-gate fixture grants it while wv-1 stands. */
    private static final String PROFILE_UNDER_WAIVER = PROFILE_WITH_WORKER_COMPUTE.formatted("""
            {"exec_policy_override":{"mode":"layer_skip","exactness":"approximate"},
             "approximate":{"allowed":true,"waiver_ref":"wv-1"}}""");
    private static final String REQUEST = """
            {"trace_id":"%s","role":"worker","task_type":"chat","model_id":"m-7b","backend":"local",
             "runtime":{"supported_modes":["standard","spec_decode","layer_skip"]},
             "settings":{"temperature":0.7,"prompt":"%s","system":"%s"}}""";

    @TempDir
    Path data;

    private static Reply ok(Reply reply) {
        assertThat(reply.status()).as(reply.body()).isBetween(200, 201);
        return reply;
    }

    private static JsonNode decide(RunningPdp pdp, String traceId) {
        return ok(pdp.post("/v1/decisions", REQUEST.formatted(traceId, SECRET, SECRET))).json();
    }

    private JsonNode replay(String decisionId, int expectedExit, String... more) {
        List<String> args = new ArrayList<>(List.of("replay", "--data", data.toString(), "--decision", decisionId));
        args.addAll(List.of(more));
        CommandRun run = CommandRun.of(args.toArray(String[]::new));
        assertThat(run.exit()).as(run.out() + run.err()).isEqualTo(expectedExit);
        return run.out().isBlank() ? null : Json.parseObject(run.out());
    }

    // On the waiver-gate fixture (approximate only under a waiver in the registry and not revoked), so that no
    // change to the shipped governance changes what is replayed; replay reads the ruleset the decision recorded.
    @Test
    void a_decision_replays_with_its_recorded_inputs_even_after_the_waiver_is_revoked() throws SQLException {
        JsonNode granted;
        try (RunningPdp pdp = RunningPdp.start(data, FixtureRules.WAIVER_GATE, false)) {
            ok(pdp.post("/v1/waivers", WAIVER));
            ok(pdp.put("/v1/profiles/fast", PROFILE_UNDER_WAIVER));
            ok(pdp.post("/v1/profiles/fast/activate", ""));
            granted = decide(pdp, "trace-granted");
        }
        assertThat(granted.path("exactness").asText()).isEqualTo("approximate");
        assertThat(granted.path("waiver_ref").asText()).isEqualTo("wv-1");
        String grantedId = granted.path("decision_id").asText();

        JsonNode report = replay(grantedId, 0);
        assertThat(report.path("match").asBoolean()).isTrue();
        assertThat(report.path("ruleset_present").asBoolean()).isTrue();
        assertThat(report.path("replayed_with_digest").asText()).isEqualTo(granted.path("ruleset").path("digest").asText());
        assertThat(report.path("recorded_effective_policy_hash").asText())
                .isEqualTo(granted.path("effective_policy_hash").asText())
                .isEqualTo(report.path("replayed_effective_policy_hash").asText());
        assertThat(report.path("differences")).isEmpty();
        assertThat(report.path("notes")).isEmpty();

        JsonNode revoked;
        try (RunningPdp pdp = RunningPdp.start(data, FixtureRules.WAIVER_GATE, false)) {
            ok(pdp.post("/v1/waivers/wv-1/revoke", "{}"));
            revoked = decide(pdp, "trace-revoked");
        }
        // the premise: revoking the waiver changed the answer
        assertThat(revoked.path("reason_codes").toString()).isEqualTo("[\"WAIVER_REVOKED\"]");
        assertThat(revoked.path("effective_policy_hash").asText()).isNotEqualTo(granted.path("effective_policy_hash").asText());

        JsonNode old = replay(grantedId, 0); // the recorded waiver snapshot, not today's registry
        assertThat(old.path("match").asBoolean()).isTrue();
        assertThat(old.path("replayed_effective_policy_hash").asText()).isEqualTo(granted.path("effective_policy_hash").asText());
        JsonNode later = replay(revoked.path("decision_id").asText(), 0);
        assertThat(later.path("replayed_effective_policy_hash").asText()).isEqualTo(revoked.path("effective_policy_hash").asText());

        // The settings bag's other keys are stored nowhere: neither in records nor in snapshots.
        // (the evidence is stored deflated: every record is read back whole, as an export gives it)
        try (Database db = Database.open(data); FlightRecorder recorder = new FlightRecorder(db)) {
            java.io.StringWriter all = new java.io.StringWriter();
            assertThat(recorder.export(null, null, all)).isPositive();
            assertThat(all.toString()).doesNotContain(SECRET).doesNotContain("\"temperature\"");
        }
        try (Database db = Database.open(data); Connection c = db.connection(); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT body FROM input_snapshots")) {
                while (rs.next()) {
                    assertThat(rs.getString(1)).doesNotContain(SECRET).doesNotContain("\"temperature\"");
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM input_snapshots")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(3); // profile, waiver, revoked waiver: each once
            }
        }
    }

    @Test
    void the_recorded_inputs_are_the_sanitized_request_and_snapshot_hashes() {
        JsonNode decision;
        try (RunningPdp pdp = RunningPdp.start(data)) {
            decision = decide(pdp, "trace-inputs");
            JsonNode record = pdp.get("/v1/events?type=llm_exec_policy&limit=1").json().path("items").get(0);
            JsonNode inputs = record.path("inputs");
            assertThat(inputs.path("request").path("settings").size()).isZero();
            assertThat(inputs.path("request").path("runtime").path("supported_modes")).hasSize(3);
            assertThat(inputs.path("profile_sha256").isNull()).isTrue();
            assertThat(inputs.path("waiver_sha256s")).isEmpty();
            assertThat(record.path("node_id").asText()).isNotEmpty();
        }
        assertThat(replay(decision.path("decision_id").asText(), 0).path("match").asBoolean()).isTrue();
    }

    @Test
    void a_decision_under_an_edited_ruleset_replays_with_its_stored_sources_after_the_directory_is_gone() throws IOException {
        Path rules = copyOfOneMode();
        JsonNode decision;
        try (RunningPdp pdp = RunningPdp.start(data, rules, false)) {
            ok(pdp.post("/v1/waivers", WAIVER));
            ok(pdp.put("/v1/profiles/fast", PROFILE.formatted("fast_exact")));
            ok(pdp.post("/v1/profiles/fast/activate", ""));
            assertThat(decide(pdp, "trace-before").path("mode").asText()).isEqualTo("spec_decode");
            FixtureRules.setOneMode(rules, "standard");
            assertThat(ok(pdp.post("/v1/rules/reload", "")).json().path("digest").asText())
                    .isNotEqualTo(Ruleset.digestOf(FixtureRules.ONE_MODE));
            decision = decide(pdp, "trace-edited");
        }
        assertThat(decision.path("mode").asText()).isEqualTo("standard");
        try (Stream<Path> walk = Files.walk(rules)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        assertThat(rules).doesNotExist();

        JsonNode report = replay(decision.path("decision_id").asText(), 0);
        assertThat(report.path("match").asBoolean()).isTrue();
        assertThat(report.path("ruleset_present").asBoolean()).isTrue();
        assertThat(report.path("replayed_with_digest").asText())
                .isEqualTo(decision.path("ruleset").path("digest").asText())
                .isNotEqualTo(Ruleset.digestOf(FixtureRules.ONE_MODE));
    }

    @Test
    void a_ruleset_that_is_not_stored_is_said_so_and_can_be_replayed_against_a_directory() throws SQLException {
        JsonNode decision;
        try (RunningPdp pdp = RunningPdp.start(data)) {
            decision = decide(pdp, "trace-gone");
        }
        try (Database db = Database.open(data); Connection c = db.connection(); Statement s = c.createStatement()) {
            s.executeUpdate("DELETE FROM ruleset_sources");
        }
        String id = decision.path("decision_id").asText();
        CommandRun without = CommandRun.of("replay", "--data", data.toString(), "--decision", id);
        assertThat(without.exit()).isEqualTo(2);
        assertThat(without.err()).contains("is not stored").contains("--rules");

        JsonNode report = replay(id, 0, "--rules", "rules");
        assertThat(report.path("ruleset_present").asBoolean()).isFalse();
        assertThat(report.path("replayed_with_digest").asText()).isEqualTo(Ruleset.digestOf(Path.of("rules")));
        assertThat(report.path("notes").get(0).asText()).contains("not stored");
    }

    /** The one-mode fixture ruleset (every decision is spec_decode/exact), in a fresh directory a test may edit. */
    private static Path copyOfOneMode() throws IOException {
        return FixtureRules.copy(FixtureRules.ONE_MODE, Files.createTempDirectory("replay-rules-"));
    }

    /** A decision of a PDP on the one-mode fixture, under a profile asking for fast_exact (its snapshot is stored). */
    private JsonNode decideOnOneMode(String traceId) throws IOException {
        try (RunningPdp pdp = RunningPdp.start(data, copyOfOneMode(), false)) {
            ok(pdp.post("/v1/waivers", WAIVER));
            ok(pdp.put("/v1/profiles/fast", PROFILE.formatted("fast_exact")));
            ok(pdp.post("/v1/profiles/fast/activate", ""));
            return decide(pdp, traceId);
        }
    }

    @Test
    void a_decision_replayed_under_rules_that_decide_otherwise_is_a_mismatch_naming_the_field() throws IOException, SQLException {
        JsonNode decision = decideOnOneMode("trace-mismatch");
        assertThat(decision.path("mode").asText()).isEqualTo("spec_decode");
        String id = decision.path("decision_id").asText();
        try (Database db = Database.open(data); Connection c = db.connection(); Statement s = c.createStatement()) {
            assertThat(s.executeUpdate("DELETE FROM ruleset_sources")).isPositive();
        }
        Path rules = copyOfOneMode();
        FixtureRules.setOneMode(rules, "standard");

        JsonNode report = replay(id, 1, "--rules", rules.toString());

        assertThat(report.path("decision_id").asText()).isEqualTo(id);
        assertThat(report.path("match").isBoolean()).isTrue();
        assertThat(report.path("match").asBoolean()).isFalse();
        assertThat(report.path("ruleset_present").asBoolean()).isFalse();
        assertThat(report.path("ruleset_digest").asText()).isEqualTo(decision.path("ruleset").path("digest").asText());
        assertThat(report.path("replayed_with_digest").asText())
                .isEqualTo(Ruleset.digestOf(rules))
                .isNotEqualTo(decision.path("ruleset").path("digest").asText());
        assertThat(report.path("recorded_effective_policy_hash").asText())
                .isEqualTo(decision.path("effective_policy_hash").asText());
        assertThat(report.path("replayed_effective_policy_hash").asText())
                .matches("[0-9a-f]{64}")
                .isNotEqualTo(report.path("recorded_effective_policy_hash").asText());
        JsonNode mode = null;
        for (JsonNode difference : report.path("differences")) {
            if (difference.path("field").asText().equals("mode")) {
                mode = difference;
            }
        }
        assertThat(mode).as("the mode among the differences: %s", report.path("differences")).isNotNull();
        assertThat(mode.path("recorded").asText()).isEqualTo("spec_decode");
        assertThat(mode.path("replayed").asText()).isEqualTo("standard");
        // the edit changed the requested policy (so its hash) and the mode, not the exactness
        assertThat(report.path("differences")).extracting(d -> d.path("field").asText())
                .contains("mode", "requested_policy_hash")
                .doesNotContain("exactness", "requested_source");
        assertThat(report.path("notes").toString()).contains("not stored");
    }

    @Test
    void an_altered_input_snapshot_is_refused_and_nothing_is_replayed() throws IOException, SQLException {
        JsonNode decision = decideOnOneMode("trace-tampered");
        String id = decision.path("decision_id").asText();
        assertThat(replay(id, 0).path("match").asBoolean()).as("untouched, it replays").isTrue();
        String sha;
        try (Database db = Database.open(data); Connection c = db.connection(); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT sha256 FROM input_snapshots WHERE body LIKE '%fast_exact%'")) {
                assertThat(rs.next()).as("the profile snapshot").isTrue();
                sha = rs.getString(1);
                assertThat(rs.next()).isFalse();
            }
            assertThat(s.executeUpdate("UPDATE input_snapshots SET body = REPLACE(body, 'fast_exact', 'fast_approx')"
                    + " WHERE sha256 = '" + sha + "'")).isEqualTo(1);
        }

        CommandRun run = CommandRun.of("replay", "--data", data.toString(), "--decision", id);

        assertThat(run.exit()).as(run.out() + run.err()).isEqualTo(2);
        assertThat(run.out()).as("no report").isBlank();
        assertThat(run.err()).contains("work profile snapshot " + sha).contains("does not hash to its key")
                .contains("altered");
    }

    @Test
    void an_unknown_decision_exits_2() {
        try (RunningPdp pdp = RunningPdp.start(data)) {
            decide(pdp, "trace-any");
        }
        CommandRun run = CommandRun.of("replay", "--data", data.toString(), "--decision", "no-such-decision");
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).contains("no decision 'no-such-decision'");
    }
}
