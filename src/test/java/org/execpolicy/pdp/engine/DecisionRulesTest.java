package org.execpolicy.pdp.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.execpolicy.pdp.json.Json;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The shipped rules/ through the real engine, one concern at a time, without HTTP or a database. */
class DecisionRulesTest {
    private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
    private static RuleEngine engine;

    @BeforeAll
    static void compile() {
        engine = new RuleEngine(Ruleset.compile(Path.of("rules")));
    }

    private static ObjectNode request(String role, String execPolicy) {
        ObjectNode request = Json.parseObject("""
                {"trace_id":"t","role":"%s","task_type":"chat","model_id":"m-7b","backend":"local"}""".formatted(role));
        if (execPolicy != null) {
            request.putObject("settings").set("exec_policy", Json.parseObject(execPolicy));
        }
        return request;
    }

    private static ObjectNode profile(String workerCompute) {
        ObjectNode profile = Json.parseObject("""
                {"profile_id":"p","model_assignments":{
                  "frontend":{"primary_model_id":"m-7b","local_only":true},
                  "orchestrator":{"primary_model_id":"m-7b","local_only":true},
                  "worker":{"primary_model_id":"m-7b","local_only":true},
                  "validator":{"primary_model_id":"m-7b","local_only":true}}}""");
        ((ObjectNode) profile.path("model_assignments").path("worker")).set("compute", Json.parseObject(workerCompute));
        return profile;
    }

    private static final JsonNode ACTIVE_WAIVER = Json.parseObject("""
            {"waiver_id":"w1","check_waived":"approximate_execution","scope":{"roles":["worker"]},
             "justification":"j","approver":"a","created_at":"2026-11-01T00:00:00Z","expires_at":"2027-01-01T00:00:00Z"}""");

    private static Evaluation evaluate(JsonNode request, JsonNode profile, JsonNode role, Map<String, JsonNode> waivers) {
        return engine.evaluate(FactAssembler.assemble(request, profile, role,
                id -> Optional.ofNullable(waivers.get(id)), NOW));
    }

    @Test
    void theFastApproxPresetIsGrantedUnderAValidWaiverAndTraced() {
        Evaluation e = evaluate(request("worker", null),
                profile("""
                        {"speed_preset":"fast_approx","approximate":{"allowed":true,"waiver_ref":"w1"}}"""),
                null, Map.of("w1", ACTIVE_WAIVER));
        assertThat(e.requested().getSource()).isEqualTo("work_profile");
        assertThat(e.effective().getMode()).isEqualTo("layer_skip");
        assertThat(e.effective().getExactness()).isEqualTo("approximate");
        assertThat(e.outcome().getWaiverRef()).isEqualTo("w1");
        assertThat(e.outcome().isTraceArtifactRequired()).isTrue();
        assertThat(e.outcome().getAdjustments()).containsExactly("TRACE_FORCED");
        assertThat(e.effective().getPolicy().toJson().path("trace").path("level").asText()).isEqualTo("per_token");
        assertThat(e.firings()).extracting(Firing::ruleName).containsSubsequence(
                "role class: a core role is its own class",
                "requested: the work profile's speed_preset for the role class",
                "preset: fast_approx is layer skipping, approximate",
                "governing control: the work profile's compute.approximate for the role class",
                "trace: approximate execution is traced per token",
                "governance: granted approximate execution names its waiver");
    }

    @Test
    void governanceChecksAddEveryReasonThatHoldsInSpecOrder() {
        Evaluation e = evaluate(request("validator", """
                {"mode":"early_exit","exactness":"exact","policy_id":"fast-1"}"""), null, null, Map.of());
        assertThat(e.outcome().getReasonCodes()).containsExactly("EXACTNESS_RECLASSIFIED",
                "ROLE_VALIDATOR_EXACT_ONLY", "APPROXIMATE_NOT_ALLOWED", "WAIVER_MISSING");
        assertThat(e.effective().getMode()).isEqualTo("spec_decode");
        assertThat(e.effective().getExactness()).isEqualTo("exact");
        assertThat(e.effective().isDowngraded()).isTrue();
        assertThat(e.effective().getPolicy().getPolicyId()).as("policy_id survives only without downgrade").isNull();
        assertThat(e.outcome().getDowngradeReason()).contains("early_exit").contains("ROLE_VALIDATOR_EXACT_ONLY");
    }

