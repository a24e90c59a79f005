package org.execpolicy.pdp.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.execpolicy.pdp.api.Bodies.approximate;
import static org.execpolicy.pdp.api.Bodies.decision;
import static org.execpolicy.pdp.api.Bodies.fastApproxAllowed;
import static org.execpolicy.pdp.api.Bodies.marked;
import static org.execpolicy.pdp.api.Bodies.marker;
import static org.execpolicy.pdp.api.Bodies.override;
import static org.execpolicy.pdp.api.Bodies.policy;
import static org.execpolicy.pdp.api.Bodies.preset;
import static org.execpolicy.pdp.api.Bodies.supporting;
import static org.execpolicy.pdp.api.Bodies.uid;
import static org.execpolicy.pdp.api.Bodies.withPolicy;
import static org.execpolicy.pdp.api.Steps.createWaiver;
import static org.execpolicy.pdp.api.Steps.decide;
import static org.execpolicy.pdp.api.Steps.putProfile;
import static org.execpolicy.pdp.api.Steps.putRole;
import static org.execpolicy.pdp.api.Steps.texts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.execpolicy.pdp.json.CanonicalJson;
import org.execpolicy.pdp.json.Json;
import org.execpolicy.pdp.support.RunningPdp;
import org.execpolicy.pdp.support.SettableClock;
import org.execpolicy.pdp.support.RunningPdp.Reply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * POST /v1/decisions against the running server, with every piece of setup made
 * through the API itself: profiles, dynamic roles and waivers. Every request
 * names its profile by profile_id, so tests sharing the server never see each
 * other's active profile (except the tests of activation, which set it last).
 */
class DecisionApiTest {
    static final String TRACE_FORMAT = "hsk.layerwise_trace@0.1";

    static RunningPdp pdp;
    /** The server's clock: tests let hours pass so that waivers granted while valid expire. */
    static final SettableClock CLOCK = new SettableClock();

    @BeforeAll
    static void start() {
        pdp = RunningPdp.start(CLOCK);
    }

    @AfterAll
    static void stop() {
        pdp.close();
    }

    // ---- setup through the API

    /** A stored profile with the given compute block for one core role; its id. */
    static String profileWith(String role, ObjectNode compute) {
        String id = uid("wp");
        putProfile(pdp, Bodies.profile(id, role, compute));
        return id;
    }

    /** A stored profile with the same compute block for every core role. */
    static String profileWithAll(ObjectNode compute) {
        String id = uid("wp");
        ObjectNode profile = Bodies.profile(id);
        Bodies.CORE_ROLES.forEach(role ->
                ((ObjectNode) profile.get("model_assignments").get(role)).set("compute", compute.deepCopy()));
        putProfile(pdp, profile);
        return id;
    }

    static String plainProfile() {
        String id = uid("wp");
        putProfile(pdp, Bodies.profile(id));
        return id;
    }

    /** A stored waiver of approximate execution, any scope, valid for 30 days; its id. */
    static String validWaiver() {
        String id = uid("wv");
        createWaiver(pdp, Bodies.waiver(id));
        return id;
    }

    /** A profile whose worker runs fast_approx, allowed, backed by a fresh valid waiver. */
    static String grantedWorkerProfile() {
        return profileWith("worker", fastApproxAllowed(validWaiver()));
    }

    static List<String> reasons(JsonNode answer) {
        return texts(answer.get("reason_codes"));
    }

    static void assertExactFallback(JsonNode answer, String mode) {
        assertThat(answer.get("mode").asText()).isEqualTo(mode);
        assertThat(answer.get("exactness").asText()).isEqualTo("exact");
        assertThat(answer.get("effective_policy").get("mode").asText()).isEqualTo(mode);
        assertThat(answer.get("effective_policy").get("exactness").asText()).isEqualTo("exact");
        assertThat(answer.get("downgraded").asBoolean()).isTrue();
        assertThat(answer.get("downgrade_reason").isTextual()).isTrue();
        assertThat(answer.get("waiver_ref").isNull()).isTrue();
        assertThat(answer.get("trace_artifact_ref").isNull()).isTrue();
        assertThat(texts(answer.get("adjustments"))).doesNotContain("TRACE_FORCED");
    }

    static void assertGranted(JsonNode answer, String waiverId) {
        assertThat(answer.get("exactness").asText()).isEqualTo("approximate");
        assertThat(answer.get("downgraded").asBoolean()).isFalse();
        assertThat(answer.get("waiver_ref").asText()).isEqualTo(waiverId);
        assertThat(texts(answer.get("adjustments"))).contains("TRACE_FORCED");
    }

    // ---- reason codes (SPEC 3)

    @Test
    void an_unregistered_role_has_no_class_and_gets_no_profile_compute() {
        String wp = profileWithAll(marked("every-class"));

        JsonNode ghost = decide(pdp, decision(uid("ghost-role"), wp));
        JsonNode worker = decide(pdp, decision("worker", wp));

        assertThat(reasons(ghost)).containsExactly("ROLE_UNREGISTERED");
        assertThat(ghost.get("requested_source").asText()).isEqualTo("runtime_default");
        assertThat(ghost.get("mode").asText()).isEqualTo("standard");
        assertThat(ghost.get("exactness").asText()).isEqualTo("exact");
        assertThat(ghost.get("downgraded").asBoolean()).isFalse();
        // the same profile does apply to a core role: the difference is the role class
        assertThat(reasons(worker)).isEmpty();
        assertThat(worker.get("requested_source").asText()).isEqualTo("work_profile");
        assertThat(worker.get("requested_policy")).isEqualTo(marker("every-class"));
    }

    @Test
    void a_registered_dynamic_role_is_not_unregistered() {
        String wp = profileWith("worker", marked("worker"));
        String roleId = uid("summarizer");
        putRole(pdp, Bodies.role(roleId, "worker", null));

        JsonNode answer = decide(pdp, decision(roleId, wp));

        assertThat(reasons(answer)).doesNotContain("ROLE_UNREGISTERED");
        assertThat(answer.get("requested_source").asText()).isEqualTo("work_profile");
        assertThat(answer.get("requested_policy")).isEqualTo(marker("worker"));
    }

    @Test
    void an_approximate_mode_labelled_exact_is_reclassified_then_refused_without_a_waiver() {
        String wp = plainProfile();

        JsonNode answer = decide(pdp, withPolicy(decision("worker", wp), policy("layer_skip", "exact")));

        assertThat(reasons(answer)).containsExactly("EXACTNESS_RECLASSIFIED", "APPROXIMATE_NOT_ALLOWED", "WAIVER_MISSING");
        assertThat(answer.get("requested_policy").get("mode").asText()).isEqualTo("layer_skip");
        assertExactFallback(answer, "spec_decode");
    }

