package org.execpolicy.pdp.acceptance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cucumber.java.en.Then;
import io.cucumber.java.en.When;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.execpolicy.pdp.json.Json;
import org.execpolicy.pdp.support.RunningPdp.Reply;
import org.execpolicy.pdp.support.SyntheticTrace;

/** Trace uploads, runtime reports and what the Flight Recorder makes of them (features/runtime_evidence.feature). */
public class ExecutionSteps {

    @When("^the runtime uploads a trace of (\\d+) tokens for the decision(?: with \"([^\"]+)\" in every record)?"
            + "(?: whose header names model \"([^\"]+)\")?(?: whose header names format \"([^\"]+)\")?$")
    public void theRuntimeUploadsATrace(int tokens, String extraField, String headerModel, String headerFormat) {
        List<ObjectNode> lines = SyntheticTrace.of(World.decision, tokens,
                headerModel != null ? headerModel : World.decisionRequest.path("model_id").asText());
        if (headerFormat != null) {
            lines.get(0).put("format", headerFormat);
        }
        if (extraField != null) {
            lines.subList(1, lines.size()).forEach(record -> record.put(extraField, 1234));
        }
        String body = SyntheticTrace.jsonl(lines);
        World.uploadedTraceSha256 = sha256(body);
        World.uploadedTraceTokens = tokens;
        World.reply = Pdp.server().send(HttpRequest.newBuilder(URI.create(Pdp.server().baseUrl()
                        + World.decision.path("trace_artifact_ref").asText()))
                .header("content-type", "application/x-ndjson").PUT(HttpRequest.BodyPublishers.ofString(body)));
    }

    @When("^the runtime reports it ran \"([^\"]+)\" and \"([^\"]+)\"$")
    public void theRuntimeReports(String mode, String exactness) {
        ObjectNode report = Json.object().put("mode", mode).put("exactness", exactness).put("token_count", 20);
        World.reply = Pdp.server().post("/v1/decisions/" + World.decisionId() + "/report", report.toString());
        assertThat(World.reply.status()).as("POST report: %s", World.reply.body()).isEqualTo(201);
    }

    @When("^the runtime reports it fell back to \"([^\"]+)\" and \"([^\"]+)\" because \"([^\"]+)\"$")
    public void theRuntimeReportsAFallback(String mode, String exactness, String reason) {
        ObjectNode report = Json.object().put("mode", mode).put("exactness", exactness).put("token_count", 20)
                .put("downgraded", true).put("downgrade_reason", reason);
        World.reply = Pdp.server().post("/v1/decisions/" + World.decisionId() + "/report", report.toString());
        assertThat(World.reply.status()).as("POST report: %s", World.reply.body()).isEqualTo(201);
    }

    @When("^the runtime reports it ran \"([^\"]+)\" and \"([^\"]+)\" with exit layers (\\{.*\\})$")
    public void theRuntimeReportsExitLayers(String mode, String exactness, String histogram) throws IOException {
        ObjectNode report = Json.object().put("mode", mode).put("exactness", exactness).put("token_count", 20);
        report.set("exit_layer_histogram", Json.MAPPER.readTree(histogram));
        World.reply = Pdp.server().post("/v1/decisions/" + World.decisionId() + "/report", report.toString());
        assertThat(World.reply.status()).as("POST report: %s", World.reply.body()).isEqualTo(201);
    }

    /** The kinds in the order the rules add them, comma-separated. */
    @Then("^the policy violation names \"([^\"]+)\"$")
    public void thePolicyViolationNames(String kinds) {
        assertThat(ofDecision("exec_policy_violation")).singleElement()
                .satisfies(v -> assertThat(Json.MAPPER.convertValue(v.path("violations"), List.class))
                        .isEqualTo(List.of(kinds.split(", "))));
    }

    @Then("^no runtime downgrade is recorded for the decision$")
    public void noRuntimeDowngradeIsRecorded() {
        assertThat(ofDecision("runtime_downgrade")).isEmpty();
    }