    @Test
    void theEarlierOfTheWaiverAndProfileDeadlinesExpiresTheWaiver() {
        Evaluation e = evaluate(request("worker", null), profile("""
                {"speed_preset":"fast_approx","approximate":{"allowed":true,"waiver_ref":"w1",
                 "waiver_expires_at":"2026-11-25T12:00:00Z"}}"""), null, Map.of("w1", ACTIVE_WAIVER));
        assertThat(e.outcome().getReasonCodes()).containsExactly("WAIVER_EXPIRED");
        assertThat(e.effective().getExactness()).isEqualTo("exact");
        assertThat(e.outcome().getWaiverRef()).isNull();
    }

    @Test
    void aDynamicRoleInheritsItsClassAndItsComputeComesFirst() {
        JsonNode role = Json.parseObject("""
                {"role_id":"reviewer","inherits":"worker","compute":{"speed_preset":"fast_exact"}}""");
        Evaluation e = evaluate(request("reviewer", null), profile("""
                {"speed_preset":"standard"}"""), role, Map.of());
        assertThat(e.requested().getSource()).isEqualTo("dynamic_role");
        assertThat(e.effective().getMode()).isEqualTo("spec_decode");
        assertThat(e.outcome().getReasonCodes()).isEmpty();
    }

    @Test
    void anOverrideWinsOverThePresetOfTheSameComputeBlock() {
        Evaluation e = evaluate(request("worker", null), profile("""
                {"speed_preset":"fast_approx","exec_policy_override":{"mode":"mem_offload","exactness":"exact",
                 "mem_offload":{"strategy":"kv_paged"},"layer_skip":{"skip_ratio":0.2},"budgets":{"max_vram_mb":4096}}}"""),
                null, Map.of());
        assertThat(e.effective().getMode()).isEqualTo("mem_offload");
        JsonNode effective = e.effective().getPolicy().toJson();
        assertThat(effective.has("mem_offload")).isTrue();
        assertThat(effective.has("layer_skip")).as("only the settings of its own mode").isFalse();
        assertThat(effective.path("budgets").path("max_vram_mb").asInt()).isEqualTo(4096);
        assertThat(e.outcome().getTraceArtifactNullReason()).isEqualTo("trace_not_requested");
    }

    @Test
    void anUnsupportedModeFallsBackToStandardWhenSpecDecodeIsNotSupportedEither() {
        ObjectNode request = request("worker", """
                {"mode":"mem_offload","exactness":"exact","trace":{"level":"summary"}}""");
        request.putObject("runtime").putArray("supported_modes").add("standard");
        Evaluation e = evaluate(request, null, null, Map.of());
        assertThat(e.outcome().getReasonCodes()).containsExactly("MODE_UNSUPPORTED");
        assertThat(e.effective().getMode()).isEqualTo("standard");
        assertThat(e.outcome().getTraceArtifactNullReason()).isEqualTo("exact_execution");
    }

    @Test
    void cloudReasoningStrengthOnALocalBackendAddsCxMm005() {
        Evaluation e = evaluate(request("worker", null), profile("""
                {"speed_preset":"standard","cloud_reasoning_strength":"high"}"""), null, Map.of());
        assertThat(e.outcome().getCodes()).containsExactly("CX-MM-005");
        assertThat(e.outcome().getCloudReasoningStrength()).isEqualTo("high");
        assertThat(e.effective().isDowngraded()).isFalse();
    }

    @Test
    void theSameFactsGiveTheSameEffectivePolicyHash() {
        ObjectNode request = request("worker", """
                {"mode":"layer_skip","exactness":"approximate","layer_skip":{"skip_ratio":0.25,"protected_layers":[0,1]}}""");
        JsonNode profile = profile("""
                {"approximate":{"allowed":true,"waiver_ref":"w1"}}""");
        String first = evaluate(request, profile, null, Map.of("w1", ACTIVE_WAIVER)).effective().getPolicy().hash();
        for (int i = 0; i < 5; i++) {
            assertThat(evaluate(request, profile, null, Map.of("w1", ACTIVE_WAIVER)).effective().getPolicy().hash())
                    .isEqualTo(first);
        }
    }
}
