package org.execpolicy.pdp.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.execpolicy.pdp.api.Bodies.uid;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.execpolicy.pdp.support.FixtureRules;
import org.execpolicy.pdp.support.RunningPdp;
import org.execpolicy.pdp.support.RunningPdp.Reply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What operators set: Work Profiles, dynamic roles and waivers, through the HTTP API. */
class RegistryApiTest {
    static RunningPdp pdp;

    @BeforeAll
    static void start() {
        pdp = RunningPdp.start();
    }

    @AfterAll
    static void stop() {
        pdp.close();
    }

    static JsonNode ok(Reply reply) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        assertThat(reply.contentType()).startsWith("application/json");
        return reply.json();
    }

    static JsonNode problem(Reply reply, int status) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(status);
        assertThat(reply.contentType()).startsWith("application/problem+json");
        JsonNode problem = reply.json();
        assertThat(problem.get("status").asInt()).isEqualTo(status);
        assertThat(problem.get("error_type").asText()).isEqualTo("invalid_request");
        assertThat(problem.get("title").asText()).isNotBlank();
        assertThat(problem.get("detail").asText()).isNotBlank();
        return problem;
    }

    static void assertFieldError(JsonNode problem, String path) {
        assertThat(problem.get("errors").findValuesAsText("path")).contains(path);
        assertThat(problem.get("detail").asText()).contains(path);
    }

    static List<String> ids(JsonNode list, String field) {
        return list.get("items").findValuesAsText(field);
    }

    // ---- profiles

    @Test
    void a_profile_is_created_then_replaced_and_reads_back_as_last_put() {
        String id = uid("wp");
        ObjectNode first = Bodies.profile(id);
        ObjectNode second = Bodies.profile(id, "worker", Bodies.preset("fast_exact"));
        second.put("description", "worker on speculative decoding");

        Reply created = pdp.put("/v1/profiles/" + id, first.toString());
        JsonNode afterCreate = ok(pdp.get("/v1/profiles/" + id));
        Reply replaced = pdp.put("/v1/profiles/" + id, second.toString());
        JsonNode afterReplace = ok(pdp.get("/v1/profiles/" + id));

        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.json()).isEqualTo(first);
        assertThat(afterCreate).isEqualTo(first);
        assertThat(replaced.status()).as(replaced.body()).isEqualTo(200);
        assertThat(afterReplace).isEqualTo(second);
    }

    @Test
    void a_profile_accepts_and_stores_governance_overrides_and_routing() {
        String id = uid("wp");
        ObjectNode profile = Bodies.profile(id);
        profile.putObject("governance").put("automation_level", "HYBRID").put("allow_cloud_escalation", false)
                .put("max_cloud_escalations_per_job", 2);
        profile.putObject("overrides").putObject("task_type_rules").putObject("tool_call").put("local_only", true);
        profile.putObject("routing").put("selection_policy", "largest_available");
        ObjectNode worker = (ObjectNode) profile.get("model_assignments").get("worker");
        worker.put("fallback_model_id", "model-worker-small");
        worker.putArray("allowed_models").add("model-worker").add("model-worker-small");

        Steps.putProfile(pdp, profile);

        assertThat(ok(pdp.get("/v1/profiles/" + id))).isEqualTo(profile);
    }

    @Test
    void an_unknown_profile_is_404() {
        problem(pdp.get("/v1/profiles/" + uid("wp-nobody")), 404);
    }

    @Test
    void the_profile_list_holds_every_profile_and_the_active_id() {
        String a = uid("wp");
        String b = uid("wp");
        Steps.putProfile(pdp, Bodies.profile(a));
        Steps.putProfile(pdp, Bodies.profile(b));
        Steps.activate(pdp, b);

        JsonNode list = ok(pdp.get("/v1/profiles"));

        assertThat(ids(list, "profile_id")).contains(a, b);
        assertThat(list.get("active_profile_id").asText()).isEqualTo(b);
    }

    @Test
    void activating_a_profile_makes_it_the_only_active_one() {
        String a = uid("wp");
        String b = uid("wp");
        Steps.putProfile(pdp, Bodies.profile(a, "worker", Bodies.marked("a")));
        Steps.putProfile(pdp, Bodies.profile(b, "worker", Bodies.marked("b")));

        JsonNode activatedA = ok(pdp.post("/v1/profiles/" + a + "/activate", "{}"));
        JsonNode listA = ok(pdp.get("/v1/profiles"));
        JsonNode decisionA = Steps.decide(pdp, Bodies.decision("worker"));
        JsonNode activatedB = ok(pdp.post("/v1/profiles/" + b + "/activate", "{}"));
        JsonNode listB = ok(pdp.get("/v1/profiles"));
        JsonNode decisionB = Steps.decide(pdp, Bodies.decision("worker"));

        assertThat(activatedA.get("active_profile_id").asText()).isEqualTo(a);
        assertThat(listA.get("active_profile_id").asText()).isEqualTo(a);
        assertThat(decisionA.get("requested_policy")).isEqualTo(Bodies.marker("a"));
        assertThat(activatedB.get("active_profile_id").asText()).isEqualTo(b);
        assertThat(listB.get("active_profile_id").asText()).isEqualTo(b);
        assertThat(decisionB.get("requested_policy")).isEqualTo(Bodies.marker("b"));
    }

    @Test
    void activating_an_unknown_profile_is_404_and_keeps_the_active_one() {
        String a = uid("wp");
        Steps.putProfile(pdp, Bodies.profile(a));
        Steps.activate(pdp, a);

        JsonNode problem = problem(pdp.post("/v1/profiles/" + uid("wp-nobody") + "/activate", "{}"), 404);

        assertThat(problem.get("detail").asText()).contains("wp-nobody");
        assertThat(ok(pdp.get("/v1/profiles")).get("active_profile_id").asText()).isEqualTo(a);
    }

    @Test
    void a_profile_allowing_approximation_without_waiver_ref_is_refused_and_not_stored() {
        String id = uid("wp");
        ObjectNode invalid = Bodies.profile(id, "worker", Bodies.approximate(Bodies.preset("fast_approx"), true, null));

        JsonNode problem = problem(pdp.put("/v1/profiles/" + id, invalid.toString()), 422);

        assertFieldError(problem, "/model_assignments/worker/compute/approximate/waiver_ref");
        problem(pdp.get("/v1/profiles/" + id), 404);
        assertThat(ids(ok(pdp.get("/v1/profiles")), "profile_id")).doesNotContain(id);
    }

    @Test
    void a_profile_update_allowing_approximation_without_waiver_ref_leaves_the_old_version() {
        String id = uid("wp");
        ObjectNode original = Bodies.profile(id, "frontend", Bodies.preset("fast_exact"));
        Steps.putProfile(pdp, original);
        ObjectNode invalid = Bodies.profile(id, "frontend", Bodies.approximate(Bodies.preset("fast_approx"), true, null));
        ((ObjectNode) invalid.get("model_assignments").get("frontend").get("compute").get("approximate")).putNull("waiver_ref");

        JsonNode problem = problem(pdp.put("/v1/profiles/" + id, invalid.toString()), 422);

        assertFieldError(problem, "/model_assignments/frontend/compute/approximate/waiver_ref");
        assertThat(ok(pdp.get("/v1/profiles/" + id))).isEqualTo(original);
    }

    @Test
    void a_profile_whose_body_id_differs_from_the_path_is_422_and_not_stored() {
        String id = uid("wp");
        ObjectNode body = Bodies.profile(uid("wp-other"));

        JsonNode problem = problem(pdp.put("/v1/profiles/" + id, body.toString()), 422);

        assertFieldError(problem, "/profile_id");
        problem(pdp.get("/v1/profiles/" + id), 404);
    }

    @Test
    void a_profile_missing_a_core_role_is_400_naming_it() {
        String id = uid("wp");
        ObjectNode body = Bodies.profile(id);
        ((ObjectNode) body.get("model_assignments")).remove("validator");

        JsonNode problem = problem(pdp.put("/v1/profiles/" + id, body.toString()), 400);

        assertThat(problem.get("errors").findValuesAsText("path")).contains("/model_assignments/validator");
        problem(pdp.get("/v1/profiles/" + id), 404);
    }

    // ---- dynamic roles

    @Test
    void a_dynamic_role_is_created_then_replaced_and_listed() {
        String id = uid("summarizer");
        ObjectNode first = Bodies.role(id, "worker", null);
        ObjectNode second = Bodies.role(id, "orchestrator", Bodies.preset("fast_exact"));

        Reply created = pdp.put("/v1/roles/" + id, first.toString());
        Reply replaced = pdp.put("/v1/roles/" + id, second.toString());

        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.json()).isEqualTo(first);
        assertThat(replaced.status()).as(replaced.body()).isEqualTo(200);
        assertThat(ok(pdp.get("/v1/roles/" + id))).isEqualTo(second);
        assertThat(ids(ok(pdp.get("/v1/roles")), "role_id")).contains(id);
    }

    @Test
    void an_unknown_role_is_404() {
        problem(pdp.get("/v1/roles/" + uid("nobody")), 404);
    }

    @Test
    void a_core_role_cannot_be_registered_as_a_dynamic_role() {
        for (String core : Bodies.CORE_ROLES) {
            JsonNode problem = problem(pdp.put("/v1/roles/" + core, Bodies.role(core, "worker", null).toString()), 422);
            assertFieldError(problem, "/role_id");
            problem(pdp.get("/v1/roles/" + core), 404);
        }
    }

    @Test
    void a_role_whose_body_id_differs_from_the_path_is_422_and_not_stored() {
        String id = uid("summarizer");

        JsonNode problem = problem(pdp.put("/v1/roles/" + id, Bodies.role(uid("other"), "worker", null).toString()), 422);

        assertFieldError(problem, "/role_id");
        problem(pdp.get("/v1/roles/" + id), 404);
    }

    @Test
    void a_role_allowing_approximation_without_waiver_ref_is_refused_and_not_stored() {
        String id = uid("summarizer");
        ObjectNode role = Bodies.role(id, "worker", Bodies.approximate(Bodies.preset("fast_approx"), true, null));

        JsonNode problem = problem(pdp.put("/v1/roles/" + id, role.toString()), 422);

        assertFieldError(problem, "/compute/approximate/waiver_ref");
        problem(pdp.get("/v1/roles/" + id), 404);
    }

    @Test
    void a_role_turning_approximate_on_is_checked_on_its_own_waiver_only() {
        // the save asks the rules whether the role's own waiver covers it and reads their WAIVER_* refusals; on the
        // waiver-gate fixture (a waiver in the registry and not revoked grants) so that no change to the shipped
        // governance changes what this test sees. No profile enables approximate execution here (SPEC 3.4, v2:
        // a role only narrows the profile's control, which the save leaves out of the question).
        try (RunningPdp gate = RunningPdp.start(RunningPdp.freshDataDir(), FixtureRules.WAIVER_GATE, false)) {
            String waiver = uid("wv");
            Steps.createWaiver(gate, Bodies.waiver(waiver));
            String id = uid("summarizer");
            ObjectNode role = Bodies.role(id, "worker", Bodies.approximateOverrideAllowed(waiver));
            String revoked = uid("wv");
            Steps.createWaiver(gate, Bodies.waiver(revoked));
            Steps.revoke(gate, revoked, null);
            String other = uid("summarizer");
            ObjectNode underRevoked = Bodies.role(other, "worker", Bodies.approximateOverrideAllowed(revoked));
            int recordsBefore = Steps.countEvents(gate);

            Reply saved = gate.put("/v1/roles/" + id, role.toString());
            JsonNode problem = problem(gate.put("/v1/roles/" + other, underRevoked.toString()), 422);

            assertThat(saved.status()).as(saved.body()).isEqualTo(201);
            assertFieldError(problem, "/compute/approximate/waiver_ref");
            assertThat(problem.get("detail").asText()).contains("WAIVER_REVOKED").contains(revoked)
                    .doesNotContain("WAIVER_MISSING");
            problem(gate.get("/v1/roles/" + other), 404);
            assertThat(Steps.countEvents(gate)).as("only the saved role's change is recorded")
                    .isEqualTo(recordsBefore + 1);
        }
    }

    @Test
    void a_role_inheriting_no_core_role_is_400() {
        String id = uid("summarizer");

        JsonNode problem = problem(pdp.put("/v1/roles/" + id, Bodies.role(id, "janitor", null).toString()), 400);

        assertThat(problem.get("errors").findValuesAsText("path")).contains("/inherits");
    }

    // ---- waivers

    @Test
    void a_waiver_is_created_with_created_at_and_reads_back() {
        String id = uid("wv");
        ObjectNode body = Bodies.waiver(id);
        body.putObject("scope").putArray("roles").add("worker");
        Instant before = Instant.now().minusSeconds(1);

        Reply created = pdp.post("/v1/waivers", body.toString());

        assertThat(created.status()).as(created.body()).isEqualTo(201);
        JsonNode waiver = created.json();
        assertThat(waiver.get("waiver_id").asText()).isEqualTo(id);
        assertThat(Instant.parse(waiver.get("created_at").asText())).isBetween(before, Instant.now().plusSeconds(1));
        assertThat(waiver.path("revoked_at").isMissingNode() || waiver.get("revoked_at").isNull()).isTrue();
        for (String field : List.of("check_waived", "scope", "justification", "approver", "expires_at")) {
            assertThat(waiver.get(field)).as(field).isEqualTo(body.get(field));
        }
        assertThat(ok(pdp.get("/v1/waivers/" + id))).isEqualTo(waiver);
        assertThat(ids(ok(pdp.get("/v1/waivers")), "waiver_id")).contains(id);
    }

    @Test
    void a_waiver_without_id_gets_a_generated_one() {
        Reply first = pdp.post("/v1/waivers", Bodies.waiver(null).toString());
        Reply second = pdp.post("/v1/waivers", Bodies.waiver(null).toString());

        assertThat(first.status()).as(first.body()).isEqualTo(201);
        assertThat(second.status()).as(second.body()).isEqualTo(201);
        String a = first.json().get("waiver_id").asText();
        String b = second.json().get("waiver_id").asText();
        assertThat(a).isNotBlank().isNotEqualTo(b);
        assertThat(ok(pdp.get("/v1/waivers/" + a)).get("waiver_id").asText()).isEqualTo(a);
    }

    @Test
    void a_waiver_id_cannot_be_granted_twice() {
        String id = uid("wv");
        ObjectNode original = Bodies.waiver(id);
        JsonNode stored = Steps.createWaiver(pdp, original);
        ObjectNode again = Bodies.waiver(id, Bodies.inDays(365));
        again.put("approver", "someone-else@example.org");

        JsonNode problem = problem(pdp.post("/v1/waivers", again.toString()), 409);

        assertThat(problem.get("detail").asText()).contains(id);
        assertThat(ok(pdp.get("/v1/waivers/" + id))).isEqualTo(stored);
    }

    @Test
    void a_waiver_needs_an_expiry() {
        ObjectNode body = Bodies.waiver(uid("wv"));
        body.remove("expires_at");

        JsonNode problem = problem(pdp.post("/v1/waivers", body.toString()), 400);

        assertThat(problem.get("errors").findValuesAsText("path")).contains("/expires_at");
        problem(pdp.get("/v1/waivers/" + body.get("waiver_id").asText()), 404);
    }

    @Test
    void a_client_cannot_set_created_at_or_revoked_at() {
        ObjectNode backdated = Bodies.waiver(uid("wv"));
        backdated.put("created_at", "2020-01-01T00:00:00Z");
        ObjectNode preRevoked = Bodies.waiver(uid("wv"));
        preRevoked.put("revoked_at", "2020-01-01T00:00:00Z");

        problem(pdp.post("/v1/waivers", backdated.toString()), 400);
        problem(pdp.post("/v1/waivers", preRevoked.toString()), 400);

        problem(pdp.get("/v1/waivers/" + backdated.get("waiver_id").asText()), 404);
        problem(pdp.get("/v1/waivers/" + preRevoked.get("waiver_id").asText()), 404);
    }

    @Test
    void revoking_a_waiver_sets_revoked_at_and_keeps_the_reason_and_the_waiver() {
        String id = uid("wv");
        JsonNode created = Steps.createWaiver(pdp, Bodies.waiver(id));
        Instant before = Instant.now().minusSeconds(1);

        JsonNode revoked = ok(pdp.post("/v1/waivers/" + id + "/revoke", "{\"reason\":\"model drifted\"}"));

        assertThat(Instant.parse(revoked.get("revoked_at").asText())).isBetween(before, Instant.now().plusSeconds(1));
        assertThat(revoked.toString()).contains("model drifted");
        for (String field : List.of("waiver_id", "check_waived", "justification", "approver", "expires_at", "created_at")) {
            assertThat(revoked.get(field)).as(field).isEqualTo(created.get(field));
        }
        JsonNode stored = ok(pdp.get("/v1/waivers/" + id));
        assertThat(stored).isEqualTo(revoked);
        assertThat(ids(ok(pdp.get("/v1/waivers")), "waiver_id")).contains(id);
    }

    @Test
    void a_waiver_can_be_revoked_without_a_body() {
        String id = uid("wv");
        Steps.createWaiver(pdp, Bodies.waiver(id));

        JsonNode revoked = ok(pdp.send(HttpRequest.newBuilder(URI.create(pdp.baseUrl() + "/v1/waivers/" + id + "/revoke"))
                .header("authorization", "Bearer " + pdp.token("operator"))
                .POST(HttpRequest.BodyPublishers.noBody())));

        assertThat(revoked.get("revoked_at").isTextual()).isTrue();
    }

    @Test
    void revoking_twice_is_409_and_keeps_the_first_revocation() {
        String id = uid("wv");
        Steps.createWaiver(pdp, Bodies.waiver(id));
        JsonNode first = Steps.revoke(pdp, id, "first");

        JsonNode problem = problem(pdp.post("/v1/waivers/" + id + "/revoke", "{\"reason\":\"second\"}"), 409);

        assertThat(problem.get("detail").asText()).contains(id);
        assertThat(ok(pdp.get("/v1/waivers/" + id))).isEqualTo(first);
    }

    @Test
    void revoking_or_reading_an_unknown_waiver_is_404() {
        String id = uid("wv-nobody");

        problem(pdp.post("/v1/waivers/" + id + "/revoke", "{}"), 404);
        problem(pdp.get("/v1/waivers/" + id), 404);
    }

    @Test
    void a_waiver_born_expired_or_without_an_approver_is_refused_and_not_stored() {
        int recordsBefore = Steps.countEvents(pdp);
        for (String fault : List.of("expired", "no approver", "blank approver")) {
            String id = uid("wv");
            ObjectNode body = fault.equals("expired") ? Bodies.waiver(id, Instant.now().minus(Duration.ofDays(1)))
                    : Bodies.waiver(id);
            if (fault.equals("no approver")) {
                body.remove("approver");
            } else if (fault.equals("blank approver")) {
                body.put("approver", " ");
            }

            Reply reply = pdp.post("/v1/waivers", body.toString());

            JsonNode problem = ProblemAssert.problem(reply, 422, "invalid_request");
            assertThat(problem.get("errors").get(0).get("path").asText()).as(fault)
                    .isEqualTo(fault.equals("expired") ? "/expires_at" : "/approver");
            assertThat(pdp.get("/v1/waivers/" + id).status()).as(fault).isEqualTo(404);
        }
        assertThat(Steps.countEvents(pdp)).isEqualTo(recordsBefore);
    }

    // ---- look-alike ids, invisible approvers, waivers without end (issue 10, item 8)

    /** A problem at {@code path} with the given status, and nothing recorded by it. */
    static JsonNode refusedAt(java.util.function.Supplier<Reply> send, int status, String path) {
        int before = Steps.countEvents(pdp);
        Reply reply = send.get();
        JsonNode problem = problem(reply, status);
        assertThat(problem.get("errors").findValuesAsText("path")).as(reply.body()).contains(path);
        assertThat(Steps.countEvents(pdp)).as("records after %s", reply.body()).isEqualTo(before);
        return problem;
    }

    @Test
    void waiver_ids_that_only_look_like_an_id_are_refused_and_not_stored() {
        String id = uid("wv");
        Steps.createWaiver(pdp, Bodies.waiver(id));
        // a trailing or leading space, a non-breaking hyphen, a zero-width space, a Cyrillic a, an inner space
        List<String> lookAlikes = List.of(id + " ", " " + id, id.replace("-", "\u2011"), id + "\u200b",
                id.replace("w", "\u0461"), id.replace("-", " "), "");
        for (String lookAlike : lookAlikes) {
            JsonNode problem = refusedAt(() -> pdp.post("/v1/waivers", Bodies.waiver(lookAlike).toString()), 400,
                    "/waiver_id");

            assertThat(problem.get("detail").asText()).as(lookAlike).contains("/waiver_id").contains("identifier");
        }
        assertThat(ids(ok(pdp.get("/v1/waivers")), "waiver_id")).filteredOn(lookAlikes::contains).isEmpty();
    }

    @Test
    void an_id_that_cannot_be_stored_is_400_in_a_path_not_404() {
        JsonNode problem = refusedAt(() -> pdp.get("/v1/waivers/wv%E2%80%911"), 400, "/waiver_id");
        assertThat(problem.get("detail").asText()).contains("identifier");
        refusedAt(() -> pdp.post("/v1/waivers/wv-1%20/revoke", "{}"), 400, "/waiver_id");
        ObjectNode profile = Bodies.profile("fast ");
        refusedAt(() -> pdp.put("/v1/profiles/fast%20", profile.toString()), 400, "/profile_id");
        refusedAt(() -> pdp.put("/v1/roles/worker%20", Bodies.role("worker ", "worker", null).toString()), 400, "/role_id");
    }

    @Test
    void ids_as_the_readme_and_features_spell_them_are_accepted() {
        try (RunningPdp fresh = RunningPdp.start()) {
            for (String id : List.of("wv-1", "W-1", "wv-reviewer", "ops.lead:q1@2026_b")) {
                assertThat(fresh.post("/v1/waivers", Bodies.waiver(id).toString()).status()).as(id).isEqualTo(201);
            }
            assertThat(fresh.put("/v1/profiles/fast", Bodies.profile("fast").toString()).status()).isEqualTo(201);
            assertThat(fresh.put("/v1/roles/reviewer", Bodies.role("reviewer", "worker", null).toString()).status())
                    .isEqualTo(201);
        }
    }

    @Test
    void a_waiver_id_differing_from_a_stored_one_only_by_case_is_409() {
        String id = uid("wv-case");
        JsonNode stored = Steps.createWaiver(pdp, Bodies.waiver(id));

        JsonNode problem = refusedAt(() -> pdp.post("/v1/waivers", Bodies.waiver(id.toUpperCase()).toString()), 409,
                "/waiver_id");

        assertThat(problem.get("detail").asText()).contains(id.toUpperCase()).contains("'" + id + "'").contains("case");
        assertThat(ok(pdp.get("/v1/waivers/" + id))).isEqualTo(stored);
        problem(pdp.get("/v1/waivers/" + id.toUpperCase()), 404);
    }

    @Test
    void a_dynamic_role_may_not_take_a_core_roles_id_in_any_case() {
        for (String id : List.of("WORKER", "Worker", "Validator", "FRONTEND", "orchestrator")) {
            JsonNode problem = refusedAt(() -> pdp.put("/v1/roles/" + id, Bodies.role(id, "worker", null).toString()),
                    422, "/role_id");

            assertThat(problem.get("detail").asText()).as(id).contains("core role");
            problem(pdp.get("/v1/roles/" + id), 404);
        }
    }

    @Test
    void a_role_or_profile_id_differing_from_a_stored_one_only_by_case_is_409() {
        String roleId = uid("reviewer");
        String profileId = uid("fast");
        assertThat(pdp.put("/v1/roles/" + roleId, Bodies.role(roleId, "worker", null).toString()).status()).isEqualTo(201);
        assertThat(pdp.put("/v1/profiles/" + profileId, Bodies.profile(profileId).toString()).status()).isEqualTo(201);
        String upperRole = roleId.toUpperCase();
        String upperProfile = profileId.substring(0, 1).toUpperCase() + profileId.substring(1);

        refusedAt(() -> pdp.put("/v1/roles/" + upperRole, Bodies.role(upperRole, "worker", null).toString()), 409,
                "/role_id");
        refusedAt(() -> pdp.put("/v1/profiles/" + upperProfile, Bodies.profile(upperProfile).toString()), 409,
                "/profile_id");

        problem(pdp.get("/v1/roles/" + upperRole), 404);
        problem(pdp.get("/v1/profiles/" + upperProfile), 404);
        // the entry itself is still replaced under its own id
        assertThat(pdp.put("/v1/roles/" + roleId, Bodies.role(roleId, "validator", null).toString()).status()).isEqualTo(200);
    }

    @Test
    void an_approver_with_no_visible_character_is_refused() {
        for (String approver : List.of("\u200b", " \u00a0\ufeff\t", "\u2060\u200d", "\u0001")) {
            ObjectNode body = Bodies.waiver(uid("wv"));
            body.put("approver", approver);

            JsonNode problem = refusedAt(() -> pdp.post("/v1/waivers", body.toString()), 422, "/approver");

            assertThat(problem.get("detail").asText()).contains("approver is required");
            problem(pdp.get("/v1/waivers/" + body.get("waiver_id").asText()), 404);
        }
        ObjectNode visible = Bodies.waiver(uid("wv"));
        visible.put("approver", "\u200bops-lead\u00e9");
        assertThat(pdp.post("/v1/waivers", visible.toString()).status()).isEqualTo(201);
    }

    @Test
    void a_waiver_runs_at_most_365_days() {
        ObjectNode tooLong = Bodies.waiver(uid("wv"), Bodies.inDays(366));
        ObjectNode far = Bodies.waiver(uid("wv"), Instant.parse("9999-12-31T00:00:00Z"));
        ObjectNode withinAYear = Bodies.waiver(uid("wv"), Bodies.inDays(364));

        JsonNode problem = refusedAt(() -> pdp.post("/v1/waivers", tooLong.toString()), 422, "/expires_at");
        refusedAt(() -> pdp.post("/v1/waivers", far.toString()), 422, "/expires_at");

        assertThat(problem.get("detail").asText()).contains("365 days");
        problem(pdp.get("/v1/waivers/" + tooLong.get("waiver_id").asText()), 404);
        assertThat(pdp.post("/v1/waivers", withinAYear.toString()).status()).isEqualTo(201);
    }
}