    @Then("^a runtime downgrade is recorded for the decision, granted \"([^\"]+)\" and \"([^\"]+)\", "
            + "reported \"([^\"]+)\" and \"([^\"]+)\", because \"([^\"]+)\"$")
    public void aRuntimeDowngradeIsRecorded(String mode, String exactness, String reportedMode, String reportedExactness,
                                            String reason) {
        assertThat(ofDecision("runtime_downgrade")).singleElement().satisfies(downgrade -> {
            assertThat(downgrade.path("granted").path("mode").asText()).isEqualTo(mode);
            assertThat(downgrade.path("granted").path("exactness").asText()).isEqualTo(exactness);
            assertThat(downgrade.path("reported").path("mode").asText()).isEqualTo(reportedMode);
            assertThat(downgrade.path("reported").path("exactness").asText()).isEqualTo(reportedExactness);
            assertThat(downgrade.path("downgrade_reason").asText()).isEqualTo(reason);
        });
    }

    @Then("^the report rule \"([^\"]+)\" fired for the decision$")
    public void theReportRuleFired(String rule) {
        assertThat(ofDecision("policy_rule_fired")).filteredOn(f -> "report".equals(f.path("stage").asText()))
                .extracting(f -> f.path("rule_name").asText()).contains(rule);
        // and it is shown with the report, never among the decision's own firings
        JsonNode view = Pdp.server().get("/v1/decisions/" + World.decisionId()).json();
        assertThat(view.path("ruleset").path("rules_fired").toString()).doesNotContain(rule);
        assertThat(view.path("report_rule_firings").findValuesAsText("rule_name")).contains(rule);
    }

    @Then("^the decision has a second llm_exec_policy record with phase \"([^\"]+)\"$")
    public void theDecisionHasASecondRecord(String phase) {
        List<JsonNode> records = ofDecision("llm_exec_policy");
        assertThat(records).hasSize(2);
        assertThat(records).extracting(r -> r.path("phase").asText()).containsExactlyInAnyOrder("decided", phase);
    }

    @Then("^the executed record carries the SHA-256 of what was uploaded and the exit layers (\\{.*\\})$")
    public void theExecutedRecordCarries(String histogram) throws IOException {
        JsonNode executed = ofDecision("llm_exec_policy").stream()
                .filter(r -> "executed".equals(r.path("phase").asText())).findFirst().orElseThrow();
        assertThat(executed.path("trace_artifact_sha256").asText()).isEqualTo(World.uploadedTraceSha256);
        assertThat(executed.get("exit_layer_histogram")).isEqualTo(Json.MAPPER.readTree(histogram));
    }

    @Then("^the decision read back is still the decided record$")
    public void theDecisionIsStillTheDecidedRecord() {
        JsonNode view = Pdp.server().get("/v1/decisions/" + World.decisionId()).json();
        assertThat(view.path("event_id").asText()).isEqualTo(World.decision.path("event_id").asText());
        assertThat(view.path("mode").asText()).isEqualTo(World.decision.path("mode").asText());
        assertThat(view.path("executed").path("phase").asText()).isEqualTo("executed");
    }

    @Then("^the Flight Recorder records the decision's trace as purged by retention$")
    public void theTraceIsRecordedPurged() throws InterruptedException {
        // the retention purge runs with the deadline check, every 200 ms in the acceptance server (Pdp)
        List<JsonNode> purged = awaitOfDecision("trace_purged");
        assertThat(purged).as("trace_purged of " + World.decisionId()).singleElement().satisfies(record -> {
            assertThat(record.path("trace_artifact_sha256").asText()).isEqualTo(World.uploadedTraceSha256);
            assertThat(record.path("trace_retention_days").asInt()).isEqualTo(7);
        });
        assertThat(Pdp.server().dataDir().resolve("traces/sha256/" + World.uploadedTraceSha256 + ".jsonl")).doesNotExist();
    }

    @Then("^asking for the trace answers 410 with reason \"([^\"]+)\" and the purge record as checkpoint$")
    public void askingForThePurgedTrace(String reason) {
        Reply reply = Pdp.server().get(World.decision.path("trace_artifact_ref").asText());
        assertThat(reply.status()).as(reply.body()).isEqualTo(410);
        assertThat(reply.contentType()).startsWith("application/problem+json");
        assertThat(reply.json().path("reason").asText()).isEqualTo(reason);
        assertThat(reply.json().path("checkpoint").path("event_id").asText())
                .isEqualTo(ofDecision("trace_purged").get(0).path("event_id").asText());
    }

