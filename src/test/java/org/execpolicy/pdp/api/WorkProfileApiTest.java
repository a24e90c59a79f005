package org.execpolicy.pdp.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.execpolicy.pdp.api.Bodies.decision;
import static org.execpolicy.pdp.api.Bodies.uid;
import static org.execpolicy.pdp.api.RegistryApiTest.assertFieldError;
import static org.execpolicy.pdp.api.RegistryApiTest.ok;
import static org.execpolicy.pdp.api.RegistryApiTest.problem;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import org.execpolicy.pdp.support.RunningPdp;
import org.execpolicy.pdp.support.RunningPdp.Reply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Work Profiles v2 (SPEC 2) through a real server: 0.5 beside 0.6, governance required, routing and
 * overrides validated, and a profile that a decision has used is immutable (spec 4.3.7.1).
 */
class WorkProfileApiTest {
    static RunningPdp pdp;

    @BeforeAll
    static void start() {
        pdp = RunningPdp.start();
    }

    @AfterAll
    static void stop() {
        pdp.close();
    }

    /** The newest Flight Recorder record's id: a refused PUT must leave it where it was. */
    static String newestEvent(RunningPdp node) {
        return ok(node.get("/v1/events?limit=1")).get("items").get(0).get("event_id").asText();
    }

    static ObjectNode changed(ObjectNode profile) {
        ObjectNode copy = profile.deepCopy();
        copy.put("description", "changed after use");
        ((ObjectNode) copy.get("governance")).put("automation_level", "AUTONOMOUS");
        return copy;
    }

    // ---- immutable once used

    @Test
    void a_profile_a_decision_named_is_409_on_put_and_nothing_changes() {
        String id = uid("wp");
        ObjectNode profile = Bodies.profile(id);
        Steps.putProfile(pdp, profile);
        String usedBy = Steps.decide(pdp, decision("worker", id)).get("decision_id").asText();

        JsonNode later = Steps.decide(pdp, decision("worker", id)); // already used: not the first
        String before = newestEvent(pdp);

        Reply refused = pdp.put("/v1/profiles/" + id, changed(profile).toString());

        JsonNode problem = problem(refused, 409);
        assertThat(problem.get("detail").asText()).contains(id).contains("new profile_id")
                .contains(usedBy).doesNotContain(later.get("decision_id").asText());
        assertThat(problem.get("message").asText()).isEqualTo(problem.get("detail").asText());
        assertThat(problem.get("errors").findValuesAsText("path")).containsExactly("/profile_id");
        assertThat(ok(pdp.get("/v1/profiles/" + id))).as("unchanged").isEqualTo(profile);
        assertThat(ok(pdp.get("/v1/profiles/" + id + "/history")).get("items")).as("no new version").hasSize(1);
        assertThat(newestEvent(pdp)).as("nothing recorded").isEqualTo(before);
        assertThat(Steps.texts(ok(pdp.get("/v1/profiles")).get("used_profile_ids"))).contains(id);
    }

    @Test
    void the_active_profile_becomes_immutable_with_its_first_decision_and_can_still_be_activated() {
        String id = uid("wp");
        String other = uid("wp");
        ObjectNode profile = Bodies.profile(id);
        Steps.putProfile(pdp, profile);
        Steps.putProfile(pdp, Bodies.profile(other));
        Steps.activate(pdp, id);
        JsonNode answer = Steps.decide(pdp, decision("worker"));
        assertThat(ok(pdp.get("/v1/decisions/" + answer.get("decision_id").asText())).toString()).contains(id);

        Reply refused = pdp.put("/v1/profiles/" + id, changed(profile).toString());
        Steps.activate(pdp, other);
        Steps.activate(pdp, id); // activation is not a change

        problem(refused, 409);
        assertThat(ok(pdp.get("/v1/profiles/" + id))).isEqualTo(profile);
        assertThat(ok(pdp.get("/v1/profiles")).get("active_profile_id").asText()).isEqualTo(id);
        assertThat(Steps.texts(ok(pdp.get("/v1/profiles")).get("used_profile_ids"))).contains(id)
                .doesNotContain(other);
    }

    @Test
    void an_unused_profile_is_replaced_even_while_active() {
        String id = uid("wp");
        ObjectNode profile = Bodies.profile(id);
        Steps.putProfile(pdp, profile);
        Steps.activate(pdp, id);
        ObjectNode second = changed(profile);

        Reply replaced = pdp.put("/v1/profiles/" + id, second.toString());

        assertThat(replaced.status()).as(replaced.body()).isEqualTo(200);
        assertThat(ok(pdp.get("/v1/profiles/" + id))).isEqualTo(second);
        assertThat(ok(pdp.get("/v1/profiles/" + id + "/history")).get("items")).hasSize(2);
    }

    @Test
    void a_used_profile_stays_immutable_after_a_restart_the_store_knows_it() {
        Path dataDir = RunningPdp.freshDataDir();
        String id = uid("wp");
        ObjectNode profile = Bodies.profile(id);
        try (RunningPdp first = RunningPdp.start(dataDir)) {
            Steps.putProfile(first, profile);
            Steps.decide(first, decision("worker", id));
        }
        try (RunningPdp again = RunningPdp.start(dataDir)) {
            Reply refused = again.put("/v1/profiles/" + id, changed(profile).toString());

            problem(refused, 409);
            assertThat(ok(again.get("/v1/profiles/" + id))).isEqualTo(profile);
        }
    }

