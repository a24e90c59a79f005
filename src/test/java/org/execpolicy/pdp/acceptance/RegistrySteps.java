package org.execpolicy.pdp.acceptance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.JsonNode;
import io.cucumber.java.en.Given;
import io.cucumber.java.en.Then;
import io.cucumber.java.en.When;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.execpolicy.pdp.json.Json;
import org.execpolicy.pdp.support.RunningPdp.Reply;

/** What operators set up: work profiles, dynamic roles and waivers. */
public class RegistrySteps {

    // ---- work profiles

    @Given("^a work profile(?: \"([^\"]+)\")? is active where the (frontend|orchestrator|worker|validator) uses (.+)$")
    public void aWorkProfileIsActiveWhere(String name, String roleClass, String compute) {
        ObjectNode profile = profile(name == null ? "profile" : name);
        assign(profile, roleClass, compute);
        save(profile);
        activate(profile.get("profile_id").asText());
    }

    @Given("^in that work profile the (frontend|orchestrator|worker|validator) uses (.+)$")
    public void inThatWorkProfile(String roleClass, String compute) {
        assertThat(World.profile).as("a work profile set up earlier in the scenario").isNotNull();
        assign(World.profile, roleClass, compute);
        save(World.profile);
    }

    @When("^an operator saves a work profile \"([^\"]+)\" where the (frontend|orchestrator|worker|validator) uses "
            + "preset \"([^\"]+)\" with approximate allowed but no waiver$")
    public void anOperatorSavesAProfileWithoutWaiver(String name, String roleClass, String preset) {
        ObjectNode profile = profile(name);
        ObjectNode compute = ((ObjectNode) profile.path("model_assignments").get(roleClass)).putObject("compute");
        compute.put("speed_preset", preset);
        compute.putObject("approximate").put("allowed", true);
        World.reply = Pdp.server().put("/v1/profiles/" + World.id(name), profile.toString());
    }

    @When("^an operator saves a work profile \"([^\"]+)\" where the (frontend|orchestrator|worker|validator) uses "
            + "(.+ under waiver .+)$")
    public void anOperatorSavesAProfileUnderAWaiver(String name, String roleClass, String compute) {
        ObjectNode profile = profile(name);
        assign(profile, roleClass, compute);
        World.reply = Pdp.server().put("/v1/profiles/" + World.id(name), profile.toString());
    }

    @When("^an operator selects work profile \"([^\"]+)\" where the (frontend|orchestrator|worker|validator) uses (.+)$")
    public void anOperatorSelectsAWorkProfile(String name, String roleClass, String compute) {
        aWorkProfileIsActiveWhere(name, roleClass, compute);
    }

    @Given("^work profile \"([^\"]+)\" is not stored$")
    public void workProfileIsNotStored(String name) {
        Reply reply = Pdp.server().get("/v1/profiles/" + World.id(name));
        assertThat(reply.status()).as("GET /v1/profiles/%s: %s", name, reply.body()).isEqualTo(404);
        Reply list = Pdp.server().get("/v1/profiles");
        assertThat(list.json().path("items").findValuesAsText("profile_id")).doesNotContain(World.id(name));
    }

    @When("^an operator activates work profile \"([^\"]+)\" with a plain-text body$")
    public void anOperatorActivatesWithAPlainTextBody(String name) {
        // openapi.yaml declares activate's body as JSON that is ignored: any other media type is 415
        World.reply = Pdp.server().send(HttpRequest.newBuilder(URI.create(
                        Pdp.server().baseUrl() + "/v1/profiles/" + World.id(name) + "/activate"))
                .header("content-type", "text/plain")
                .header("authorization", "Bearer " + Pdp.server().token("operator"))
                .POST(HttpRequest.BodyPublishers.ofString("activate please")));
    }

    @Given("^work profile \"([^\"]+)\" is still the active one$")
    public void workProfileIsStillTheActiveOne(String name) {
        Reply list = Pdp.server().get("/v1/profiles");
        assertThat(list.json().path("active_profile_id").asText()).isEqualTo(World.id(name));
    }