    @Then("^the trace is attached to the decision with the SHA-256 of what was uploaded$")
    public void theTraceIsAttached() {
        List<JsonNode> attached = ofDecision("layerwise_trace_attached");
        assertThat(attached).hasSize(1);
        assertThat(attached.get(0).path("trace_artifact_sha256").asText()).isEqualTo(World.uploadedTraceSha256);
        assertThat(attached.get(0).path("record_count").asInt()).isPositive();
        assertThat(World.uploadedTraceTokens).as("a trace was uploaded in this scenario").isNotNull();
        assertThat(attached.get(0).path("record_count").asInt()).as("one record a token uploaded, the header not counted")
                .isEqualTo(World.uploadedTraceTokens);
    }

    @Then("^the decision shows that SHA-256$")
    public void theDecisionShowsThatSha256() {
        JsonNode decision = Pdp.server().get("/v1/decisions/" + World.decisionId()).json();
        assertThat(decision.path("trace_artifact_sha256").asText()).isEqualTo(World.uploadedTraceSha256);
    }

    @Then("^no policy violation is recorded for the decision$")
    public void noPolicyViolationIsRecorded() {
        assertThat(ofDecision("exec_policy_violation")).isEmpty();
    }

    @Then("^no trace is attached to the decision and no trace file is kept$")
    public void noTraceIsAttachedAndNoFileKept() throws IOException {
        assertThat(ofDecision("layerwise_trace_attached")).isEmpty();
        Path traces = Pdp.server().dataDir().resolve("traces");
        assertThat(storedArtifacts(World.uploadedTraceSha256)).as("artifacts stored under its SHA-256").isZero();
        try (Stream<Path> incoming = Files.list(traces.resolve("incoming"))) {
            assertThat(incoming).as("partial uploads").isEmpty();
        }
    }

    @Then("^a policy violation \"([^\"]+)\" is recorded for the decision, granted \"([^\"]+)\" and \"([^\"]+)\"$")
    public void aPolicyViolationIsRecorded(String code, String mode, String exactness) {
        List<JsonNode> violations = ofDecision("exec_policy_violation");
        assertThat(violations).hasSize(1);
        JsonNode violation = violations.get(0);
        assertThat(violation.path("code").asText()).isEqualTo(code);
        assertThat(violation.path("granted").path("mode").asText()).isEqualTo(mode);
        assertThat(violation.path("granted").path("exactness").asText()).isEqualTo(exactness);
    }

    @Then("^the Flight Recorder records the decision's trace as missing$")
    public void theTraceIsRecordedMissing() throws InterruptedException {
        // the deadline check runs every 200 ms in the acceptance server (Pdp)
        List<JsonNode> missing = awaitOfDecision("layerwise_trace_missing");
        assertThat(missing).as("layerwise_trace_missing of " + World.decisionId()).hasSize(1);
        assertThat(missing.get(0).get("trace_artifact_sha256").isNull()).isTrue();
        assertThat(missing.get(0).path("reason").asText()).isNotBlank();
        Reply decision = Pdp.server().get("/v1/decisions/" + World.decisionId());
        assertThat(decision.json().path("trace_status").asText()).isEqualTo("missing");
    }

    /** The decision's records of this type, once there are any (asked again every 100 ms, for up to 5 s). */
    private static List<JsonNode> awaitOfDecision(String type) throws InterruptedException {
        List<JsonNode> records = ofDecision(type);
        for (int i = 0; i < 50 && records.isEmpty(); i++) {
            Thread.sleep(100);
            records = ofDecision(type);
        }
        return records;
    }

    private static List<JsonNode> ofDecision(String type) {
        return RecorderSteps.events("type=" + type + "&decision_id=" + World.decisionId());
    }

    /** Rows in the store's trace_artifacts (V6) with this SHA-256, read as an auditor would, over JDBC. */
    private static int storedArtifacts(String sha256) {
        String url = "jdbc:h2:file:" + Pdp.server().dataDir().toAbsolutePath().normalize().resolve("pdp");
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(url, "sa", "");
             java.sql.PreparedStatement q = c.prepareStatement("SELECT COUNT(*) FROM trace_artifacts WHERE sha256 = ?")) {
            q.setString(1, sha256);
            try (java.sql.ResultSet row = q.executeQuery()) {
                row.next();
                return row.getInt(1);
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String sha256(String body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(body.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
