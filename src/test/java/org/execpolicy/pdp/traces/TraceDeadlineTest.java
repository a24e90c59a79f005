package org.execpolicy.pdp.traces;

import static org.assertj.core.api.Assertions.assertThat;
import static org.execpolicy.pdp.traces.Evidence.approximateDecision;
import static org.execpolicy.pdp.traces.Evidence.eventually;
import static org.execpolicy.pdp.traces.Evidence.jsonl;
import static org.execpolicy.pdp.traces.Evidence.records;
import static org.execpolicy.pdp.traces.Evidence.report;
import static org.execpolicy.pdp.traces.Evidence.trace;
import static org.execpolicy.pdp.traces.Evidence.upload;
import static org.execpolicy.pdp.traces.TraceUploadTest.assertProblem;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.execpolicy.pdp.execution.TraceLimits;
import org.execpolicy.pdp.support.SettableClock;
import org.execpolicy.pdp.support.RunningPdp;
import org.junit.jupiter.api.Test;

/**
 * An approximate decision whose trace never comes: recorded missing after the deadline, with an injected clock.
 * It runs on the fixture ruleset {@code waiver-gate} ({@link Evidence#start}): the decision is granted under the
 * test's own waiver, and the fixture's report.drl concludes trace_missing (waiver-gate/tests/report.yaml), so the
 * deadline machinery is seen whatever the shipped rules/ grant and conclude.
 */
class TraceDeadlineTest {

    @Test
    void a_trace_missing_at_the_deadline_is_recorded_after_a_restart_and_a_report_of_approximate_execution_is_a_violation()
            throws Exception {
        Path data = Files.createTempDirectory("pdp-deadline-");
        SettableClock clock = new SettableClock();
        // checked at start and then only hourly: the restart is what finds the expired deadline
        TraceLimits limits = TraceLimits.defaults().withCheckEvery(Duration.ofHours(1));
        String late;
        Instant lateDecidedAt;
        String onTime;
        String young;
        try (RunningPdp pdp = Evidence.start(data, clock, limits)) {
            Evidence.grantApproximateToWorker(pdp);
            JsonNode lateDecision = approximateDecision(pdp);
            late = lateDecision.path("decision_id").asText();
            lateDecidedAt = Instant.parse(pdp.get("/v1/decisions/" + late).json().path("timestamp").asText());
            assertThat(report(pdp, late, RuntimeReportTest.AS_GRANTED_APPROXIMATE).status()).isEqualTo(201);
            JsonNode onTimeDecision = approximateDecision(pdp);
            onTime = onTimeDecision.path("decision_id").asText();
            assertThat(upload(pdp, onTimeDecision, jsonl(trace(onTimeDecision, 3))).status()).isEqualTo(201);
            clock.advance(Duration.ofMinutes(10));
            young = approximateDecision(pdp).path("decision_id").asText();
        }
        clock.advance(Duration.ofMinutes(6)); // late: 16 minutes old; young: 6

        try (RunningPdp pdp = Evidence.start(data, clock, limits)) {
            List<JsonNode> missing = eventually(() -> records(pdp, "layerwise_trace_missing", late), r -> !r.isEmpty());

            assertThat(missing).singleElement().satisfies(record -> {
                assertThat(record.get("trace_artifact_sha256").isNull()).isTrue();
                assertThat(record.path("reason_code").asText()).isEqualTo("deadline_passed");
                assertThat(Instant.parse(record.path("deadline_at").asText()))
                        .isEqualTo(lateDecidedAt.plus(Duration.ofMinutes(15)));
            });
            assertThat(records(pdp, "exec_policy_violation", late)).singleElement()
                    .satisfies(v -> assertThat(v.path("violations").toString()).isEqualTo("[\"trace_missing\"]"));
            // concluded by the fixture's report.drl, judging the stored report again at the deadline: its firing is the evidence
            assertThat(records(pdp, "policy_rule_fired", late)).filteredOn(f -> "report".equals(f.path("stage").asText()))
                    .extracting(f -> f.path("rule_name").asText())
                    .contains("waiver-gate report: approximate with its trace recorded missing");
            // absence only after a whole check has run (the counter counts finished checks), not after a wait
            assertThat(eventually(() -> deadlineChecks(pdp), done -> done >= 1)).isPositive();
            assertThat(records(pdp, "layerwise_trace_missing", onTime)).isEmpty();
            assertThat(records(pdp, "layerwise_trace_missing", young)).isEmpty();
            assertThat(pdp.get("/v1/decisions/" + late).json().path("trace_status").asText()).isEqualTo("missing");
            assertThat(pdp.get("/v1/decisions/" + young).json().path("trace_status").asText()).isEqualTo("expected");
            // too late now: the evidence already says it never came
            JsonNode lateDecision = pdp.get("/v1/decisions/" + late).json();
            assertProblem(upload(pdp, lateDecision, jsonl(trace(lateDecision, 3))), 409, null);
        }
    }

    private static long deadlineChecks(RunningPdp pdp) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^pdp_trace_deadline_checks_total ([0-9.E]+)$")
                .matcher(pdp.get("/metrics").body());
        assertThat(m.find()).as("the checks counter on /metrics").isTrue();
        return (long) Double.parseDouble(m.group(1));
    }

    @Test
    void the_periodic_check_records_a_missing_trace_once_the_clock_passes_the_deadline() throws Exception {
        SettableClock clock = new SettableClock();
        TraceLimits limits = TraceLimits.defaults().withDeadline(Duration.ofMinutes(5))
                .withCheckEvery(Duration.ofMillis(50));
        try (RunningPdp pdp = Evidence.start(Files.createTempDirectory("pdp-deadline-"), clock, limits)) {
            Evidence.grantApproximateToWorker(pdp);
            String id = approximateDecision(pdp).path("decision_id").asText();
            clock.advance(Duration.ofMinutes(4));
            long checks = deadlineChecks(pdp);
            // two whole checks ran with the clock before the deadline (the first may have begun before)
            assertThat(eventually(() -> deadlineChecks(pdp), done -> done >= checks + 2)).isGreaterThanOrEqualTo(checks + 2);
            assertThat(records(pdp, "layerwise_trace_missing", id)).isEmpty();

            clock.advance(Duration.ofMinutes(2));

            assertThat(eventually(() -> records(pdp, "layerwise_trace_missing", id), r -> !r.isEmpty())).hasSize(1);
            // reported afterwards, approximate execution with no trace is a violation at once
            assertThat(report(pdp, id, """
                    {"mode": "layer_skip", "exactness": "approximate", "token_count": 1}""").json()
                    .path("violation").path("violations").toString()).isEqualTo("[\"trace_missing\"]");
        }
    }
}