    @When("^an operator changes work profile \"([^\"]+)\" so that the (frontend|orchestrator|worker|validator) uses (.+)$")
    public void anOperatorChangesAWorkProfile(String name, String roleClass, String compute) {
        Reply stored = Pdp.server().get("/v1/profiles/" + World.id(name));
        assertThat(stored.status()).as("GET /v1/profiles/%s: %s", name, stored.body()).isEqualTo(200);
        ObjectNode profile = (ObjectNode) stored.json();
        assign(profile, roleClass, compute);
        World.reply = Pdp.server().put("/v1/profiles/" + World.id(name), profile.toString());
    }

    @When("^an operator saves a hsk.work_profile@0.5 profile \"([^\"]+)\" where the (frontend|orchestrator|worker|validator) uses (.+)$")
    public void anOperatorSavesA05Profile(String name, String roleClass, String compute) {
        ObjectNode profile = profile(name);
        profile.put("schema_version", "hsk.work_profile@0.5");
        assign(profile, roleClass, compute);
        World.reply = Pdp.server().put("/v1/profiles/" + World.id(name), profile.toString());
    }

    @When("^an operator saves a work profile \"([^\"]+)\" without governance$")
    public void anOperatorSavesAProfileWithoutGovernance(String name) {
        ObjectNode profile = profile(name);
        profile.remove("governance");
        World.reply = Pdp.server().put("/v1/profiles/" + World.id(name), profile.toString());
    }

    @Then("^the work profile is saved$")
    public void theWorkProfileIsSaved() {
        assertThat(World.reply.status()).as("PUT /v1/profiles: %s", World.reply.body()).isIn(200, 201);
    }

    @Then("^work profile \"([^\"]+)\" has the (frontend|orchestrator|worker|validator) on (.+)$")
    public void workProfileHas(String name, String roleClass, String compute) {
        Reply stored = Pdp.server().get("/v1/profiles/" + World.id(name));
        assertThat(stored.status()).as("GET /v1/profiles/%s: %s", name, stored.body()).isEqualTo(200);
        ObjectNode expected = Phrases.compute(compute);
        assertThat(stored.json().path("model_assignments").path(roleClass).get("compute"))
                .as("compute of the %s in %s", roleClass, stored.body()).isEqualTo(expected);
    }

    // ---- dynamic roles

    @Given("^a dynamic role \"([^\"]+)\" without inherits uses (.+)$")
    public void aDynamicRoleWithoutInherits(String name, String compute) {
        ObjectNode role = Json.object().put("role_id", World.role(name));
        ObjectNode block = Phrases.compute(compute);
        if (block != null) {
            role.set("compute", block);
        }
        World.reply = Pdp.server().put("/v1/roles/" + World.role(name), role.toString());
    }

    @Given("^a dynamic role \"([^\"]+)\" inherits \"(frontend|orchestrator|worker|validator)\" and uses (.+)$")
    public void aDynamicRole(String name, String inherits, String compute) {
        ObjectNode role = Json.object();
        role.put("role_id", World.role(name));
        role.put("inherits", inherits);
        ObjectNode block = Phrases.compute(compute);
        if (block != null) {
            role.set("compute", block);
        }
        Reply reply = Pdp.server().put("/v1/roles/" + World.role(name), role.toString());
        assertThat(reply.status()).as("PUT /v1/roles: %s", reply.body()).isIn(200, 201);
    }

    // ---- waivers

    @Given("^waiver \"([^\"]+)\" covers role \"([^\"]+)\" and expires in (\\d+) days?$")
    public void waiverCoversRole(String name, String role, int days) {
        grant(name, scopeOfRole(role), Pdp.now().plus(days, ChronoUnit.DAYS));
    }

    @Given("^waiver \"([^\"]+)\" covers role \"([^\"]+)\" in work packet \"([^\"]+)\" and expires in (\\d+) days?$")
    public void waiverCoversRoleInWorkPacket(String name, String role, String wpId, int days) {
        ObjectNode scope = scopeOfRole(role);
        scope.putArray("wp_ids").add(wpId);
        grant(name, scope, Pdp.now().plus(days, ChronoUnit.DAYS));
    }

    @Given("^waiver \"([^\"]+)\" waives the check \"([^\"]+)\" for role \"([^\"]+)\" and expires in (\\d+) days?$")
    public void waiverOfAnotherCheckCoversRole(String name, String check, String role, int days) {
        grantForRole(name, role, days, "check_waived", check);
    }