    @Test
    void an_approximate_mode_labelled_exact_is_reclassified_and_granted_under_a_waiver() {
        String waiver = validWaiver();
        String wp = profileWith("worker", approximate(Bodies.compute(), true, waiver));

        JsonNode answer = decide(pdp, withPolicy(decision("worker", wp), policy("early_exit", "exact")));

        assertThat(reasons(answer)).containsExactly("EXACTNESS_RECLASSIFIED");
        assertThat(answer.get("mode").asText()).isEqualTo("early_exit");
        assertThat(answer.get("exactness").asText()).isEqualTo("approximate");
        assertThat(answer.get("effective_policy").get("exactness").asText()).isEqualTo("approximate");
        assertThat(answer.get("waiver_ref").asText()).isEqualTo(waiver);
    }

    @Test
    void reclassification_changes_exactness_so_spec_3_10_calls_it_downgraded() {
        String waiver = validWaiver();
        String wp = profileWith("worker", approximate(Bodies.compute(), true, waiver));

        JsonNode answer = decide(pdp, withPolicy(decision("worker", wp), policy("early_exit", "exact")));

        assertThat(answer.get("requested_policy").get("exactness").asText())
                .isNotEqualTo(answer.get("exactness").asText());
        assertThat(answer.get("downgraded").asBoolean()).isTrue();
    }

    @Test
    void an_unknown_mode_is_unsupported_and_falls_back_to_exact() {
        String wp = plainProfile();

        JsonNode plain = decide(pdp, withPolicy(decision("worker", wp), policy("warp_drive", "exact")));
        JsonNode noSpec = decide(pdp, supporting(
                withPolicy(decision("worker", wp), policy("warp_drive", "approximate")), "standard", "layer_skip"));

        assertThat(reasons(plain)).containsExactly("MODE_UNKNOWN");
        assertThat(plain.get("requested_policy").get("mode").asText()).isEqualTo("warp_drive");
        assertThat(plain.get("downgrade_reason").asText()).contains("warp_drive");
        assertExactFallback(plain, "spec_decode");
        assertThat(reasons(noSpec)).containsExactly("MODE_UNKNOWN");
        assertExactFallback(noSpec, "standard");
    }

    @Test
    void docs_only_ignores_an_exact_policy_and_answers_standard_exact() {
        String wp = plainProfile();
        ObjectNode request = withPolicy(decision("worker", wp), policy("spec_decode", "exact"));
        request.put("runtime_mode", "DOCS_ONLY");

        JsonNode answer = decide(pdp, request);

        assertThat(reasons(answer)).containsExactly("RUNTIME_MODE_DOCS_ONLY");
        assertThat(answer.get("requested_policy").get("mode").asText()).isEqualTo("spec_decode");
        assertExactFallback(answer, "standard");
    }

    @Test
    void docs_only_refuses_even_a_fully_waived_approximate_policy() {
        String wp = grantedWorkerProfile();
        ObjectNode request = decision("worker", wp);
        request.put("runtime_mode", "DOCS_ONLY");

        JsonNode docsOnly = decide(pdp, request);
        JsonNode aiEnabled = decide(pdp, decision("worker", wp));

        assertThat(reasons(docsOnly)).containsExactly("RUNTIME_MODE_DOCS_ONLY");
        assertExactFallback(docsOnly, "standard");
        assertThat(aiEnabled.get("exactness").asText()).isEqualTo("approximate");
    }

