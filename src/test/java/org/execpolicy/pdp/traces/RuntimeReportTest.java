package org.execpolicy.pdp.traces;

import static org.assertj.core.api.Assertions.assertThat;
import static org.execpolicy.pdp.traces.Evidence.approximateDecision;
import static org.execpolicy.pdp.traces.Evidence.decide;
import static org.execpolicy.pdp.traces.Evidence.exactDecision;
import static org.execpolicy.pdp.traces.Evidence.jsonl;
import static org.execpolicy.pdp.traces.Evidence.records;
import static org.execpolicy.pdp.traces.Evidence.report;
import static org.execpolicy.pdp.traces.Evidence.trace;
import static org.execpolicy.pdp.traces.Evidence.upload;
import static org.execpolicy.pdp.traces.TraceUploadTest.assertProblem;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.execpolicy.pdp.support.RunningPdp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * POST /v1/decisions/{id}/report: what ran, recorded once, and the violations it reveals. It runs on the fixture
 * ruleset {@code waiver-gate} ({@link Evidence#start}), whose report.drl judges the reports (its cases in
 * src/test/resources/rulesets/waiver-gate/tests/report.yaml): what is tested here is the machinery (a report is
 * judged by the serving ruleset's report rules, stored as llm_exec_report, runtime_downgrade and
 * exec_policy_violation records, and answered), whatever the shipped rules/report.drl concludes; that policy is
 * pinned by rules/tests/report.yaml.
 */
class RuntimeReportTest {
    static final String AS_GRANTED_APPROXIMATE = """
            {"mode": "layer_skip", "exactness": "approximate", "token_count": 120,
             "timings": {"total_ms": 950.5, "prefill_ms": 40, "decode_ms": 910.5},
             "mean_exit_layer": 24.5, "exit_layer_histogram": {"12": 3, "30": 117},
             "speculative": null, "offload": {"strategy": "kv_paged", "cpu_offload_bytes": 1048576, "disk_offload_bytes": 0}}""";

    static RunningPdp pdp;

    @BeforeAll
    static void start() {
        pdp = Evidence.start(RunningPdp.freshDataDir());
        Evidence.grantApproximateToWorker(pdp);
    }

    @AfterAll
    static void stop() {
        pdp.close();
    }

    @Test
    void a_report_as_granted_is_recorded_without_a_violation() {
        JsonNode decision = approximateDecision(pdp);
        String id = decision.path("decision_id").asText();
        upload(pdp, decision, jsonl(trace(decision, 3)));

        RunningPdp.Reply reply = report(pdp, id, AS_GRANTED_APPROXIMATE);

        assertThat(reply.status()).as(reply.body()).isEqualTo(201);
        assertThat(reply.json().get("violation").isNull()).isTrue();
        JsonNode recorded = records(pdp, "llm_exec_report", id).get(0);
        assertThat(recorded.path("token_count").asInt()).isEqualTo(120);
        assertThat(recorded.path("offload").path("cpu_offload_bytes").asLong()).isEqualTo(1048576);
        assertThat(recorded.path("trace_id").asText()).isEqualTo(decision.path("trace_id").asText());
        assertThat(records(pdp, "exec_policy_violation", id)).isEmpty();
        JsonNode view = pdp.get("/v1/decisions/" + id).json();
        assertThat(view.path("runtime_report").path("event_id").asText()).isEqualTo(recorded.path("event_id").asText());
        assertThat(view.get("violations").size()).isZero();
    }

    @Test
    void approximate_execution_where_exact_was_granted_is_a_violation_counted_in_the_metrics() {
        JsonNode decision = exactDecision(pdp);
        String id = decision.path("decision_id").asText();
        double before = violationsMetric();

        RunningPdp.Reply reply = report(pdp, id, """
                {"mode": "%s", "exactness": "approximate", "token_count": 10}""".formatted(decision.path("mode").asText()));

        assertThat(reply.status()).as(reply.body()).isEqualTo(201);
        JsonNode violation = records(pdp, "exec_policy_violation", id).get(0);
        assertThat(violation.path("code").asText()).isEqualTo("CX-EXEC-VIOLATION");
        assertThat(violation.path("violations").toString()).isEqualTo("[\"approximate_when_exact_granted\"]");
        assertThat(violation.path("granted").path("exactness").asText()).isEqualTo("exact");
        assertThat(violation.path("reported").path("exactness").asText()).isEqualTo("approximate");
        assertThat(reply.json().path("violation").path("event_id").asText()).isEqualTo(violation.path("event_id").asText());
        assertThat(violationsMetric()).isEqualTo(before + 1);
        assertThat(pdp.get("/v1/decisions/" + id).json().get("violations").size()).isEqualTo(1);
    }

    @Test
    void a_fallback_to_standard_that_says_why_is_a_runtime_downgrade_with_its_reason_redacted() {
        JsonNode decision = approximateDecision(pdp);
        String id = decision.path("decision_id").asText();
        List<String> decisionRules = rulesFired(pdp.get("/v1/decisions/" + id).json());

        RunningPdp.Reply reply = report(pdp, id, """
                {"mode": "standard", "exactness": "exact", "token_count": 8, "downgraded": true,
                 "downgrade_reason": "kernel missing; retried with Bearer abcdefgh12345678 as password=hunter2",
                 "effective_policy": {"mode": "standard", "exactness": "exact"}}""");

        assertThat(reply.status()).as(reply.body()).isEqualTo(201);
        assertThat(reply.json().get("violation").isNull()).isTrue();
        assertThat(records(pdp, "exec_policy_violation", id)).isEmpty();
        JsonNode downgrade = records(pdp, "runtime_downgrade", id).get(0);
        assertThat(downgrade.path("granted").path("mode").asText()).isEqualTo(decision.path("mode").asText());
        assertThat(downgrade.path("reported").path("mode").asText()).isEqualTo("standard");
        assertThat(downgrade.path("downgrade_reason").asText())
                .isEqualTo("kernel missing; retried with Bearer [REDACTED] as password=[REDACTED]");
        assertThat(reply.json().path("runtime_downgrade").path("event_id").asText())
                .isEqualTo(downgrade.path("event_id").asText());
        assertThat(records(pdp, "llm_exec_report", id).get(0).toString()).doesNotContain("hunter2", "abcdefgh12345678");
        // the rules that decided it are recorded, marked as the report's, and listed in the answer
        List<JsonNode> reportFirings = records(pdp, "policy_rule_fired", id).stream()
                .filter(f -> "report".equals(f.path("stage").asText())).toList();
        assertThat(reportFirings).singleElement().satisfies(f ->
                assertThat(f.path("rule_name").asText()).isEqualTo("waiver-gate report: an exact fallback with a reason"));
        assertThat(reply.json().get("rules_fired").toString()).isEqualTo("[\"waiver-gate report: an exact fallback with a reason\"]");
        // the executed llm_exec_policy record carries the runtime's own downgrade and policy
        JsonNode executed = executedRecord(id);
        assertThat(executed.path("downgraded").asBoolean()).isTrue();
        assertThat(executed.path("downgrade_reason").asText()).contains("[REDACTED]").doesNotContain("hunter2");
        assertThat(executed.path("effective_policy").path("mode").asText()).isEqualTo("standard");
        // the decision is still the decided record, with its own firings only
        JsonNode view = pdp.get("/v1/decisions/" + id).json();
        assertThat(view.path("event_id").asText()).isEqualTo(decision.path("event_id").asText());
        assertThat(view.path("mode").asText()).isEqualTo(decision.path("mode").asText());
        assertThat(rulesFired(view)).isEqualTo(decisionRules);
        assertThat(view.path("runtime_downgrade").path("event_id").asText()).isEqualTo(downgrade.path("event_id").asText());
        assertThat(view.path("executed").path("event_id").asText()).isEqualTo(executed.path("event_id").asText());
        assertThat(view.path("report_rule_firings").get(0).path("rule_name").asText())
                .isEqualTo("waiver-gate report: an exact fallback with a reason");
        JsonNode explain = pdp.get("/v1/decisions/" + id + "?explain=full").json().get("explain");
        assertThat(explain.get(explain.size() - 1).path("stage").asText()).isEqualTo("report");
        assertThat(explain.findValues("stage")).hasSize(1);
    }

    @Test
    void a_fallback_that_does_not_say_why_is_a_violation() {
        JsonNode decision = approximateDecision(pdp);
        String id = decision.path("decision_id").asText();

        RunningPdp.Reply reply = report(pdp, id, """
                {"mode": "standard", "exactness": "exact", "token_count": 8}""");

        assertThat(reply.status()).as(reply.body()).isEqualTo(201);
        assertThat(reply.json().path("violation").path("violations").toString()).isEqualTo("[\"downgrade_without_reason\"]");
        assertThat(reply.json().get("runtime_downgrade").isNull()).isTrue();
        assertThat(records(pdp, "runtime_downgrade", id)).isEmpty();
    }

    @Test
    void the_executed_record_carries_the_trace_sha256_and_the_histogram() {
        JsonNode decision = approximateDecision(pdp);
        String id = decision.path("decision_id").asText();
        upload(pdp, decision, jsonl(trace(decision, 3)));
        String sha256 = records(pdp, "layerwise_trace_attached", id).get(0).path("trace_artifact_sha256").asText();

        assertThat(report(pdp, id, AS_GRANTED_APPROXIMATE).status()).isEqualTo(201);

        JsonNode executed = executedRecord(id);
        assertThat(executed.path("trace_artifact_sha256").asText()).isEqualTo(sha256);
        assertThat(executed.path("exit_layer_histogram").toString()).isEqualTo("{\"12\":3,\"30\":117}");
        assertThat(executed.path("mean_exit_layer").asDouble()).isEqualTo(24.5);
        assertThat(executed.path("offload").path("cpu_offload_bytes").asLong()).isEqualTo(1048576);
        assertThat(executed.path("decided_event_id").asText()).isEqualTo(decision.path("event_id").asText());
        assertThat(executed.path("downgraded").asBoolean()).isFalse();
        // the decided record is untouched and still the decision
        assertThat(records(pdp, "llm_exec_policy", id)).filteredOn(r -> "decided".equals(r.path("phase").asText()))
                .singleElement().satisfies(d -> assertThat(d.get("trace_artifact_sha256").isNull()).isTrue());
        assertThat(pdp.get("/v1/decisions/" + id).json().path("trace_artifact_sha256").asText()).isEqualTo(sha256);
    }

    @Test
    void an_exact_report_without_a_trace_records_a_null_trace_sha256() {
        JsonNode decision = exactDecision(pdp);
        String id = decision.path("decision_id").asText();

        assertThat(report(pdp, id, """
                {"mode": "%s", "exactness": "exact", "token_count": 3}""".formatted(decision.path("mode").asText()))
                .status()).isEqualTo(201);

        JsonNode executed = executedRecord(id);
        assertThat(executed.get("trace_artifact_sha256").isNull()).isTrue();
        assertThat(executed.get("exit_layer_histogram").isNull()).isTrue();
    }

    private static JsonNode executedRecord(String decisionId) {
        return records(pdp, "llm_exec_policy", decisionId).stream()
                .filter(r -> "executed".equals(r.path("phase").asText())).findFirst().orElseThrow();
    }

    private static List<String> rulesFired(JsonNode view) {
        List<String> names = new java.util.ArrayList<>();
        view.path("ruleset").path("rules_fired").forEach(n -> names.add(n.asText()));
        return names;
    }

    @Test
    void a_mode_other_than_the_effective_one_is_a_violation() {
        JsonNode decision = approximateDecision(pdp);
        String id = decision.path("decision_id").asText();

        RunningPdp.Reply reply = report(pdp, id, """
                {"mode": "early_exit", "exactness": "approximate", "token_count": 10}""");

        assertThat(reply.status()).isEqualTo(201);
        assertThat(records(pdp, "exec_policy_violation", id)).singleElement()
                .satisfies(v -> assertThat(v.path("violations").toString()).isEqualTo("[\"mode_differs\"]"));
    }

    @Test
    void one_report_per_decision() {
        JsonNode decision = approximateDecision(pdp);
        String id = decision.path("decision_id").asText();
        assertThat(report(pdp, id, AS_GRANTED_APPROXIMATE).status()).isEqualTo(201);

        assertProblem(report(pdp, id, AS_GRANTED_APPROXIMATE), 409, null);
        assertThat(records(pdp, "llm_exec_report", id)).hasSize(1);
    }

    @Test
    void bad_reports_are_refused_and_change_nothing() {
        JsonNode decision = exactDecision(pdp);
        String id = decision.path("decision_id").asText();
        String mode = decision.path("mode").asText();
        StringBuilder histogram = new StringBuilder("{\"0\": 1");
        for (int i = 1; i < 65; i++) { // 65 keys: one over the limit of SPEC 5
            histogram.append(", \"").append(i).append("\": 1");
        }
        histogram.append('}');

        assertProblem(report(pdp, "no-such-decision", AS_GRANTED_APPROXIMATE), 404, null);
        assertProblem(report(pdp, id, """
                {"mode": "%s", "exactness": "approximate", "token_count": 3, "exit_layer_histogram": %s}"""
                .formatted(mode, histogram)), 422, "/exit_layer_histogram");
        assertProblem(report(pdp, id, """
                {"mode": "%s", "exactness": "exact", "token_count": 3, "exit_layer_histogram": {"top": 1}}"""
                .formatted(mode)), 422, "/exit_layer_histogram");
        assertProblem(report(pdp, id, """
                {"mode": "%s", "exactness": "exact", "token_count": 3, "exit_layer_histogram": [1, 2]}"""
                .formatted(mode)), 400, "/exit_layer_histogram");
        assertProblem(report(pdp, id, """
                {"mode": "%s", "exactness": "exact", "token_count": 3,
                 "offload": {"strategy": "cpu_offload", "cpu_offload_bytes": -1}}"""
                .formatted(mode)), 422, "/offload/cpu_offload_bytes");
        assertProblem(report(pdp, id, """
                {"mode": "%s", "exactness": "exact", "token_count": 3, "offload": {"strategy": "cpu_offload", "bytes": 1}}"""
                .formatted(mode)), 400, "/offload/bytes");
        assertProblem(report(pdp, id, """
                {"mode": "%s", "exactness": "exact", "token_count": 3, "downgraded": true, "downgrade_reason": "%s"}"""
                .formatted(mode, "x".repeat(501))), 400, "/downgrade_reason");
        assertProblem(report(pdp, id, """
                {"mode": "%s", "exactness": "exact", "token_count": 3, "speculative": {"accept_rate": 1.5}}"""
                .formatted(mode)), 422, "/speculative/accept_rate");
        assertProblem(report(pdp, id, """
                {"mode": "%s", "exactness": "exact", "token_count": -3}""".formatted(mode)), 422, "/token_count");
        assertProblem(report(pdp, id, """
                {"mode": "%s", "exactness": "exact", "token_count": 3, "prompt": "hello"}""".formatted(mode)), 400, "/prompt");
        // the refused approximate reports left no violation, no report and no executed record behind
        assertThat(records(pdp, "llm_exec_report", id)).isEmpty();
        assertThat(records(pdp, "exec_policy_violation", id)).isEmpty();
        assertThat(records(pdp, "llm_exec_policy", id)).hasSize(1);
        assertThat(records(pdp, "policy_rule_fired", id)).noneMatch(f -> f.has("stage"));
        assertThat(report(pdp, id, """
                {"mode": "%s", "exactness": "exact", "token_count": 3}""".formatted(mode)).status()).isEqualTo(201);
    }

    @Test
    void an_exact_call_that_asks_for_a_trace_is_sampled_by_its_trace_id() {
        // SHA-256 puts t-trace-11 at 0.43 and t-trace-12 at 0.61 in [0, 1): the fixture expects a trace below the
        // sample rate (waiver-gate/tests/waiver-gate.yaml), as the shipped trace rules do (rules/tests/trace.yaml)
        String request = """
                {"trace_id": "%s", "role": "worker", "task_type": "chat", "model_id": "llama-7b", "backend": "local",
                 "settings": {"exec_policy": {"mode": "spec_decode", "exactness": "exact",
                   "trace": {"level": "per_token", "sample_rate": 0.5, "artifact": {"enabled": true}}}}}""";

        JsonNode in = decide(pdp, request.formatted("t-trace-11"));
        JsonNode inAgain = decide(pdp, request.formatted("t-trace-11"));
        JsonNode out = decide(pdp, request.formatted("t-trace-12"));

        assertThat(in.path("trace_expected").asBoolean()).isTrue();
        assertThat(inAgain.path("trace_expected").asBoolean()).isTrue();
        assertThat(out.path("trace_expected").asBoolean()).isFalse();
        for (JsonNode exact : List.of(in, out)) { // SPEC 3.8: exact execution reserves no reference
            assertThat(exact.get("trace_artifact_ref").isNull()).isTrue();
        }
        assertThat(records(pdp, "llm_exec_policy", in.path("decision_id").asText()).get(0)
                .path("trace_expected").asBoolean()).isTrue();
        String at = "/v1/traces/";
        assertThat(upload(pdp, at + in.path("decision_id").asText(), jsonl(trace(in, 4))).status()).isEqualTo(201);
        assertThat(upload(pdp, at + out.path("decision_id").asText(), jsonl(trace(out, 4))).status()).isEqualTo(404);
    }

    private static double violationsMetric() {
        Matcher m = Pattern.compile("(?m)^pdp_exec_policy_violations_total(?:\\{[^}]*\\})? ([0-9.eE+-]+)$")
                .matcher(pdp.get("/metrics").body());
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }
}