    @Given("^waiver \"([^\"]+)\" of risk \"(LOW|MEDIUM|HIGH)\" covers role \"([^\"]+)\" and expires in (\\d+) days?$")
    public void waiverOfRiskCoversRole(String name, String risk, String role, int days) {
        Reply reply = grantForRole(name, role, days, "risk", risk);
        assertThat(reply.json().path("granted_by").asText()).isEqualTo("operator");
    }

    /** Grants a waiver for the role with one member set apart from the usual; answers the 201. */
    private static Reply grantForRole(String name, String role, int days, String member, String value) {
        ObjectNode waiver = waiver(name, scopeOfRole(role), Pdp.now().plus(days, ChronoUnit.DAYS), "acceptance scenario");
        waiver.put(member, value);
        Reply reply = Pdp.server().post("/v1/waivers", waiver.toString());
        assertThat(reply.status()).as("POST /v1/waivers: %s", reply.body()).isEqualTo(201);
        return reply;
    }

    @When("^another operator approves waiver \"([^\"]+)\"$")
    public void anotherOperatorApprovesWaiver(String name) {
        World.reply = approve(name, Pdp.SECOND_OPERATOR);
        assertThat(World.reply.status()).as("approve: %s", World.reply.body()).isEqualTo(200);
    }

    @When("^the operator who granted waiver \"([^\"]+)\" approves it$")
    public void theGrantingOperatorApprovesIt(String name) {
        World.reply = approve(name, "operator");
    }

    @Then("^waiver \"([^\"]+)\" is (pending|active)(?:, approved by \"([^\"]+)\")?$")
    public void waiverIs(String name, String status, String approvedBy) {
        Reply reply = Pdp.server().get("/v1/waivers/" + World.id(name));
        assertThat(reply.status()).as("GET waiver: %s", reply.body()).isEqualTo(200);
        JsonNode waiver = reply.json();
        assertThat(waiver.path("status").asText()).as(waiver.toString()).isEqualTo(status);
        if (approvedBy == null) {
            assertThat(waiver.path("approved_by").isNull()).as(waiver.toString()).isTrue();
        } else {
            assertThat(waiver.path("approved_by").asText()).as(waiver.toString()).isEqualTo(approvedBy);
        }
    }

    @Then("^the Flight Recorder holds (no|one) approval of waiver \"([^\"]+)\"(?: by \"([^\"]+)\")?$")
    public void theRecorderHoldsApprovals(String howMany, String name, String operator) {
        Reply reply = Pdp.server().get("/v1/events?type=waiver_approved&limit=500");
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        java.util.List<JsonNode> approvals = new java.util.ArrayList<>();
        reply.json().path("items").forEach(record -> {
            if (record.path("waiver_id").asText().equals(World.id(name))) {
                approvals.add(record);
            }
        });
        assertThat(approvals).hasSize(howMany.equals("no") ? 0 : 1);
        if (operator != null) {
            assertThat(approvals.get(0).path("operator").asText()).isEqualTo(operator);
            assertThat(approvals.get(0).path("granted_by").asText()).isEqualTo("operator");
        }
    }

    @Given("^waiver \"([^\"]+)\" covers every role and expires in (\\d+) days?$")
    public void waiverCoversEveryRole(String name, int days) {
        grant(name, null, Pdp.now().plus(days, ChronoUnit.DAYS));
    }

    @Given("^(\\d+) (minute|day)s? pass(?:es)?$")
    public void timePasses(int amount, String unit) {
        Pdp.letTimePass(unit.equals("day") ? java.time.Duration.ofDays(amount) : java.time.Duration.ofMinutes(amount));
    }

    @Given("^waiver \"([^\"]+)\" has been revoked$")
    public void waiverHasBeenRevoked(String name) {
        Reply reply = revoke(name);
        assertThat(reply.status()).as("revoke: %s", reply.body()).isEqualTo(200);
        assertThat(reply.json().path("revoked_at").isTextual()).as("revoked_at of %s", reply.body()).isTrue();
    }

    @Given("^no waiver \"([^\"]+)\" has ever been granted$")
    public void noWaiverHasBeenGranted(String name) {
        Reply reply = Pdp.server().get("/v1/waivers/" + World.id(name));
        assertThat(reply.status()).as("GET /v1/waivers/%s: %s", name, reply.body()).isEqualTo(404);
    }