    @Test
    void docs_only_with_a_runtime_that_lacks_standard_still_answers() {
        String wp = plainProfile();
        ObjectNode request = supporting(decision("worker", wp), "spec_decode");
        request.put("runtime_mode", "DOCS_ONLY");

        Reply reply = pdp.send(HttpRequest.newBuilder(URI.create(pdp.baseUrl() + "/v1/decisions"))
                .timeout(Duration.ofSeconds(10))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(request.toString())));

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.json().get("exactness").asText()).isEqualTo("exact");
        assertThat(reasons(reply.json())).contains("RUNTIME_MODE_DOCS_ONLY");
    }

    @Test
    void tool_calls_are_exact_only_even_under_a_valid_waiver() {
        String wp = grantedWorkerProfile();
        ObjectNode toolCall = decision("worker", wp);
        toolCall.put("task_type", "tool_call");

        JsonNode refused = decide(pdp, toolCall);
        JsonNode chat = decide(pdp, decision("worker", wp));

        assertThat(reasons(refused)).containsExactly("TASK_TOOL_CALL_EXACT_ONLY");
        assertThat(refused.get("requested_policy").get("mode").asText()).isEqualTo("layer_skip");
        assertExactFallback(refused, "spec_decode");
        assertThat(chat.get("exactness").asText()).isEqualTo("approximate");
    }

    @Test
    void the_validator_class_is_exact_only_for_the_core_role_and_for_a_dynamic_role_inheriting_it() {
        String waiver = validWaiver();
        String wp = profileWith("validator", fastApproxAllowed(waiver));
        String checker = uid("checker");
        putRole(pdp, Bodies.role(checker, "validator", fastApproxAllowed(waiver)));

        JsonNode core = decide(pdp, decision("validator", wp));
        JsonNode dynamic = decide(pdp, decision(checker, wp));

        assertThat(reasons(core)).containsExactly("ROLE_VALIDATOR_EXACT_ONLY");
        assertExactFallback(core, "spec_decode");
        assertThat(reasons(dynamic)).containsExactly("ROLE_VALIDATOR_EXACT_ONLY");
        assertThat(dynamic.get("requested_source").asText()).isEqualTo("dynamic_role");
        assertExactFallback(dynamic, "spec_decode");
    }

    @Test
    void a_control_that_does_not_allow_approximation_refuses_it_even_with_a_valid_waiver() {
        String wp = profileWith("worker", approximate(preset("fast_approx"), false, validWaiver()));

        JsonNode answer = decide(pdp, decision("worker", wp));

        assertThat(reasons(answer)).containsExactly("APPROXIMATE_NOT_ALLOWED");
        assertExactFallback(answer, "spec_decode");
    }

    @Test
    void no_approximate_control_means_not_allowed_and_no_waiver() {
        String noBlock = profileWith("worker", preset("fast_approx"));
        String notAllowed = profileWith("worker", approximate(preset("fast_approx"), false, null));

        JsonNode withoutBlock = decide(pdp, decision("worker", noBlock));
        JsonNode withAllowedFalse = decide(pdp, decision("worker", notAllowed));

        assertThat(reasons(withoutBlock)).containsExactly("APPROXIMATE_NOT_ALLOWED", "WAIVER_MISSING");
        assertExactFallback(withoutBlock, "spec_decode");
        assertThat(withoutBlock.get("downgrade_reason").asText()).contains("WAIVER_MISSING");
        assertThat(reasons(withAllowedFalse)).containsExactly("APPROXIMATE_NOT_ALLOWED", "WAIVER_MISSING");
        assertExactFallback(withAllowedFalse, "spec_decode");
    }

    @Test
    void a_request_cannot_waive_itself() {
        String wp = plainProfile();

        JsonNode answer = decide(pdp, withPolicy(decision("worker", wp), policy("layer_skip", "approximate")));

        assertThat(answer.get("requested_source").asText()).isEqualTo("request");
        assertThat(reasons(answer)).containsExactly("APPROXIMATE_NOT_ALLOWED", "WAIVER_MISSING");
        assertExactFallback(answer, "spec_decode");
    }

    @Test
    void a_profile_naming_a_waiver_never_granted_is_refused_and_not_stored() {
        String id = uid("wp");
        ObjectNode compute = fastApproxAllowed(uid("wv-never-granted"));
        ((ObjectNode) compute.get("approximate")).put("waiver_expires_at", "2020-01-01T00:00:00Z");

        Reply reply = pdp.put("/v1/profiles/" + id, Bodies.profile(id, "worker", compute).toString());

        JsonNode problem = ProblemAssert.problem(reply, 422, "invalid_request");
        assertThat(problem.get("detail").asText()).contains("WAIVER_UNKNOWN");
        assertThat(problem.get("errors").get(0).get("path").asText())
                .isEqualTo("/model_assignments/worker/compute/approximate/waiver_ref");
        assertThat(pdp.get("/v1/profiles/" + id).status()).isEqualTo(404);
    }
    @Test
    void a_revoked_waiver_no_longer_grants() {
        String waiver = validWaiver();
        String wp = profileWith("worker", fastApproxAllowed(waiver));
        JsonNode before = decide(pdp, decision("worker", wp));

        Steps.revoke(pdp, waiver, "model drifted");
        JsonNode after = decide(pdp, decision("worker", wp));

        assertGranted(before, waiver);
        assertThat(reasons(after)).containsExactly("WAIVER_REVOKED");
        assertExactFallback(after, "spec_decode");
    }

    @Test
    void a_waiver_that_expires_after_the_profile_was_saved_no_longer_grants() {
        String waiver = uid("wv");
        createWaiver(pdp, Bodies.waiver(waiver, CLOCK.instant().plus(Duration.ofHours(1))));
        String wp = profileWith("worker", fastApproxAllowed(waiver));
        JsonNode before = decide(pdp, decision("worker", wp));

        CLOCK.advance(Duration.ofHours(2));
        JsonNode after = decide(pdp, decision("worker", wp));

        assertGranted(before, waiver);
        assertThat(reasons(after)).containsExactly("WAIVER_EXPIRED");
        assertExactFallback(after, "spec_decode");
    }
    @Test
    void a_valid_waiver_is_expired_once_the_profile_waiver_expires_at_has_passed() {
        String waiver = validWaiver();
        ObjectNode soon = fastApproxAllowed(waiver);
        ((ObjectNode) soon.get("approximate")).put("waiver_expires_at", CLOCK.instant().plus(Duration.ofHours(1)).toString());
        ObjectNode later = fastApproxAllowed(waiver);
        ((ObjectNode) later.get("approximate")).put("waiver_expires_at", CLOCK.instant().plus(Duration.ofDays(1)).toString());
        String soonProfile = profileWith("worker", soon);
        String laterProfile = profileWith("worker", later);

        CLOCK.advance(Duration.ofHours(2));
        JsonNode expired = decide(pdp, decision("worker", soonProfile));
        JsonNode live = decide(pdp, decision("worker", laterProfile));

        assertThat(reasons(expired)).containsExactly("WAIVER_EXPIRED");
        assertExactFallback(expired, "spec_decode");
        assertGranted(live, waiver);
    }
    @Test
    void a_waiver_whose_scope_does_not_cover_the_request_is_a_scope_mismatch() {
        List<String> mismatches = new ArrayList<>();
        // the profile's worker model is model-worker: each waiver covers the profile, not the request
        for (String scope : List.of("{\"model_ids\":[\"model-worker\"]}", "{\"wp_ids\":[\"wp-elsewhere\"]}")) {
            String waiver = uid("wv");
            ObjectNode body = Bodies.waiver(waiver);
            body.set("scope", Json.parseObject(scope));
            createWaiver(pdp, body);
            String wp = profileWith("worker", fastApproxAllowed(waiver));
            ObjectNode request = decision("worker", wp);
            request.put("wp_id", "wp-here");
            // allowed by the worker's assignment (SPEC 3.7), not named by the waiver's model_ids
            request.put("model_id", Bodies.SHARED_MODEL);
            JsonNode answer = decide(pdp, request);
            assertExactFallback(answer, "spec_decode");
            mismatches.add(scope + " -> " + reasons(answer));
        }
        assertThat(mismatches).allSatisfy(line -> assertThat(line).endsWith("-> [WAIVER_SCOPE_MISMATCH]"));
    }

    @Test
    void a_profile_under_a_waiver_for_another_role_or_check_is_refused() {
        for (String field : List.of("scope", "check_waived")) {
            String waiver = uid("wv");
            ObjectNode body = Bodies.waiver(waiver);
            if (field.equals("scope")) {
                body.set("scope", Json.parseObject("{\"roles\":[\"frontend\"]}"));
            } else {
                body.put("check_waived", "cloud_escalation");
            }
            createWaiver(pdp, body);
            String id = uid("wp");

            Reply reply = pdp.put("/v1/profiles/" + id, Bodies.profile(id, "worker", fastApproxAllowed(waiver)).toString());

            JsonNode problem = ProblemAssert.problem(reply, 422, "invalid_request");
            assertThat(problem.get("detail").asText()).as(field).contains("WAIVER_SCOPE_MISMATCH");
        }
    }
    @Test
    void a_scoped_waiver_grants_what_its_scope_covers_including_a_dynamic_role_by_its_class() {
        String waiver = uid("wv");
        ObjectNode body = Bodies.waiver(waiver);
        body.set("scope", Json.parseObject(
                "{\"roles\":[\"worker\"],\"model_ids\":[\"model-worker\",\"" + Bodies.SHARED_MODEL + "\"],\"wp_ids\":[\"wp-here\"]}"));
        createWaiver(pdp, body);
        String wp = profileWith("worker", fastApproxAllowed(waiver));
        String summarizer = uid("summarizer");
        putRole(pdp, Bodies.role(summarizer, "worker", null));
        ObjectNode core = decision("worker", wp);
        core.put("wp_id", "wp-here");
        ObjectNode dynamic = decision(summarizer, wp);
        dynamic.put("wp_id", "wp-here");

        JsonNode coreAnswer = decide(pdp, core);
        JsonNode dynamicAnswer = decide(pdp, dynamic);

        assertGranted(coreAnswer, waiver);
        assertThat(reasons(coreAnswer)).isEmpty();
        assertGranted(dynamicAnswer, waiver);
        assertThat(dynamicAnswer.get("requested_source").asText()).isEqualTo("work_profile");
    }

    @Test
    void a_mode_the_runtime_does_not_declare_falls_back_to_exact() {
        String wp = plainProfile();
        ObjectNode offload = policy("mem_offload", "exact");
        offload.putObject("mem_offload").put("strategy", "kv_paged");

        JsonNode withSpec = decide(pdp, supporting(withPolicy(decision("worker", wp), offload), "standard", "spec_decode"));
        JsonNode withoutSpec = decide(pdp, supporting(withPolicy(decision("worker", wp), offload.deepCopy()), "standard"));
        JsonNode undeclared = decide(pdp, withPolicy(decision("worker", wp), offload.deepCopy()));

        assertThat(reasons(withSpec)).containsExactly("MODE_UNSUPPORTED");
        assertExactFallback(withSpec, "spec_decode");
        assertThat(withSpec.get("effective_policy").has("mem_offload")).isFalse();
        assertThat(reasons(withoutSpec)).containsExactly("MODE_UNSUPPORTED");
        assertExactFallback(withoutSpec, "standard");
        // no supported_modes means every known mode
        assertThat(reasons(undeclared)).isEmpty();
        assertThat(undeclared.get("mode").asText()).isEqualTo("mem_offload");
        assertThat(undeclared.get("downgraded").asBoolean()).isFalse();
    }

    @Test
    void a_granted_approximate_mode_the_runtime_does_not_declare_falls_back_to_exact_without_waiver_or_trace() {
        String wp = grantedWorkerProfile();

        JsonNode answer = decide(pdp, supporting(decision("worker", wp), "standard", "spec_decode"));

        assertThat(reasons(answer)).containsExactly("MODE_UNSUPPORTED");
        assertExactFallback(answer, "spec_decode");
        assertThat(answer.get("trace_artifact_null_reason").asText()).isEqualTo("trace_not_requested");
    }

    @Test
    void cloud_reasoning_strength_for_a_local_backend_adds_cx_mm_005_and_downgrades_nothing() {
        ObjectNode compute = marked("worker");
        compute.put("cloud_reasoning_strength", "high");
        // a class that may call a cloud backend (SPEC 3.7: not local_only)
        String wp = uid("wp");
        ObjectNode profile = Bodies.profile(wp, "worker", compute);
        ((ObjectNode) profile.at("/model_assignments/worker")).put("local_only", false);
        putProfile(pdp, profile);
        ObjectNode local = decision("worker", wp);
        local.put("backend", "local");
        ObjectNode cloud = decision("worker", wp);
        cloud.put("backend", "cloud");

        JsonNode localAnswer = decide(pdp, local);
        JsonNode cloudAnswer = decide(pdp, cloud);

        assertThat(texts(localAnswer.get("codes"))).containsExactly("CX-MM-005");
        assertThat(reasons(localAnswer)).containsExactly("CX-MM-005");
        assertThat(localAnswer.get("downgraded").asBoolean()).isFalse();
        assertThat(localAnswer.get("effective_policy")).isEqualTo(marker("worker"));
        assertThat(texts(cloudAnswer.get("codes"))).isEmpty();
        assertThat(reasons(cloudAnswer)).isEmpty();
        // SPEC 3.10 (v2): the cloud backend is told the strength; the local one has no use for it
        assertThat(cloudAnswer.get("cloud_reasoning_strength").asText()).isEqualTo("high");
        assertThat(localAnswer.get("cloud_reasoning_strength").isNull()).isTrue();
    }

    @Test
    void cloud_reasoning_strength_of_a_dynamic_role_adds_cx_mm_005() {
        String wp = plainProfile();
        String roleId = uid("planner");
        ObjectNode compute = Bodies.compute();
        compute.put("cloud_reasoning_strength", "medium");
        putRole(pdp, Bodies.role(roleId, "orchestrator", compute));

        JsonNode answer = decide(pdp, decision(roleId, wp));

        assertThat(texts(answer.get("codes"))).containsExactly("CX-MM-005");
        assertThat(answer.get("downgraded").asBoolean()).isFalse();
    }

    @Test
    void the_reason_codes_of_the_checks_come_in_the_order_of_spec_3_5() {
        String waiver = uid("wv");
        ObjectNode body = Bodies.waiver(waiver, CLOCK.instant().plus(Duration.ofHours(1)));
        body.set("scope", Json.parseObject("{\"model_ids\":[\"model-worker\"]}"));
        createWaiver(pdp, body);
        String expiredRevokedNarrow = profileWith("worker", fastApproxAllowed(waiver));
        Steps.revoke(pdp, waiver, null);
        CLOCK.advance(Duration.ofHours(2));
        ObjectNode otherModel = decision("worker", expiredRevokedNarrow);
        // a model the worker's assignment allows (SPEC 3.7) but the waiver's scope does not name
        otherModel.put("model_id", Bodies.SHARED_MODEL);
        String noControl = profileWith("validator", preset("fast_approx"));
        ObjectNode toolCallByValidator = decision("validator", noControl);
        toolCallByValidator.put("task_type", "tool_call");
        ObjectNode docsOnly = decision("validator", noControl);
        docsOnly.put("task_type", "tool_call");
        docsOnly.put("runtime_mode", "DOCS_ONLY");

        JsonNode waiverChecks = decide(pdp, otherModel);
        JsonNode exactOnly = decide(pdp, toolCallByValidator);
        JsonNode docs = decide(pdp, docsOnly);
        assertThat(reasons(waiverChecks)).containsExactly("WAIVER_REVOKED", "WAIVER_EXPIRED", "WAIVER_SCOPE_MISMATCH");
        assertThat(reasons(exactOnly)).containsExactly("TASK_TOOL_CALL_EXACT_ONLY", "ROLE_VALIDATOR_EXACT_ONLY",
                "APPROXIMATE_NOT_ALLOWED", "WAIVER_MISSING");
        assertThat(reasons(docs)).containsExactly("RUNTIME_MODE_DOCS_ONLY", "TASK_TOOL_CALL_EXACT_ONLY",
                "ROLE_VALIDATOR_EXACT_ONLY", "APPROXIMATE_NOT_ALLOWED", "WAIVER_MISSING");
        assertExactFallback(docs, "standard");
    }

    @Test
    void an_unregistered_role_asking_for_approximation_is_refused() {
        String wp = grantedWorkerProfile();

        JsonNode answer = decide(pdp, withPolicy(decision(uid("ghost"), wp), policy("layer_skip", "approximate")));

        assertThat(reasons(answer)).containsExactly("ROLE_UNREGISTERED", "APPROXIMATE_NOT_ALLOWED", "WAIVER_MISSING");
        assertExactFallback(answer, "spec_decode");
    }

    // ---- requested policy: sources and presets (SPEC 3.2)

    @Test
    void the_request_policy_wins_over_every_other_source() {
        String roleId = uid("drafter");
        String wp = profileWith("worker", preset("fast_approx"));
        putRole(pdp, Bodies.role(roleId, "worker", preset("fast_exact")));
        ObjectNode sent = policy("mem_offload", "exact");
        sent.putObject("mem_offload").put("strategy", "cpu_offload").put("prefetch", true);

        JsonNode answer = decide(pdp, withPolicy(decision(roleId, wp), sent));

        assertThat(answer.get("requested_source").asText()).isEqualTo("request");
        assertThat(answer.get("requested_policy")).isEqualTo(sent);
        assertThat(answer.get("effective_policy")).isEqualTo(sent);
    }

    @Test
    void sampling_settings_beside_exec_policy_pass_and_change_nothing() {
        String wp = plainProfile();
        ObjectNode request = withPolicy(decision("worker", wp), policy("spec_decode", "exact"));
        ((ObjectNode) request.get("settings")).put("temperature", 0.2).put("top_p", 0.9);

        JsonNode answer = decide(pdp, request);

        assertThat(answer.get("requested_policy")).isEqualTo(policy("spec_decode", "exact"));
    }

    @Test
    void the_dynamic_role_compute_wins_over_the_profile() {
        String roleId = uid("drafter");
        String wp = profileWith("worker", marked("profile"));
        putRole(pdp, Bodies.role(roleId, "worker", marked("role")));

        JsonNode answer = decide(pdp, decision(roleId, wp));

        assertThat(answer.get("requested_source").asText()).isEqualTo("dynamic_role");
        assertThat(answer.get("requested_policy")).isEqualTo(marker("role"));
    }

    @Test
    void a_dynamic_role_without_compute_uses_the_profile_of_its_class() {
        String roleId = uid("drafter");
        String wp = profileWith("orchestrator", marked("orchestrator"));
        putRole(pdp, Bodies.role(roleId, "orchestrator", null));

        JsonNode answer = decide(pdp, decision(roleId, wp));

        assertThat(answer.get("requested_source").asText()).isEqualTo("work_profile");
        assertThat(answer.get("requested_policy")).isEqualTo(marker("orchestrator"));
    }

    @Test
    void the_profile_compute_of_the_role_class_applies_to_that_class_only() {
        String wp = profileWith("frontend", marked("frontend"));

        JsonNode frontend = decide(pdp, decision("frontend", wp));
        JsonNode worker = decide(pdp, decision("worker", wp));

        assertThat(frontend.get("requested_source").asText()).isEqualTo("work_profile");
        assertThat(frontend.get("requested_policy")).isEqualTo(marker("frontend"));
        assertThat(worker.get("requested_source").asText()).isEqualTo("runtime_default");
    }

    @Test
    void without_any_source_the_runtime_default_is_standard_exact() {
        String wp = plainProfile();

        JsonNode answer = decide(pdp, decision("worker", wp));

        assertThat(answer.get("requested_source").asText()).isEqualTo("runtime_default");
        assertThat(answer.get("requested_policy")).isEqualTo(policy("standard", "exact"));
        assertThat(answer.get("effective_policy")).isEqualTo(policy("standard", "exact"));
        assertThat(reasons(answer)).isEmpty();
        assertThat(answer.get("downgraded").asBoolean()).isFalse();
        assertThat(answer.get("downgrade_reason").isNull()).isTrue();
    }

    @Test
    void exec_policy_override_wins_over_speed_preset_in_a_profile_block() {
        ObjectNode override = policy("mem_offload", "exact");
        override.putObject("mem_offload").put("strategy", "layer_paged");
        ObjectNode compute = override(override);
        compute.put("speed_preset", "fast_exact");

        JsonNode answer = decide(pdp, decision("worker", profileWith("worker", compute)));

        assertThat(answer.get("requested_source").asText()).isEqualTo("work_profile");
        assertThat(answer.get("requested_policy")).isEqualTo(override);
    }

    @Test
    void exec_policy_override_wins_over_speed_preset_in_a_dynamic_role_block() {
        ObjectNode override = policy("standard", "exact");
        override.put("policy_id", "plain-and-slow");
        ObjectNode compute = override(override);
        compute.put("speed_preset", "fast_exact");
        String roleId = uid("careful");
        putRole(pdp, Bodies.role(roleId, "worker", compute));

        JsonNode answer = decide(pdp, decision(roleId, plainProfile()));

        assertThat(answer.get("requested_source").asText()).isEqualTo("dynamic_role");
        assertThat(answer.get("requested_policy")).isEqualTo(override);
    }

    @Test
    void a_dynamic_role_approximate_control_only_narrows_the_profile() {
        String waiver = validWaiver();
        // the profile allows approximation for the class; the dynamic role explicitly does not
        String wp = profileWith("worker", fastApproxAllowed(waiver));
        String roleId = uid("strict");
        putRole(pdp, Bodies.role(roleId, "worker", approximate(preset("fast_approx"), false, waiver)));
        String lenientId = uid("lenient");
        putRole(pdp, Bodies.role(lenientId, "worker", preset("fast_approx")));

        JsonNode strict = decide(pdp, decision(roleId, wp));
        JsonNode lenient = decide(pdp, decision(lenientId, wp));

        assertThat(reasons(strict)).containsExactly("APPROXIMATE_NOT_ALLOWED");
        assertExactFallback(strict, "spec_decode");
        // a role without its own control is governed by the profile's control for its class
        assertGranted(lenient, waiver);
    }

    @Test
    void a_dynamic_role_allowing_cannot_widen_a_profile_that_does_not_and_narrows_to_its_own_waiver() {
        String profileWaiver = validWaiver();
        String roleWaiver = validWaiver();
        String refusing = profileWith("worker", approximate(preset("fast_approx"), false, profileWaiver));
        String allowing = profileWith("worker", fastApproxAllowed(profileWaiver));
        String roleId = uid("eager");
        putRole(pdp, Bodies.role(roleId, "worker", approximate(preset("fast_approx"), true, roleWaiver)));

        JsonNode underRefusing = decide(pdp, decision(roleId, refusing));
        JsonNode underAllowing = decide(pdp, decision(roleId, allowing));

        assertThat(reasons(underRefusing)).containsExactly("APPROXIMATE_NOT_ALLOWED");
        assertExactFallback(underRefusing, "spec_decode");
        // both allow, both waivers valid: the answer names the role's waiver, the narrower grant
        assertGranted(underAllowing, roleWaiver);
    }

    @Test
    void a_call_the_profile_does_not_permit_is_answered_not_permitted_and_standard_exact() {
        String wp = profileWith("worker", marked("worker"));
        ObjectNode cloud = decision("worker", wp);
        cloud.put("backend", "cloud");
        ObjectNode otherModel = decision("worker", wp);
        otherModel.put("model_id", "model-nobody-assigned");

        JsonNode cloudAnswer = decide(pdp, cloud);
        JsonNode otherAnswer = decide(pdp, otherModel);
        JsonNode permitted = decide(pdp, decision("worker", wp));

        assertThat(cloudAnswer.get("model_permitted").asBoolean()).isFalse();
        assertThat(reasons(cloudAnswer)).containsExactly("LOCAL_ONLY_VIOLATION");
        assertThat(cloudAnswer.get("effective_policy")).isEqualTo(policy("standard", "exact"));
        assertThat(cloudAnswer.get("downgraded").asBoolean()).isTrue();
        assertThat(otherAnswer.get("model_permitted").asBoolean()).isFalse();
        assertThat(reasons(otherAnswer)).containsExactly("MODEL_NOT_ALLOWED");
        assertThat(otherAnswer.get("mode").asText()).isEqualTo("standard");
        assertThat(permitted.get("model_permitted").asBoolean()).isTrue();
        assertThat(permitted.get("effective_policy")).isEqualTo(marker("worker"));
    }

    // ---- exact fallback, granted approximation, trace (SPEC 3.5, 3.8)

    @Test
    void the_exact_fallback_is_spec_decode_when_supported_else_standard() {
        String wp = profileWith("worker", preset("fast_approx"));

        JsonNode undeclared = decide(pdp, decision("worker", wp));
        JsonNode withSpec = decide(pdp, supporting(decision("worker", wp), "standard", "spec_decode", "layer_skip"));
        JsonNode withoutSpec = decide(pdp, supporting(decision("worker", wp), "standard", "layer_skip"));

        assertExactFallback(undeclared, "spec_decode");
        assertExactFallback(withSpec, "spec_decode");
        assertExactFallback(withoutSpec, "standard");
        assertThat(reasons(withoutSpec)).containsExactly("APPROXIMATE_NOT_ALLOWED", "WAIVER_MISSING");
    }

    @Test
    void granted_approximate_names_its_waiver_and_forces_a_per_token_trace_with_an_artifact() {
        String waiver = validWaiver();
        String wp = profileWith("worker", fastApproxAllowed(waiver));

        JsonNode answer = decide(pdp, decision("worker", wp));

        assertThat(answer.get("requested_policy")).isEqualTo(policy("layer_skip", "approximate"));
        assertThat(answer.get("mode").asText()).isEqualTo("layer_skip");
        assertThat(answer.get("exactness").asText()).isEqualTo("approximate");
        assertThat(answer.get("downgraded").asBoolean()).isFalse();
        assertThat(answer.get("downgrade_reason").isNull()).isTrue();
        assertThat(reasons(answer)).isEmpty();
        assertThat(answer.get("waiver_ref").asText()).isEqualTo(waiver);
        assertThat(texts(answer.get("adjustments"))).containsExactly("TRACE_FORCED");
        JsonNode trace = answer.get("effective_policy").get("trace");
        assertThat(trace.get("level").asText()).isEqualTo("per_token");
        assertThat(trace.get("sample_rate").isNumber()).isTrue();
        assertThat(trace.get("sample_rate").asDouble()).isEqualTo(1.0);
        assertThat(trace.get("artifact").get("enabled").asBoolean()).isTrue();
        assertThat(trace.get("artifact").get("format").asText()).isEqualTo(TRACE_FORMAT);
        assertThat(answer.get("trace_artifact_ref").isTextual()).isTrue();
        assertThat(answer.get("trace_artifact_ref").asText()).isNotBlank();
        assertThat(answer.get("trace_artifact_null_reason").isNull()).isTrue();
    }

    @Test
    void a_granted_approximate_policy_keeps_a_finer_trace_level_but_samples_every_token() {
        String waiver = validWaiver();
        ObjectNode override = policy("layer_skip", "approximate");
        override.putObject("layer_skip").put("schedule", "adaptive").put("skip_ratio", 0.25);
        override.putObject("trace").put("level", "per_layer").put("sample_rate", 0.1);
        String wp = profileWith("worker", approximate(override(override), true, waiver));

        JsonNode answer = decide(pdp, decision("worker", wp));

        assertGranted(answer, waiver);
        JsonNode trace = answer.get("effective_policy").get("trace");
        assertThat(trace.get("level").asText()).isEqualTo("per_layer");
        assertThat(trace.get("sample_rate").asDouble()).isEqualTo(1.0);
        assertThat(trace.get("artifact").get("enabled").asBoolean()).isTrue();
        assertThat(trace.get("artifact").get("format").asText()).isEqualTo(TRACE_FORMAT);
        assertThat(answer.get("effective_policy").get("layer_skip")).isEqualTo(override.get("layer_skip"));
    }

    @Test
    void a_coarser_trace_level_asked_for_approximate_execution_is_raised_to_per_token() {
        String waiver = validWaiver();
        ObjectNode override = policy("mixture_of_depths", "approximate");
        override.putObject("trace").put("level", "summary").put("sample_rate", 0.5);
        String wp = profileWith("worker", approximate(override(override), true, waiver));

        JsonNode answer = decide(pdp, decision("worker", wp));

        assertGranted(answer, waiver);
        assertThat(answer.get("effective_policy").get("trace").get("level").asText()).isEqualTo("per_token");
        assertThat(answer.get("effective_policy").get("trace").get("sample_rate").asDouble()).isEqualTo(1.0);
    }

    @Test
    void every_granted_decision_reserves_its_own_trace_artifact() {
        String wp = grantedWorkerProfile();

        JsonNode first = decide(pdp, decision("worker", wp));
        JsonNode second = decide(pdp, decision("worker", wp));

        assertThat(first.get("trace_artifact_ref").asText())
                .isNotEqualTo(second.get("trace_artifact_ref").asText());
    }

    @Test
    void exact_execution_with_a_trace_asked_has_no_artifact_because_it_is_exact() {
        ObjectNode traced = policy("spec_decode", "exact");
        traced.putObject("trace").put("level", "summary").put("sample_rate", 0.5);

        JsonNode answer = decide(pdp, withPolicy(decision("worker", plainProfile()), traced));

        assertThat(answer.get("trace_artifact_ref").isNull()).isTrue();
        assertThat(answer.get("trace_artifact_null_reason").asText()).isEqualTo("exact_execution");
        assertThat(texts(answer.get("adjustments"))).isEmpty();
        assertThat(answer.get("effective_policy").get("trace")).isEqualTo(traced.get("trace"));
    }

    @Test
    void exact_execution_with_only_an_artifact_asked_has_no_artifact_because_it_is_exact() {
        ObjectNode traced = policy("standard", "exact");
        traced.putObject("trace").put("level", "off").putObject("artifact").put("enabled", true);

        JsonNode answer = decide(pdp, withPolicy(decision("worker", plainProfile()), traced));

        assertThat(answer.get("trace_artifact_ref").isNull()).isTrue();
        assertThat(answer.get("trace_artifact_null_reason").asText()).isEqualTo("exact_execution");
    }

    @Test
    void exact_execution_without_a_trace_has_no_artifact_because_none_was_requested() {
        ObjectNode off = policy("spec_decode", "exact");
        off.putObject("trace").put("level", "off");

        JsonNode none = decide(pdp, decision("worker", plainProfile()));
        JsonNode explicitOff = decide(pdp, withPolicy(decision("worker", plainProfile()), off));

        assertThat(none.get("trace_artifact_ref").isNull()).isTrue();
        assertThat(none.get("trace_artifact_null_reason").asText()).isEqualTo("trace_not_requested");
        assertThat(explicitOff.get("trace_artifact_ref").isNull()).isTrue();
        assertThat(explicitOff.get("trace_artifact_null_reason").asText()).isEqualTo("trace_not_requested");
    }

    @Test
    void a_refused_approximate_policy_that_asked_for_a_trace_has_no_artifact_because_it_is_exact() {
        ObjectNode traced = policy("layer_skip", "approximate");
        traced.putObject("trace").put("level", "per_token").put("sample_rate", 1);

        JsonNode answer = decide(pdp, withPolicy(decision("worker", plainProfile()), traced));

        assertExactFallback(answer, "spec_decode");
        assertThat(answer.get("trace_artifact_null_reason").asText()).isEqualTo("exact_execution");
    }

    // ---- shape, hashes, determinism (SPEC 3.7, 3.11)

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

    @Test
    void an_undowngraded_policy_keeps_budgets_its_own_block_and_policy_id_only() {
        ObjectNode sent = richPolicy("spec_decode", "exact");

        JsonNode answer = decide(pdp, withPolicy(decision("worker", plainProfile()), sent));

        JsonNode effective = answer.get("effective_policy");
        assertThat(answer.get("downgraded").asBoolean()).isFalse();
        assertThat(answer.get("requested_policy")).isEqualTo(sent);
        assertThat(effective.get("policy_id").asText()).isEqualTo("preset-42");
        assertThat(effective.get("budgets")).isEqualTo(sent.get("budgets"));
        assertThat(effective.get("spec_decode")).isEqualTo(sent.get("spec_decode"));
        assertThat(effective.has("layer_skip")).isFalse();
        assertThat(effective.has("mem_offload")).isFalse();
        assertThat(effective.has("early_exit")).isFalse();
        // not downgraded, yet the hash changed: adjusted, and why (SPEC 3.11)
        assertThat(answer.get("adjusted").asBoolean()).isTrue();
        assertThat(texts(answer.get("adjustments"))).containsExactly("SETTINGS_PRUNED");
        assertThat(answer.get("effective_policy_hash")).isNotEqualTo(answer.get("requested_policy_hash"));
    }

    @Test
    void a_policy_run_as_sent_is_neither_downgraded_nor_adjusted() {
        ObjectNode sent = policy("mem_offload", "exact");
        sent.putObject("mem_offload").put("strategy", "kv_paged");

        JsonNode answer = decide(pdp, withPolicy(decision("worker", plainProfile()), sent));

        assertThat(answer.get("downgraded").asBoolean()).isFalse();
        assertThat(answer.get("adjusted").isBoolean()).isTrue();
        assertThat(answer.get("adjusted").asBoolean()).isFalse();
        assertThat(texts(answer.get("adjustments"))).isEmpty();
        assertThat(answer.get("effective_policy_hash")).isEqualTo(answer.get("requested_policy_hash"));
    }

    @Test
    void a_downgraded_policy_keeps_budgets_drops_policy_id_and_foreign_blocks() {
        ObjectNode sent = richPolicy("mem_offload", "exact");

        JsonNode answer = decide(pdp, supporting(withPolicy(decision("worker", plainProfile()), sent), "standard"));

        JsonNode effective = answer.get("effective_policy");
        assertThat(answer.get("downgraded").asBoolean()).isTrue();
        assertThat(effective.get("mode").asText()).isEqualTo("standard");
        assertThat(effective.get("budgets")).isEqualTo(sent.get("budgets"));
        assertThat(effective.has("policy_id")).isFalse();
        // what changed besides the mode is named too (README, Choices: adjusted beside downgraded)
        assertThat(texts(answer.get("adjustments"))).containsExactly("SETTINGS_PRUNED", "POLICY_ID_DROPPED");
        assertThat(answer.get("adjusted").asBoolean()).isTrue();
        assertThat(effective.has("mem_offload")).isFalse();
        assertThat(effective.has("spec_decode")).isFalse();
        assertThat(effective.has("layer_skip")).isFalse();
        // the requested policy is reported as asked
        assertThat(answer.get("requested_policy")).isEqualTo(sent);
    }

    @Test
    void a_downgrade_to_spec_decode_keeps_the_spec_decode_block_that_was_sent() {
        ObjectNode sent = richPolicy("layer_skip", "approximate");

        JsonNode answer = decide(pdp, withPolicy(decision("worker", plainProfile()), sent));

        JsonNode effective = answer.get("effective_policy");
        assertExactFallback(answer, "spec_decode");
        assertThat(effective.has("policy_id")).isFalse();
        assertThat(effective.get("budgets")).isEqualTo(sent.get("budgets"));
        assertThat(effective.has("layer_skip")).isFalse();
    }

    @Test
    void a_granted_policy_keeps_its_policy_id_budgets_and_own_block() {
        String waiver = validWaiver();
        ObjectNode override = richPolicy("layer_skip", "approximate");
        String wp = profileWith("worker", approximate(override(override), true, waiver));

        JsonNode answer = decide(pdp, decision("worker", wp));

        JsonNode effective = answer.get("effective_policy");
        assertGranted(answer, waiver);
        assertThat(effective.get("policy_id").asText()).isEqualTo("preset-42");
        assertThat(effective.get("budgets")).isEqualTo(override.get("budgets"));
        assertThat(effective.get("layer_skip")).isEqualTo(override.get("layer_skip"));
        assertThat(effective.has("spec_decode")).isFalse();
        assertThat(effective.has("mem_offload")).isFalse();
    }

    @Test
    void hashes_are_sha256_of_the_rfc8785_canonical_policies_returned() {
        List<JsonNode> answers = List.of(
                decide(pdp, decision("worker", plainProfile())),
                decide(pdp, withPolicy(decision("worker", plainProfile()), richPolicy("spec_decode", "exact"))),
                decide(pdp, withPolicy(decision("worker", plainProfile()), richPolicy("layer_skip", "approximate"))),
                decide(pdp, decision("worker", grantedWorkerProfile())));

        for (JsonNode answer : answers) {
            assertThat(answer.get("requested_policy_hash").asText())
                    .matches("[0-9a-f]{64}")
                    .isEqualTo(CanonicalJson.sha256Hex(answer.get("requested_policy")));
            assertThat(answer.get("effective_policy_hash").asText())
                    .matches("[0-9a-f]{64}")
                    .isEqualTo(CanonicalJson.sha256Hex(answer.get("effective_policy")));
        }
        JsonNode downgraded = answers.get(2);
        assertThat(downgraded.get("requested_policy_hash").asText())
                .isNotEqualTo(downgraded.get("effective_policy_hash").asText());
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
        String waiver = validWaiver();
        ObjectNode override = richPolicy("layer_skip", "approximate");
        String wp = profileWith("worker", approximate(override(override), true, waiver));
        String exactWp = plainProfile();

        for (String profile : List.of(wp, exactWp)) {
            ObjectNode request = decision("worker", profile);
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
        assertThat(answer.get("ruleset").get("rules_fired").size()).isPositive();
    }

    @Test
    void the_answer_echoes_the_trace_id() {
        ObjectNode request = decision("worker", plainProfile());

        JsonNode answer = decide(pdp, request);

        assertThat(answer.get("trace_id").asText()).isEqualTo(request.get("trace_id").asText());
    }

    // ---- which profile (SPEC 3, inputs)

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

    // ---- forward-compatible exec_policy (SPEC 2, 3.8, v2)

    @Test
    void unknown_members_of_exec_policy_are_dropped_named_by_pointer_and_never_stored_by_value() {
        String secret = "my bank password is hunter2";
        ObjectNode sent = policy("mem_offload", "exact");
        sent.putObject("speculative").put("tree", secret);
        sent.putObject("budgets").put("max_total_ms", 1500.5).put("max_power_w", 300);
        sent.putObject("mem_offload").put("strategy", "kv_paged").put("compression", "zstd");
        sent.putObject("trace").put("level", "summary").putObject("artifact").put("enabled", false)
                .put("a/b~c", 1);

        JsonNode answer = decide(pdp, withPolicy(decision("worker", plainProfile()), sent));

        assertThat(texts(answer.get("dropped_fields"))).containsExactlyInAnyOrder(
                "/settings/exec_policy/speculative", "/settings/exec_policy/budgets/max_power_w",
                "/settings/exec_policy/mem_offload/compression", "/settings/exec_policy/trace/artifact/a~1b~0c");
        assertThat(texts(answer.get("adjustments"))).containsExactly("UNKNOWN_FIELDS_DROPPED");
        assertThat(answer.get("adjusted").asBoolean()).isTrue();
        assertThat(answer.get("downgraded").asBoolean()).isFalse();
        JsonNode effective = answer.get("effective_policy");
        assertThat(effective.has("speculative")).isFalse();
        assertThat(effective.get("budgets")).isEqualTo(Json.object().put("max_total_ms", 1500.5));
        assertThat(effective.get("mem_offload")).isEqualTo(Json.object().put("strategy", "kv_paged"));
        assertThat(effective.get("trace").get("artifact")).isEqualTo(Json.object().put("enabled", false));
        // the requested policy names the member, not its value, so the recorded hash is of what is shown
        assertThat(answer.get("requested_policy").get("speculative").isNull()).isTrue();
        assertThat(answer.get("requested_policy_hash")).isNotEqualTo(answer.get("effective_policy_hash"));
        Reply records = pdp.get("/v1/events?decision_id=" + answer.get("decision_id").asText());
        assertThat(records.status()).isEqualTo(200);
        assertThat(records.body()).doesNotContain("hunter2").doesNotContain("zstd").contains("max_power_w");
    }

    @Test
    void a_request_whose_policy_has_only_known_members_drops_nothing() {
        JsonNode answer = decide(pdp, withPolicy(decision("worker", plainProfile()), policy("standard", "exact")));

        assertThat(texts(answer.get("dropped_fields"))).isEmpty();
        assertThat(texts(answer.get("adjustments"))).doesNotContain("UNKNOWN_FIELDS_DROPPED");
    }

    @Test
    void budgets_are_numbers_not_only_integers() {
        ObjectNode sent = policy("standard", "exact");
        sent.putObject("budgets").put("max_vram_mb", 3.5).put("max_ram_mb", 0).put("max_decode_ms", 0.25);

        JsonNode answer = decide(pdp, withPolicy(decision("worker", plainProfile()), sent));

        assertThat(answer.get("effective_policy").get("budgets")).isEqualTo(sent.get("budgets"));
    }

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
    void a_dynamic_role_without_inherits_uses_its_own_compute_gets_no_profile_compute_and_is_registered() {
        String wp = profileWithAll(preset("fast_approx"));
        String roleId = uid("drafter");
        ObjectNode role = Json.object().put("role_id", roleId);
        role.set("compute", marked("own"));
        putRole(pdp, role);
        ObjectNode bare = Json.object().put("role_id", uid("bare"));
        bare.putObject("compute").put("cloud_reasoning_strength", "low");
        putRole(pdp, bare);

        JsonNode own = decide(pdp, decision(roleId, wp));
        JsonNode none = decide(pdp, decision(bare.get("role_id").asText(), wp));

        assertThat(own.get("requested_source").asText()).isEqualTo("dynamic_role");
        assertThat(own.get("requested_policy")).isEqualTo(marker("own"));
        assertThat(reasons(own)).doesNotContain("ROLE_UNREGISTERED");
        assertThat(none.get("requested_source").asText()).as("no class, so no profile compute").isEqualTo("runtime_default");
        assertThat(reasons(none)).doesNotContain("ROLE_UNREGISTERED");
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
