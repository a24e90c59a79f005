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

/**
 * The real engine on the shipped rules/, without HTTP or a database, asserting only what holds whatever the
 * rules decide. What the shipped rules decide is tested by their rule cases (rules/tests/*.yaml, `rules check`),
 * which is where this class's former per-concern cases live (presets, resolution, roles, governance, shape,
 * capability, codes).
 */
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
    void the_same_facts_give_the_same_effective_policy_hash() {
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
