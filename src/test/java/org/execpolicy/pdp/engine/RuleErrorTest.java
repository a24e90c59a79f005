package org.execpolicy.pdp.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.execpolicy.pdp.json.CanonicalJson;
import org.execpolicy.pdp.json.Json;
import org.execpolicy.pdp.recorder.RecordSchemas;
import org.execpolicy.pdp.support.ShippedRules;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rule errors are decisions: the shipped rules plus one broken rule, through the
 * real engine. The answer is the safe default standard/exact with RULE_ERROR,
 * the failing rule is named, the firings before it are kept, and it is counted.
 */
class RuleErrorTest {
    private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
    private static final String APPROXIMATE_REQUEST = """
            {"trace_id":"t","role":"worker","task_type":"chat","model_id":"m-7b","backend":"local",
             "settings":{"exec_policy":{"mode":"layer_skip","exactness":"approximate","layer_skip":{"skip_ratio":0.3}}}}""";
    private static final String PLAIN_REQUEST = """
            {"trace_id":"t","role":"worker","task_type":"chat","model_id":"m-7b","backend":"local"}""";

    @TempDir
    Path dir;

    /**
     * The shipped rules and one more file, which declares its salience band in a range the shipped
     * bands leave free (250..299 between shape and trace, 0..99 below codes, above 1000).
     */
    private RuleEngine engineWith(String extraDrl) throws IOException {
        ShippedRules.copyTo(dir);
        Files.writeString(dir.resolve("zz_broken.drl"), """
                package org.execpolicy.rules.broken;
                import org.execpolicy.pdp.model.*;

                """ + extraDrl);
        return new RuleEngine(Ruleset.compile(dir));
    }

    private static Evaluation evaluate(RuleEngine engine, String request) {
        return engine.evaluate(FactAssembler.assemble(Json.parseObject(request), null, null,
                id -> Optional.empty(), NOW));
    }

    private static void assertSafeDefault(Evaluation e) {
        assertThat(e.effective().getMode()).isEqualTo("standard");
        assertThat(e.effective().getExactness()).isEqualTo("exact");
        assertThat(e.effective().getPolicy().toJson()).isEqualTo(Json.parseObject(
                "{\"mode\":\"standard\",\"exactness\":\"exact\"}"));
        assertThat(e.outcome().getReasonCodes()).containsExactly("RULE_ERROR");
        assertThat(e.outcome().getAdjustments()).isEmpty();
        assertThat(e.outcome().getCodes()).isEmpty();
        assertThat(e.outcome().getWaiverRef()).isNull();
        assertThat(e.outcome().isTraceArtifactRequired()).isFalse();
        assertThat(e.outcome().isModelPermitted()).as("fail closed: no permission rule vouched for the call").isFalse();
        assertThat(e.ruleError()).isNotNull();
    }

    private static ObjectNode decisionRecord(Evaluation e) {
        ObjectNode record = DecisionRecords.of("d-1", FactAssembler.assemble(Json.parseObject(PLAIN_REQUEST), null,
                null, id -> Optional.empty(), NOW), null, e, (kind, body) -> CanonicalJson.sha256Hex(body)).get(0);
        new RecordSchemas().validate(record);
        return record;
    }

