package org.execpolicy.pdp.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.execpolicy.pdp.support.RunningPdp;
import org.execpolicy.pdp.support.RunningPdp.Reply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** GET /metrics in Prometheus text format, moving with what the PDP does. */
class MetricsTest {
    private static RunningPdp pdp;

    @BeforeAll
    static void start() {
        pdp = RunningPdp.start();
    }

    @AfterAll
    static void stop() {
        pdp.close();
    }

    private static double value(String metrics, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " ([0-9.eE+-]+)$").matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    @Test
    void decisions_downgrades_reasons_and_the_recorder_are_counted() {
        String before = pdp.get("/metrics").body();
        for (int i = 0; i < 3; i++) {
            assertThat(pdp.post("/v1/decisions", """
                    {"trace_id":"metrics-%d","role":"worker","task_type":"chat","model_id":"m",
                     "settings":{"exec_policy":{"mode":"layer_skip","exactness":"approximate"}}}""".formatted(i))
                    .status()).isEqualTo(200);
        }

        Reply reply = pdp.get("/metrics");

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.contentType()).startsWith("text/plain");
        String after = reply.body();
        String refused = "pdp_decisions_total{downgraded=\"true\",exactness=\"exact\",mode=\"spec_decode\"}";
        assertThat(value(after, refused) - value(before, refused)).isEqualTo(3);
        String waiverMissing = "pdp_decision_reasons_total{reason=\"WAIVER_MISSING\"}";
        assertThat(value(after, waiverMissing) - value(before, waiverMissing)).isEqualTo(3);
        assertThat(value(after, "pdp_downgrades_total") - value(before, "pdp_downgrades_total")).isEqualTo(3);
        assertThat(value(after, "pdp_recorder_commit_seconds_count")).isGreaterThan(value(before, "pdp_recorder_commit_seconds_count"));
        assertThat(after).contains("pdp_recorder_batch_records_count", "pdp_recorder_queue_depth",
                "pdp_rule_errors_total", "pdp_exec_policy_violations_total", "jvm_memory_used_bytes");
    }

    @Test
    void secrets_redacted_from_a_justification_and_a_revoke_reason_are_counted_and_never_stored() {
        String before = pdp.get("/metrics").body();
        String id = "wv-metrics-secret";
        com.fasterxml.jackson.databind.node.ObjectNode waiver = Bodies.waiver(id);
        waiver.put("justification", "approved in ticket 42; aws AKIAIOSFODNN7EXAMPLE, db password=hunter2");
        Reply granted = pdp.post("/v1/waivers", waiver.toString());
        Reply revoked = pdp.post("/v1/waivers/" + id + "/revoke",
                "{\"reason\": \"leaked: Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.abc\"}");

        assertThat(granted.status()).as(granted.body()).isEqualTo(201);
        assertThat(revoked.status()).as(revoked.body()).isEqualTo(200);
        assertThat(granted.json().get("justification").asText())
                .isEqualTo("approved in ticket 42; aws [REDACTED], db password=[REDACTED]");
        assertThat(revoked.json().get("revoke_reason").asText()).isEqualTo("leaked: Authorization: Bearer [REDACTED]");
        String stored = pdp.get("/v1/events?type=waiver_granted").body() + pdp.get("/v1/events?type=waiver_revoked").body()
                + pdp.get("/v1/waivers/" + id).body();
        assertThat(stored).doesNotContain("AKIAIOSFODNN7EXAMPLE").doesNotContain("hunter2").doesNotContain("eyJhbGci");
        String after = pdp.get("/metrics").body();
        assertThat(value(after, "pdp_secrets_redacted_total") - value(before, "pdp_secrets_redacted_total")).isEqualTo(3);
    }
}