    @When("^an operator grants waiver \"([^\"]+)\" justified by \"([^\"]+)\"$")
    public void anOperatorGrantsWaiverJustifiedBy(String name, String justification) {
        grant(name, null, Pdp.now().plus(30, ChronoUnit.DAYS), justification);
    }

    @When("^an operator revokes waiver \"([^\"]+)\" because \"([^\"]+)\"$")
    public void anOperatorRevokesWaiverBecause(String name, String reason) {
        World.reply = Pdp.server().post("/v1/waivers/" + World.id(name) + "/revoke",
                Json.object().put("reason", reason).toString());
        assertThat(World.reply.status()).as("revoke: %s", World.reply.body()).isEqualTo(200);
    }

    @When("^an operator revokes waiver \"([^\"]+)\"$")
    public void anOperatorRevokesWaiver(String name) {
        World.reply = revoke(name);
    }

    // ---- helpers

    /** A complete, valid hsk.work_profile@0.6 with no compute for any role. */
    private static ObjectNode profile(String name) {
        ObjectNode profile = Json.object();
        profile.put("schema_version", "hsk.work_profile@0.6");
        profile.put("profile_id", World.id(name));
        profile.put("name", "acceptance profile " + name);
        ObjectNode assignments = profile.putObject("model_assignments");
        for (String role : World.CORE_ROLES) {
            assignments.putObject(role).put("primary_model_id", "local-7b").put("local_only", true);
        }
        profile.putObject("governance").put("automation_level", "HYBRID").put("allow_cloud_escalation", false);
        return profile;
    }

    private static void assign(ObjectNode profile, String roleClass, String phrase) {
        ObjectNode assignment = (ObjectNode) profile.path("model_assignments").get(roleClass);
        ObjectNode compute = Phrases.compute(phrase);
        if (compute != null) {
            for (String member : Phrases.ASSIGNMENT_MEMBERS) {
                if (compute.has(member)) {
                    assignment.set(member, compute.remove(member));
                }
            }
        }
        if (compute == null || compute.isEmpty()) {
            assignment.remove("compute");
        } else {
            assignment.set("compute", compute);
        }
    }

    private static void save(ObjectNode profile) {
        Reply reply = Pdp.server().put("/v1/profiles/" + profile.get("profile_id").asText(), profile.toString());
        assertThat(reply.status()).as("PUT /v1/profiles: %s", reply.body()).isIn(200, 201);
        World.profile = profile;
    }

    private static void activate(String profileId) {
        Reply reply = Pdp.server().post("/v1/profiles/" + profileId + "/activate", "");
        assertThat(reply.status()).as("activate: %s", reply.body()).isEqualTo(200);
    }

    private static ObjectNode scopeOfRole(String role) {
        ObjectNode scope = Json.object();
        scope.putArray("roles").add(World.role(role));
        return scope;
    }

    private static void grant(String name, ObjectNode scope, Instant expiresAt) {
        grant(name, scope, expiresAt, "acceptance scenario");
    }

    private static void grant(String name, ObjectNode scope, Instant expiresAt, String justification) {
        Reply reply = Pdp.server().post("/v1/waivers", waiver(name, scope, expiresAt, justification).toString());
        assertThat(reply.status()).as("POST /v1/waivers: %s", reply.body()).isEqualTo(201);
    }

    private static ObjectNode waiver(String name, ObjectNode scope, Instant expiresAt, String justification) {
        ObjectNode waiver = Json.object();
        waiver.put("waiver_id", World.id(name));
        waiver.put("check_waived", "approximate_execution");
        if (scope != null) {
            waiver.set("scope", scope);
        }
        waiver.put("justification", justification);
        waiver.put("approver", "operator@example.org");
        waiver.put("expires_at", expiresAt.truncatedTo(ChronoUnit.SECONDS).toString());
        return waiver;
    }

    /** POST /v1/waivers/{id}/approve with the token of the given name. */
    private static Reply approve(String name, String tokenName) {
        return Pdp.server().post("/v1/waivers/" + World.id(name) + "/approve", "", Pdp.server().token(tokenName));
    }

    private static Reply revoke(String name) {
        return Pdp.server().post("/v1/waivers/" + World.id(name) + "/revoke", "{\"reason\":\"acceptance scenario\"}");
    }
}