    @Test
    void a_consequence_that_throws_gives_the_safe_default_naming_the_rule_and_keeps_the_earlier_firings() throws IOException {
        RuleEngine engine = engineWith("""
                // salience-band: 250..299
                rule "broken: throws after the shape of the policy is settled"
                    @description("test: a consequence that throws, between the shape and trace bands")
                    salience 250
                when
                    Effective()
                then
                    throw new IllegalStateException("boom in the consequence");
                end
                """);
        Evaluation e = evaluate(engine, APPROXIMATE_REQUEST);

        assertSafeDefault(e);
        assertThat(e.requested().getSource()).as("the rules had determined the requested policy").isEqualTo("request");
        assertThat(e.requested().getPolicy().getMode()).isEqualTo("layer_skip");
        assertThat(e.effective().isDowngraded()).isTrue();
        assertThat(e.outcome().getDowngradeReason())
                .contains("broken: throws after the shape of the policy is settled")
                .contains("java.lang.IllegalStateException: boom in the consequence")
                .doesNotContain("APPROXIMATE_NOT_ALLOWED");
        assertThat(e.outcome().getTraceArtifactNullReason()).isEqualTo("trace_not_requested");
        assertThat(e.ruleError()).isEqualTo(new RuleError("broken: throws after the shape of the policy is settled",
                "org.execpolicy.rules.broken", "java.lang.IllegalStateException: boom in the consequence"));
        assertThat(e.firings()).extracting(Firing::ruleName)
                .as("every firing before the error, in order; the failing rule did not complete")
                .containsSubsequence(
                        "role class: a core role is its own class",
                        "requested: the request's settings.exec_policy",
                        "effective: starts as the requested policy",
                        "governance: approximate needs a governing control that allows it",
                        "governance: refused approximate execution falls back to exact",
                        "shape: downgraded when the effective mode or exactness differs from the requested one",
                        "shape: only the settings block of its own mode is kept")
                .doesNotContain("broken: throws after the shape of the policy is settled")
                .noneMatch(name -> name.startsWith("trace: "));
        assertThat(engine.ruleErrors().count("broken: throws after the shape of the policy is settled")).isEqualTo(1);

        evaluate(engine, APPROXIMATE_REQUEST);
        assertThat(engine.ruleErrors().count("broken: throws after the shape of the policy is settled")).isEqualTo(2);
        assertThat(engine.ruleErrors().total()).isEqualTo(2);
        assertThat(engine.ruleErrors().snapshot())
                .containsExactly(java.util.Map.entry("broken: throws after the shape of the policy is settled", 2L));

        ObjectNode record = decisionRecord(e);
        assertThat(record.path("reason_codes")).isEqualTo(Json.array(List.of("RULE_ERROR")));
        assertThat(record.path("model_permitted").isBoolean()).isTrue();
        assertThat(record.path("model_permitted").asBoolean()).isFalse();
        assertThat(record.path("mode").asText()).isEqualTo("standard");
        assertThat(record.path("exactness").asText()).isEqualTo("exact");
        assertThat(record.path("waiver_ref").isNull()).isTrue();
        assertThat(record.path("rule_error").path("rule_name").asText())
                .isEqualTo("broken: throws after the shape of the policy is settled");
        assertThat(record.path("rule_error").path("rule_package").asText()).isEqualTo("org.execpolicy.rules.broken");
        assertThat(record.path("rule_error").path("message").asText()).contains("boom in the consequence");
    }

    @Test
    void an_error_before_the_requested_policy_is_known_answers_the_runtime_default() throws IOException {
        RuleEngine engine = engineWith("""
                // salience-band: 5000..5000
                rule "broken: throws before anything else"
                    @description("test: a consequence that throws before every other rule")
                    salience 5000
                when
                    DecisionRequest()
                then
                    throw new UnsupportedOperationException("first");
                end
                """);
        Evaluation e = evaluate(engine, APPROXIMATE_REQUEST);

        assertSafeDefault(e);
        assertThat(e.firings()).isEmpty();
        assertThat(e.requested().getSource()).isEqualTo("runtime_default");
        assertThat(e.requested().getPolicy().toJson()).isEqualTo(e.effective().getPolicy().toJson());
        assertThat(e.effective().isDowngraded()).isFalse();
        assertThat(e.outcome().getDowngradeReason()).contains("broken: throws before anything else");
        assertThat(e.ruleError().ruleName()).isEqualTo("broken: throws before anything else");
        assertThatCode(() -> decisionRecord(e)).doesNotThrowAnyException();
    }

    @Test
    void a_request_that_asked_for_a_trace_is_told_exact_execution_has_none() throws IOException {
        RuleEngine engine = engineWith("""
                // salience-band: 250..299
                rule "broken: throws once the effective policy exists"
                    @description("test: a consequence that throws")
                    salience 250
                when
                    Effective()
                then
                    throw new IllegalStateException("x");
                end
                """);
        Evaluation e = evaluate(engine, """
                {"trace_id":"t","role":"worker","task_type":"chat","model_id":"m-7b",
                 "settings":{"exec_policy":{"mode":"standard","exactness":"exact","trace":{"level":"per_token"}}}}""");

        assertSafeDefault(e);
        assertThat(e.effective().isDowngraded()).isFalse();
        assertThat(e.outcome().getTraceArtifactNullReason()).isEqualTo("exact_execution");
        assertThat(e.effective().getPolicy().toJson().has("trace")).as("the safe default is bare").isFalse();
    }

    @Test
    void a_condition_that_cannot_be_evaluated_is_a_rule_error_of_its_rule() throws IOException {
        RuleEngine engine = engineWith("""
                // salience-band: 250..299
                rule "broken: a condition that throws"
                    @description("test: the constraint throws StringIndexOutOfBoundsException")
                    salience 250
                when
                    Effective( mode.substring( 100 ) == "x" )
                then
                end
                """);
        Evaluation e = evaluate(engine, APPROXIMATE_REQUEST);

        assertSafeDefault(e);
        assertThat(e.ruleError().ruleName()).isEqualTo("broken: a condition that throws");
        assertThat(e.ruleError().rulePackage()).isEqualTo("org.execpolicy.rules.broken");
        assertThat(e.ruleError().message()).contains("mode.substring( 100 )")
                .contains("StringIndexOutOfBoundsException").doesNotContain("\n");
        assertThat(e.firings()).extracting(Firing::ruleName).startsWith("role class: a core role is its own class");
        assertThat(engine.ruleErrors().count("broken: a condition that throws")).isEqualTo(1);
    }

