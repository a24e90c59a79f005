package org.execpolicy.pdp.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import org.execpolicy.pdp.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rules give reason codes one way, as facts; the engine carries them to the answer in the order given. */
class ReasonCodesTest {
    private static final Path REASONS = Path.of("src/test/resources/rulesets/reasons");

    @TempDir
    Path dir;

    @Test
    void reason_code_facts_of_every_kind_reach_the_answer_in_the_order_inserted_once_each() {
        Evaluation e = new RuleEngine(Ruleset.compile(REASONS)).evaluate(FactAssembler.assemble(Json.parseObject(
                "{\"trace_id\":\"t\",\"role\":\"worker\",\"task_type\":\"chat\",\"model_id\":\"m-7b\"}"),
                null, null, id -> Optional.empty(), Instant.parse("2026-11-25T12:00:00Z")));

        assertThat(e.ruleError()).isNull();
        assertThat(e.outcome().getReasonCodes()).containsExactly("ZULU_REFUSED", "ALPHA_NOTED", "MIKE_MODEL");
        assertThat(e.outcome().getDowngradeReason()).isEqualTo("given: ZULU_REFUSED, ALPHA_NOTED, MIKE_MODEL");
    }

    @Test
    void a_rule_that_adds_a_reason_code_to_the_outcome_is_refused_by_the_hygiene_check() throws IOException {
        Files.writeString(dir.resolve("listed.drl"), """
                // salience-band: 0..99
                package org.execpolicy.rules;
                import org.execpolicy.pdp.model.*;
                global Outcome outcome;

                rule "listed: a reason code written into the outcome"
                    @description("test")
                when
                    DecisionRequest()
                then
                    outcome.addReason( "LISTED" );
                end
                """);

        assertThatThrownBy(() -> Ruleset.compile(dir))
                .isInstanceOfSatisfying(RulesCompileException.class, e -> assertThat(e.messages())
                        .extracting(RuleMessage::toString)
                        .containsExactly("listed.drl:11: a rule gives a reason code by inserting a fact"
                                + " (new Reason( \"CODE\" ), or a Refusal or ModelRefusal), not with"
                                + " outcome.addReason"));
    }
}
