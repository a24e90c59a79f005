package org.execpolicy.pdp.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.execpolicy.pdp.support.RunningPdp;
import org.execpolicy.pdp.support.RunningPdp.Reply;
import org.execpolicy.pdp.support.ShippedRules;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rule error over HTTP is a decision, never a 500: the safe default with
 * RULE_ERROR and the failing rule, in the answer and in the llm_exec_policy record.
 */
class RuleErrorApiTest {
    private static final String BROKEN_RULE = "broken: throws for model explodes-7b";

    @TempDir
    static Path dir;
    static RunningPdp pdp;

    @BeforeAll
    static void start() throws IOException {
        Path rules = Files.createDirectories(dir.resolve("rules"));
        ShippedRules.copyTo(rules);
        Files.writeString(rules.resolve("zz_broken.drl"), """
                package org.execpolicy.rules.broken;
                import org.execpolicy.pdp.model.*;
                // salience-band: 250..299

                rule "%s"
                    @description("test: a consequence that throws, for one model only")
                    salience 250
                when
                    DecisionRequest( modelId == "explodes-7b" )
                    Effective()
                then
                    throw new IllegalStateException( "boom" );
                end
                """.formatted(BROKEN_RULE));
        pdp = RunningPdp.start(Files.createDirectories(dir.resolve("data")), rules, false);
    }

    @AfterAll
    static void stop() {
        pdp.close();
    }

    private static String request(String modelId) {
        return """
                {"trace_id":"trace-rule-error","role":"worker","task_type":"chat","model_id":"%s","backend":"local",
                 "runtime":{"supported_modes":["standard","spec_decode","layer_skip"]},
                 "settings":{"exec_policy":{"mode":"layer_skip","exactness":"approximate",
                                            "layer_skip":{"skip_ratio":0.3}}}}""".formatted(modelId);
    }

    /** The value of an unlabelled series of GET /metrics; fails when the series is not there. */
    private static double metric(String series) {
        Reply metrics = pdp.get("/metrics");
        assertThat(metrics.status()).isEqualTo(200);
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " ([0-9.eE+-]+)$").matcher(metrics.body());
        assertThat(m.find()).as("%s in %s", series, metrics.body()).isTrue();
        return Double.parseDouble(m.group(1));
    }

    @Test
    void a_rule_that_throws_answers_the_safe_default_with_rule_error_and_records_it() {
        double errorsBefore = metric("pdp_rule_errors_total");
        Reply reply = pdp.post("/v1/decisions", request("explodes-7b"));
        assertThat(metric("pdp_rule_errors_total") - errorsBefore).as("pdp_rule_errors_total counts the failing decision")
                .isEqualTo(1.0);

        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        JsonNode answer = reply.json();
        assertThat(answer.path("mode").asText()).isEqualTo("standard");
        assertThat(answer.path("exactness").asText()).isEqualTo("exact");
        assertThat(answer.path("downgraded").asBoolean()).isTrue();
        assertThat(answer.path("reason_codes")).hasSize(1);
        assertThat(answer.path("reason_codes").get(0).asText()).isEqualTo("RULE_ERROR");
        assertThat(answer.path("waiver_ref").isNull()).isTrue();
        assertThat(answer.path("trace_artifact_ref").isNull()).isTrue();
        assertThat(answer.path("downgrade_reason").asText()).contains(BROKEN_RULE).contains("boom");
        assertThat(answer.path("rule_error").path("rule_name").asText()).isEqualTo(BROKEN_RULE);
        assertThat(answer.path("rule_error").path("rule_package").asText()).isEqualTo("org.execpolicy.rules.broken");
        assertThat(answer.path("rule_error").path("message").asText())
                .isEqualTo("java.lang.IllegalStateException: boom");
        assertThat(answer.path("ruleset").path("rules_fired")).as("the firings before the error")
                .isNotEmpty()
                .noneMatch(rule -> rule.asText().equals(BROKEN_RULE));

        JsonNode record = pdp.get("/v1/events/" + answer.path("event_id").asText()).json();
        assertThat(record.path("type").asText()).isEqualTo("llm_exec_policy");
        assertThat(record.path("rule_error")).isEqualTo(answer.path("rule_error"));
        assertThat(record.path("reason_codes")).isEqualTo(answer.path("reason_codes"));

        JsonNode recorded = pdp.get("/v1/decisions/" + answer.path("decision_id").asText()).json();
        assertThat(recorded.path("rule_error")).isEqualTo(answer.path("rule_error"));
        assertThat(recorded.path("rule_firings")).hasSameSizeAs(answer.path("ruleset").path("rules_fired"));
    }

    @Test
    void a_decision_without_rule_error_has_no_rule_error_field() {
        double errorsBefore = metric("pdp_rule_errors_total");
        Reply reply = pdp.post("/v1/decisions", request("llama-7b"));
        assertThat(metric("pdp_rule_errors_total")).as("no rule error, no count").isEqualTo(errorsBefore);

        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        JsonNode answer = reply.json();
        assertThat(answer.has("rule_error")).isFalse();
        assertThat(answer.path("exactness").asText()).isEqualTo("exact");
        assertThat(answer.path("reason_codes").toString()).doesNotContain("RULE_ERROR");
        JsonNode record = pdp.get("/v1/events/" + answer.path("event_id").asText()).json();
        assertThat(record.path("rule_error").isNull()).as("the record says there was none").isTrue();
    }
}
