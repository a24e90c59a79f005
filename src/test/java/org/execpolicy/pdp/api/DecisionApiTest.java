package org.execpolicy.pdp.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.execpolicy.pdp.api.Bodies.decision;
import static org.execpolicy.pdp.api.Bodies.marked;
import static org.execpolicy.pdp.api.Bodies.marker;
import static org.execpolicy.pdp.api.Bodies.policy;
import static org.execpolicy.pdp.api.Bodies.uid;
import static org.execpolicy.pdp.api.Bodies.withPolicy;
import static org.execpolicy.pdp.api.Steps.decide;
import static org.execpolicy.pdp.api.Steps.putProfile;
import static org.execpolicy.pdp.api.Steps.putRole;
import static org.execpolicy.pdp.api.Steps.texts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.execpolicy.pdp.json.CanonicalJson;
import org.execpolicy.pdp.json.Json;
import org.execpolicy.pdp.support.FixtureRules;
import org.execpolicy.pdp.support.RunningPdp;
import org.execpolicy.pdp.support.RunningPdp.Reply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The machinery of POST /v1/decisions over HTTP: the answer's shape, hashes and determinism, which
 * work profile reaches the rules, the reservation of trace artifacts, the records and the refusals of
 * bad input. It runs on the fixture ruleset {@code echo} (src/test/resources/rulesets/README.md), which
 * answers with the policy it is given, so no test here depends on what the shipped rules/ decide:
 * that is for the rule cases (rules/tests/*.yaml) and the features. Every request names its profile
 * by profile_id, so tests sharing the server never see each other's active profile (except the tests
 * of activation, which set it last).
 */
class DecisionApiTest {
    static RunningPdp pdp;

    @BeforeAll
    static void start() {
        pdp = RunningPdp.start(RunningPdp.freshDataDir(), FixtureRules.ECHO, false);
    }

    @AfterAll
    static void stop() {
        pdp.close();
    }

    /** A stored profile with the given compute block for one core role; its id. */
    static String profileWith(String role, ObjectNode compute) {
        String id = uid("wp");
        putProfile(pdp, Bodies.profile(id, role, compute));
        return id;
    }

    static String plainProfile() {
        String id = uid("wp");
        putProfile(pdp, Bodies.profile(id));
        return id;
    }

    /** A policy with a policy_id, budgets and the blocks of several modes, to hash and compare. */
    static ObjectNode richPolicy(String mode, String exactness) {
        ObjectNode policy = policy(mode, exactness);
        policy.put("policy_id", "preset-42");
        policy.putObject("budgets").put("max_total_ms", 5000).put("max_decode_ms", 4000)
                .put("max_layers", 48).put("max_vram_mb", 16000).put("max_ram_mb", 0);
        policy.putObject("spec_decode").put("draft_model_id", "draft-1b").put("draft_top_k", 4)
                .put("max_draft_tokens", 8).put("verify_strategy", "classic");
        policy.putObject("layer_skip").put("schedule", "fixed").put("skip_ratio", 0.5)
                .putArray("protected_layers").add(0).add(1);
        policy.putObject("mem_offload").put("strategy", "kv_paged").put("prefetch", false);
        return policy;
    }

    /** A tool call, which the echo fixture answers standard/exact whatever it asked: effective differs from requested. */
    static ObjectNode toolCall(ObjectNode request) {
        request.put("task_type", "tool_call");
        return request;
    }

    // ---- trace artifacts (SPEC 3.8): the server reserves one per decision the rules say needs it

    @Test
    void every_decision_whose_rules_require_an_artifact_reserves_its_own() {
        ObjectNode request = withPolicy(decision("worker", plainProfile()), policy("layer_skip", "approximate"));

        JsonNode first = decide(pdp, request);
        JsonNode second = decide(pdp, request);

        assertThat(first.get("exactness").asText()).isEqualTo("approximate");
        for (JsonNode answer : List.of(first, second)) {
            assertThat(answer.get("trace_artifact_ref").asText())
                    .isEqualTo("/v1/traces/" + answer.get("decision_id").asText());
            assertThat(answer.get("trace_artifact_null_reason").isNull()).isTrue();
        }
        assertThat(first.get("trace_artifact_ref").asText()).isNotEqualTo(second.get("trace_artifact_ref").asText());
    }

    @Test
    void a_decision_whose_rules_require_no_artifact_has_none() {
        JsonNode answer = decide(pdp, withPolicy(decision("worker", plainProfile()), policy("spec_decode", "exact")));

        assertThat(answer.get("trace_artifact_ref").isNull()).isTrue();
    }

    // ---- shape, hashes, determinism (SPEC 3.7, 3.11)

    @Test
    void hashes_are_sha256_of_the_rfc8785_canonical_policies_returned() {
        List<JsonNode> answers = List.of(
                decide(pdp, decision("worker", plainProfile())),
                decide(pdp, withPolicy(decision("worker", plainProfile()), richPolicy("spec_decode", "exact"))),
                decide(pdp, toolCall(withPolicy(decision("worker", plainProfile()), richPolicy("layer_skip", "approximate")))),
                decide(pdp, decision("worker", profileWith("worker", marked("hashed")))));

        for (JsonNode answer : answers) {
            assertThat(answer.get("requested_policy_hash").asText())
                    .matches("[0-9a-f]{64}")
                    .isEqualTo(CanonicalJson.sha256Hex(answer.get("requested_policy")));
            assertThat(answer.get("effective_policy_hash").asText())
                    .matches("[0-9a-f]{64}")
                    .isEqualTo(CanonicalJson.sha256Hex(answer.get("effective_policy")));
        }
        // the tool call's effective policy is not the one it asked for: each hash is of its own policy
        JsonNode changed = answers.get(2);
        assertThat(changed.get("effective_policy").get("mode").asText()).isEqualTo("standard");
        assertThat(changed.get("requested_policy_hash").asText())
                .isNotEqualTo(changed.get("effective_policy_hash").asText());
        JsonNode untouched = answers.get(0);
        assertThat(untouched.get("requested_policy_hash").asText())
                .isEqualTo(untouched.get("effective_policy_hash").asText());
    }

    @Test
    void the_requested_hash_ignores_member_order_and_number_spelling() {
        String wp = plainProfile();
        String a = "{\"mode\":\"layer_skip\",\"exactness\":\"approximate\",\"layer_skip\":{\"skip_ratio\":0.5,\"schedule\":\"fixed\"},"
                + "\"budgets\":{\"max_total_ms\":100}}";
        String b = "{\"budgets\":{\"max_total_ms\":1.0E2},\"layer_skip\":{\"schedule\":\"fixed\",\"skip_ratio\":0.50},"
                + "\"exactness\":\"approximate\",\"mode\":\"layer_skip\"}";

        JsonNode first = decide(pdp, withPolicy(decision("worker", wp), Json.parseObject(a)));
        JsonNode second = decide(pdp, withPolicy(decision("worker", wp), Json.parseObject(b)));

        assertThat(first.get("requested_policy_hash").asText()).isEqualTo(second.get("requested_policy_hash").asText());
        assertThat(first.get("effective_policy_hash").asText()).isEqualTo(second.get("effective_policy_hash").asText());
    }

    @Test
    void the_same_inputs_give_the_same_effective_policy_and_hashes() {
        ObjectNode approximate = withPolicy(decision("worker", plainProfile()), richPolicy("layer_skip", "approximate"));
        ObjectNode fromProfile = decision("worker", profileWith("worker", marked("same")));
        ObjectNode changed = toolCall(withPolicy(decision("worker", plainProfile()), richPolicy("mem_offload", "exact")));

        for (ObjectNode request : List.of(approximate, fromProfile, changed)) {
            JsonNode first = decide(pdp, request);
            JsonNode second = decide(pdp, request);
            assertThat(second.get("decision_id").asText()).isNotEqualTo(first.get("decision_id").asText());
            for (String field : List.of("requested_source", "requested_policy", "requested_policy_hash",
                    "effective_policy", "effective_policy_hash", "mode", "exactness", "downgraded",
                    "downgrade_reason", "reason_codes", "adjustments", "waiver_ref", "codes", "ruleset")) {
                assertThat(second.get(field)).as(field).isEqualTo(first.get(field));
            }
            assertThat(CanonicalJson.canonicalize(second.get("effective_policy")))
                    .isEqualTo(CanonicalJson.canonicalize(first.get("effective_policy")));
        }
    }

    @Test
    void the_answer_has_every_field_of_the_contract() {
        JsonNode answer = decide(pdp, decision("worker", plainProfile()));

        assertThat(answer.fieldNames()).toIterable().contains(
                "decision_id", "event_id", "trace_id", "requested_source", "requested_policy",
                "requested_policy_hash", "effective_policy", "effective_policy_hash", "mode", "exactness",
                "downgraded", "downgrade_reason", "adjusted", "reason_codes", "adjustments", "waiver_ref",
                "trace_artifact_ref", "trace_artifact_null_reason", "codes", "cloud_reasoning_strength", "ruleset");
        assertThat(answer.get("ruleset").get("digest").asText()).matches("[0-9a-f]{64}");
        assertThat(texts(answer.get("ruleset").get("rules_fired")))
                .contains("echo: else standard and exact", "echo: the effective policy is the requested one");
    }

    @Test
    void the_answer_echoes_the_trace_id() {
        ObjectNode request = decision("worker", plainProfile());

        JsonNode answer = decide(pdp, request);

        assertThat(answer.get("trace_id").asText()).isEqualTo(request.get("trace_id").asText());
    }

    @Test
    void the_reason_codes_the_rules_give_are_answered() {
        JsonNode answer = decide(pdp, toolCall(withPolicy(decision("worker", plainProfile()), policy("spec_decode", "exact"))));

        assertThat(texts(answer.get("reason_codes"))).containsExactly("ECHO_TOOL_CALL");
        assertThat(answer.get("mode").asText()).isEqualTo("standard");
    }

    // ---- which profile reaches the rules (SPEC 3, inputs)

    @Test
    void the_active_profile_applies_when_none_is_named_and_a_named_profile_wins_over_it() {
        String active = profileWith("worker", marked("active"));
        String named = profileWith("worker", marked("named"));
        Steps.activate(pdp, active);

        JsonNode byActive = decide(pdp, decision("worker"));
        JsonNode byName = decide(pdp, decision("worker", named));

        assertThat(byActive.get("requested_source").asText()).isEqualTo("work_profile");
        assertThat(byActive.get("requested_policy")).isEqualTo(marker("active"));
        assertThat(byName.get("requested_source").asText()).isEqualTo("work_profile");
        assertThat(byName.get("requested_policy")).isEqualTo(marker("named"));
    }

    @Test
    void activating_another_profile_changes_the_next_decision() {
        String first = profileWith("worker", marked("first"));
        String second = profileWith("worker", marked("second"));

        Steps.activate(pdp, first);
        JsonNode underFirst = decide(pdp, decision("worker"));
        Steps.activate(pdp, second);
        JsonNode underSecond = decide(pdp, decision("worker"));

        assertThat(underFirst.get("requested_policy")).isEqualTo(marker("first"));
        assertThat(underSecond.get("requested_policy")).isEqualTo(marker("second"));
    }

    @Test
    void an_unknown_profile_id_is_refused_with_422_naming_profile_id_and_nothing_is_recorded() {
        int before = Steps.countEvents(pdp);
        String unknown = uid("wp-nobody-saved");

        Reply reply = pdp.post("/v1/decisions", decision("worker", unknown).toString());

        assertThat(reply.status()).isEqualTo(422);
        assertThat(reply.contentType()).startsWith("application/problem+json");
        JsonNode problem = reply.json();
        assertThat(problem.get("status").asInt()).isEqualTo(422);
        assertThat(problem.get("error_type").asText()).isEqualTo("invalid_request");
        assertThat(problem.get("errors").get(0).get("path").asText()).isEqualTo("/profile_id");
        assertThat(problem.get("detail").asText()).contains(unknown);
        assertThat(Steps.countEvents(pdp)).isEqualTo(before);
    }

    // ---- the runtime's session identifiers (SPEC 5, v2)

    @Test
    void session_model_instance_and_model_session_ids_are_recorded_with_the_decision() {
        ObjectNode request = decision("worker", plainProfile());
        request.put("session_id", "sess-1").put("model_instance_id", "inst-2").put("model_session_id", "msess-3");

        JsonNode answer = decide(pdp, request);
        Reply stored = pdp.get("/v1/decisions/" + answer.get("decision_id").asText());

        assertThat(stored.status()).isEqualTo(200);
        assertThat(stored.json().get("session_id").asText()).isEqualTo("sess-1");
        assertThat(stored.json().get("model_instance_id").asText()).isEqualTo("inst-2");
        assertThat(stored.json().get("model_session_id").asText()).isEqualTo("msess-3");
    }

    @ParameterizedTest
    @CsvSource({"session_id", "model_instance_id", "model_session_id"})
    void an_overlong_session_identifier_is_refused_naming_it_and_nothing_is_recorded(String field) {
        ObjectNode request = decision("worker", plainProfile());
        request.put(field, "s".repeat(257));
        int before = Steps.countEvents(pdp);

        Reply reply = pdp.post("/v1/decisions", request.toString());

        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.contentType()).startsWith("application/problem+json");
        assertThat(reply.json().get("errors").get(0).get("path").asText()).isEqualTo("/" + field);
        assertThat(reply.json().get("message").asText()).isEqualTo(reply.json().get("detail").asText());
        assertThat(Steps.countEvents(pdp)).isEqualTo(before);
    }

    @Test
    void every_record_of_a_decision_names_it_as_policy_decision_id() {
        JsonNode answer = decide(pdp, decision("worker", plainProfile()));
        String id = answer.get("decision_id").asText();

        Reply events = pdp.get("/v1/events?decision_id=" + id);

        assertThat(events.status()).isEqualTo(200);
        List<JsonNode> records = new ArrayList<>();
        events.json().get("items").forEach(records::add);
        assertThat(records).hasSize(1 + answer.get("ruleset").get("rules_fired").size());
        records.forEach(record -> assertThat(record.get("policy_decision_id").asText()).as(record.toString())
                .isEqualTo(id));
    }

    // ---- a strict top level (SPEC 2, 3.8, v2)

    @Test
    void an_unknown_top_level_field_is_still_400_and_stores_nothing() {
        ObjectNode request = decision("worker", plainProfile());
        request.put("speculative", true);
        int before = Steps.countEvents(pdp);

        Reply reply = pdp.post("/v1/decisions", request.toString());

        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.json().get("errors").findValuesAsText("path")).contains("/speculative");
        assertThat(Steps.countEvents(pdp)).isEqualTo(before);
    }

    // ---- a dynamic role without inherits (SPEC 2, v2)

    @Test
    void a_dynamic_role_without_inherits_is_stored_and_recorded_with_inherits_null() {
        String roleId = uid("drafter");
        ObjectNode role = Json.object().put("role_id", roleId);
        role.set("compute", marked("own"));

        putRole(pdp, role);

        assertThat(pdp.get("/v1/roles/" + roleId).status()).isEqualTo(200);
        JsonNode changed = pdp.get("/v1/events?type=dynamic_role_changed&limit=10").json().get("items");
        List<JsonNode> ofRole = new ArrayList<>();
        changed.forEach(r -> { if (r.get("role_id").asText().equals(roleId)) { ofRole.add(r); } });
        assertThat(ofRole).hasSize(1);
        assertThat(ofRole.get(0).get("inherits").isNull()).isTrue();
    }

    @Test
    void a_dynamic_role_with_neither_inherits_nor_compute_is_422_naming_inherits_and_not_stored() {
        String roleId = uid("empty");
        int before = Steps.countEvents(pdp);

        Reply reply = pdp.put("/v1/roles/" + roleId, Json.object().put("role_id", roleId).toString());

        assertThat(reply.status()).isEqualTo(422);
        assertThat(reply.json().get("errors").get(0).get("path").asText()).isEqualTo("/inherits");
        assertThat(pdp.get("/v1/roles/" + roleId).status()).isEqualTo(404);
        assertThat(Steps.countEvents(pdp)).isEqualTo(before);
    }
}
