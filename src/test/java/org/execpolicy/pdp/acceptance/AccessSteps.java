package org.execpolicy.pdp.acceptance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.cucumber.java.en.Then;
import io.cucumber.java.en.When;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.List;
import org.execpolicy.pdp.json.Json;

/** Bearer tokens and the records of who changed what (features/access_control.feature). */
public class AccessSteps {

    @When("^a client (without a token|with an unknown token|with the runtime token|with the auditor token) "
            + "saves a work profile \"([^\"]+)\"$")
    public void aClientSavesAWorkProfile(String who, String name) {
        String id = World.id(name);
        var profile = Json.object().put("schema_version", "hsk.work_profile@0.6").put("profile_id", id).put("name", name);
        profile.putObject("governance").put("automation_level", "HYBRID").put("allow_cloud_escalation", false);
        var assignments = profile.putObject("model_assignments");
        World.CORE_ROLES.forEach(role -> assignments.putObject(role).put("primary_model_id", "local-7b").put("local_only", true));
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(Pdp.server().baseUrl() + "/v1/profiles/" + id))
                .header("content-type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(profile.toString()));
        String token = switch (who) {
            case "with an unknown token" -> "a-token-this-server-never-wrote";
            case "with the runtime token" -> Pdp.server().token("runtime");
            case "with the auditor token" -> Pdp.server().token("auditor");
            default -> null;
        };
        if (token != null) {
            request.header("authorization", "Bearer " + token);
        }
        World.reply = Pdp.server().send(request);
    }

    @Then("^no work profile change is recorded for work profile \"([^\"]+)\"$")
    public void noWorkProfileChangeIsRecorded(String name) {
        assertThat(changesOf(name)).isEmpty();
    }

    @Then("^the last change to work profile \"([^\"]+)\" is recorded by \"([^\"]+)\" as changing \"([^\"]+)\"$")
    public void theLastChangeIsRecorded(String name, String operator, String path) {
        List<JsonNode> changes = changesOf(name);
        assertThat(changes).as("work_profile_changed records of " + name).isNotEmpty();
        JsonNode last = changes.get(0);
        assertThat(last.path("actor").asText()).isEqualTo("human");
        assertThat(last.path("operator").asText()).isEqualTo(operator);
        assertThat(last.path("changed_paths")).extracting(JsonNode::asText).containsExactly(path);
    }

    @Then("^work profile \"([^\"]+)\" has (\\d+) versions in its history, newest first$")
    public void theProfileHasVersions(String name, int count) {
        JsonNode history = Pdp.server().get("/v1/profiles/" + World.id(name) + "/history").json();
        assertThat(history.path("items")).extracting(v -> v.path("version").asInt())
                .containsExactlyElementsOf(java.util.stream.IntStream.iterate(count, v -> v - 1).limit(count).boxed().toList());
        assertThat(history.path("items").get(0).path("profile")).isEqualTo(World.profile);
    }

    private static List<JsonNode> changesOf(String name) {
        return RecorderSteps.events("type=work_profile_changed").stream()
                .filter(r -> r.path("profile_id").asText().equals(World.id(name))).toList();
    }
}