    @Test
    void an_eval_that_throws_is_a_rule_error_of_its_rule() throws IOException {
        RuleEngine engine = engineWith("""
                // salience-band: 0..99
                rule "broken: an eval that throws"
                    @description("test: eval() throws NumberFormatException")
                when
                    $request : DecisionRequest()
                    eval( Integer.parseInt( $request.getRole() ) > 0 )
                then
                end
                """);
        Evaluation e = evaluate(engine, PLAIN_REQUEST);

        assertSafeDefault(e);
        assertThat(e.ruleError().ruleName()).isEqualTo("broken: an eval that throws");
        assertThat(e.ruleError().message()).startsWith("java.lang.NumberFormatException");
    }

    @Test
    void a_failure_drools_does_not_attribute_is_still_a_rule_error_counted_as_unattributed() throws IOException {
        RuleEngine engine = engineWith("""
                // salience-band: 0..99
                rule "broken: a from expression that throws"
                    @description("test: the from expression throws; Drools does not say which rule it belongs to")
                when
                    $request : DecisionRequest()
                    String() from $request.getRole().substring( 100 )
                then
                end
                """);
        Evaluation e = evaluate(engine, PLAIN_REQUEST);

        assertSafeDefault(e);
        assertThat(e.ruleError().ruleName()).isNull();
        assertThat(e.ruleError().message()).contains("StringIndexOutOfBoundsException");
        assertThat(e.outcome().getDowngradeReason()).contains("a rule Drools did not name");
        assertThat(engine.ruleErrors().count(null)).isEqualTo(1);
        assertThat(engine.ruleErrors().snapshot()).containsKey(RuleErrors.UNATTRIBUTED);
        assertThatCode(() -> decisionRecord(e)).doesNotThrowAnyException();
    }

    @Test
    void rules_that_never_settle_are_a_rule_error_naming_the_looping_rules() throws IOException {
        RuleEngine engine = engineWith("""
                // salience-band: 0..99
                rule "loop: standard becomes spec_decode"
                    @description("test: undoes the other loop rule")
                when $e : Effective( mode == "standard" )
                then $e.getPolicy().switchTo( "spec_decode", "exact" ); update( $e );
                end

                rule "loop: spec_decode becomes standard"
                    @description("test: undoes the other loop rule")
                when $e : Effective( mode == "spec_decode" )
                then $e.getPolicy().switchTo( "standard", "exact" ); update( $e );
                end
                """);
        Evaluation e = evaluate(engine, PLAIN_REQUEST);

        assertSafeDefault(e);
        assertThat(e.ruleError().ruleName()).startsWith("loop: ");
        assertThat(e.ruleError().message()).contains("did not settle after " + RuleEngine.MAX_FIRINGS)
                .contains("loop: standard becomes spec_decode").contains("loop: spec_decode becomes standard");
        assertThat(e.firings()).hasSize(RuleEngine.MAX_FIRINGS);
        assertThat(engine.ruleErrors().count(e.ruleError().ruleName())).isEqualTo(1);
    }

    @Test
    void a_long_multi_line_message_is_bounded_to_one_line() throws IOException {
        RuleEngine engine = engineWith("""
                // salience-band: 0..99
                rule "broken: a very long message"
                    @description("test: the exception message is long and spans lines")
                when
                    DecisionRequest()
                then
                    throw new IllegalStateException( "line one\\nline two " + "x".repeat( 2000 ) );
                end
                """);
        Evaluation e = evaluate(engine, PLAIN_REQUEST);

        assertThat(e.ruleError().message()).hasSizeLessThanOrEqualTo(RuleError.MAX_MESSAGE_CHARS)
                .startsWith("java.lang.IllegalStateException: line one line two x").doesNotContain("\n").endsWith("…");
        assertThatCode(() -> decisionRecord(e)).doesNotThrowAnyException();
    }

    @Test
    void a_decision_without_rule_error_records_none() throws IOException {
        RuleEngine engine = engineWith("""
                // salience-band: 0..99
                rule "broken: never matches"
                    @description("test: a rule that never fires")
                when
                    DecisionRequest( role == "nobody" )
                then
                    throw new IllegalStateException("never");
                end
                """);
        Evaluation e = evaluate(engine, APPROXIMATE_REQUEST);

        assertThat(e.ruleError()).isNull();
        assertThat(e.outcome().getReasonCodes()).doesNotContain("RULE_ERROR");
        assertThat(decisionRecord(e).get("rule_error").isNull()).isTrue();
        assertThat(engine.ruleErrors().total()).isZero();
    }
}
