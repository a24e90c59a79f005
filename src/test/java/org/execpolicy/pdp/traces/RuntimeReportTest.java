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

/** POST /v1/decisions/{id}/report: what ran, recorded once, and the violations it reveals. */
class RuntimeReportTest {
    static final String AS_GRANTED_APPROXIMATE = """
            {"mode": "layer_skip", "exactness": "approximate", "token_count": 120,
             "timings": {"total_ms": 950.5, "prefill_ms": 40, "decode_ms": 910.5},
             "mean_exit_layer": 24.5, "exit_layer_histogram": [0, 3, 117],
             "speculative": null, "offload": {"strategy": "kv_paged", "bytes": 1048576}}""";

    static RunningPdp pdp;

    @BeforeAll
    static void start() {
        pdp = RunningPdp.start();
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
        assertThat(recorded.path("offload").path("bytes").asLong()).isEqualTo(1048576);
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
        StringBuilder histogram = new StringBuilder("[0");
        for (int i = 1; i < 65; i++) {
            histogram.append(",1");
        }
        histogram.append(']');

        assertProblem(report(pdp, "no-such-decision", AS_GRANTED_APPROXIMATE), 404, null);
        assertProblem(report(pdp, id, """
                {"mode": "%s", "exactness": "approximate", "token_count": 3, "exit_layer_histogram": %s}"""
                .formatted(mode, histogram)), 422, "/exit_layer_histogram");
        assertProblem(report(pdp, id, """
                {"mode": "%s", "exactness": "exact", "token_count": 3, "offload": {"strategy": "cpu_offload", "bytes": -1}}"""
                .formatted(mode)), 422, "/offload/bytes");
        assertProblem(report(pdp, id, """
                {"mode": "%s", "exactness": "exact", "token_count": 3, "speculative": {"accept_rate": 1.5}}"""
                .formatted(mode)), 422, "/speculative/accept_rate");
        assertProblem(report(pdp, id, """
                {"mode": "%s", "exactness": "exact", "token_count": -3}""".formatted(mode)), 422, "/token_count");
        assertProblem(report(pdp, id, """
                {"mode": "%s", "exactness": "exact", "token_count": 3, "prompt": "hello"}""".formatted(mode)), 400, "/prompt");
        // the refused approximate reports left no violation and no report behind
        assertThat(records(pdp, "llm_exec_report", id)).isEmpty();
        assertThat(records(pdp, "exec_policy_violation", id)).isEmpty();
        assertThat(report(pdp, id, """
                {"mode": "%s", "exactness": "exact", "token_count": 3}""".formatted(mode)).status()).isEqualTo(201);
    }

    @Test
    void an_exact_call_that_asks_for_a_trace_is_sampled_by_its_trace_id() {
        // SHA-256 puts t-trace-11 at 0.43 and t-trace-12 at 0.61 in [0, 1) (rules/tests/trace.yaml)
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
            assertThat(exact.path("trace_artifact_null_reason").asText()).isEqualTo("exact_execution");
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
