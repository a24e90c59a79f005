package org.execpolicy.pdp.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import org.execpolicy.pdp.json.Json;
import org.execpolicy.pdp.model.ReportedRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine gives a session only the globals its ruleset declares: a ruleset whose rules never
 * write the outcome (or have no report rules, so no verdict) decides and judges like any other,
 * instead of failing every decision on Drools' "Unexpected global".
 */
class SessionGlobalsTest {
    @TempDir
    Path dir;

    private RuleEngine engineWithoutGlobals() throws IOException {
        Files.writeString(dir.resolve("plain.drl"), """
                // salience-band: 0..99
                package org.execpolicy.fixture.plain;
                import org.execpolicy.pdp.model.*;

                rule "plain: every decision is spec_decode, exact"
                    @description("Every decision is spec_decode, exact; the outcome is never written.")
                when
                    not Requested()
                then
                    ExecPolicy policy = ExecPolicy.of( "spec_decode", "exact" );
                    insert( Requested.policy( "runtime_default", policy ) );
                    insert( new Effective( policy ) );
                end
                """);
        return new RuleEngine(Ruleset.compile(dir));
    }

    @Test
    void a_ruleset_that_declares_no_outcome_decides_without_a_rule_error() throws IOException {
        Evaluation e = engineWithoutGlobals().evaluate(FactAssembler.assemble(Json.parseObject(
                "{\"trace_id\":\"t\",\"role\":\"worker\",\"task_type\":\"chat\",\"model_id\":\"m-7b\"}"),
                null, null, id -> Optional.empty(), Instant.parse("2026-11-25T12:00:00Z")));

        assertThat(e.ruleError()).isNull();
        assertThat(e.effective().getMode()).isEqualTo("spec_decode");
        assertThat(e.outcome().getReasonCodes()).isEmpty();
    }

    @Test
    void a_ruleset_without_report_rules_judges_a_report_to_no_violation() throws IOException {
        ReportEvaluation judged = engineWithoutGlobals().evaluateReport(ReportedRun.of(
                Json.parseObject("{\"mode\":\"spec_decode\",\"exactness\":\"exact\"}"),
                Json.parseObject("{\"mode\":\"standard\",\"exactness\":\"exact\"}"), false));

        assertThat(judged.firings()).isEmpty();
        assertThat(judged.outcome().getViolations()).isEmpty();
    }
}