    // ---- 0.5 and 0.6

    @Test
    void a_0_5_profile_without_compute_is_stored_and_decided_with() {
        String id = uid("wp");
        ObjectNode profile = Bodies.profile(id);
        profile.put("schema_version", "hsk.work_profile@0.5");

        Reply created = pdp.put("/v1/profiles/" + id, profile.toString());
        JsonNode answer = Steps.decide(pdp, decision("worker", id));

        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(ok(pdp.get("/v1/profiles/" + id))).isEqualTo(profile);
        assertThat(answer.get("requested_source").asText()).isEqualTo("runtime_default");
    }

    @Test
    void a_0_5_profile_carrying_compute_is_400_naming_the_compute() {
        String id = uid("wp");
        ObjectNode profile = Bodies.profile(id, "worker", Bodies.preset("fast_exact"));
        profile.put("schema_version", "hsk.work_profile@0.5");

        JsonNode problem = problem(pdp.put("/v1/profiles/" + id, profile.toString()), 400);

        assertFieldError(problem, "/model_assignments/worker/compute");
        problem(pdp.get("/v1/profiles/" + id), 404);
        profile.put("schema_version", "hsk.work_profile@0.6");
        assertThat(pdp.put("/v1/profiles/" + id, profile.toString()).status()).as("the same as 0.6").isEqualTo(201);
    }

    @Test
    void a_0_5_override_rule_carrying_compute_is_400_naming_it() {
        String id = uid("wp");
        ObjectNode profile = Bodies.profile(id);
        profile.put("schema_version", "hsk.work_profile@0.5");
        profile.putObject("overrides").putObject("task_type_rules").putObject("tool_call")
                .set("compute", Bodies.preset("standard"));

        JsonNode problem = problem(pdp.put("/v1/profiles/" + id, profile.toString()), 400);

        assertFieldError(problem, "/overrides/task_type_rules/tool_call/compute");
        problem(pdp.get("/v1/profiles/" + id), 404);
    }

    // ---- governance, routing, overrides

    @Test
    void a_profile_without_governance_is_400_naming_it_and_not_stored() {
        String id = uid("wp");
        ObjectNode profile = Bodies.profile(id);
        profile.remove("governance");

        JsonNode problem = problem(pdp.put("/v1/profiles/" + id, profile.toString()), 400);

        assertFieldError(problem, "/governance");
        problem(pdp.get("/v1/profiles/" + id), 404);
    }

    @Test
    void governance_members_are_validated() {
        String id = uid("wp");
        ObjectNode profile = Bodies.profile(id);
        ((ObjectNode) profile.get("governance")).put("automation_level", "SOMETIMES")
                .put("max_cloud_escalations_per_job", -1).remove("allow_cloud_escalation");

        JsonNode problem = problem(pdp.put("/v1/profiles/" + id, profile.toString()), 400);

        assertThat(problem.get("errors").findValuesAsText("path")).contains("/governance/automation_level",
                "/governance/max_cloud_escalations_per_job", "/governance/allow_cloud_escalation");
        problem(pdp.get("/v1/profiles/" + id), 404);
    }

    @Test
    void routing_and_overrides_are_stored_as_sent() {
        String id = uid("wp");
        ObjectNode profile = Bodies.profile(id);
        ((ObjectNode) profile.get("governance")).put("max_cloud_escalations_per_job", 3);
        ObjectNode routing = profile.putObject("routing").put("selection_policy", "explicit");
        routing.putArray("candidate_models").addObject().put("model_id", "llama-70b").put("backend", "cloud")
                .put("parameter_class", "P70B");
        ObjectNode overrides = profile.putObject("overrides");
        overrides.putObject("filetype_rules").putObject(".py").put("primary_model_id", "coder-7b");
        overrides.putObject("task_type_rules").putObject("tool_call").put("local_only", true)
                .set("compute", Bodies.preset("standard"));

        Reply created = pdp.put("/v1/profiles/" + id, profile.toString());

        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(ok(pdp.get("/v1/profiles/" + id))).isEqualTo(profile);
    }

    @Test
    void bad_routing_and_overrides_are_400_naming_the_field() {
        String id = uid("wp");
        ObjectNode profile = Bodies.profile(id);
        profile.putObject("routing").put("selection_policy", "smallest").putArray("candidate_models").addObject()
                .put("model_id", "llama-70b").put("backend", "edge");
        profile.putObject("overrides").putObject("task_type_rules").putObject("chat").put("primary_model", "x");

        JsonNode problem = problem(pdp.put("/v1/profiles/" + id, profile.toString()), 400);

        assertThat(problem.get("errors").findValuesAsText("path")).contains("/routing/selection_policy",
                "/routing/candidate_models/0/backend", "/overrides/task_type_rules/chat/primary_model");
        problem(pdp.get("/v1/profiles/" + id), 404);
    }
}
