package org.execpolicy.pdp.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.execpolicy.pdp.api.Bodies.uid;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.execpolicy.pdp.json.CanonicalJson;
import org.execpolicy.pdp.json.Json;
import org.execpolicy.pdp.support.RunningPdp;
import org.execpolicy.pdp.support.RunningPdp.Reply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every registry change leaves its record (issue 4): who, what, and the hashes before and after. */
class RegistryAuditTest {
    static RunningPdp pdp;

    @BeforeAll
    static void start() {
        pdp = RunningPdp.start();
    }

    @AfterAll
    static void stop() {
        pdp.close();
    }

    @Test
    void a_profile_keeps_its_versions_and_each_save_and_activation_is_recorded() {
        String id = uid("wp");
        ObjectNode first = Bodies.profile(id);
        Steps.putProfile(pdp, first);
        ObjectNode second = first.deepCopy();
        second.put("name", "renamed");
        ((ObjectNode) second.get("model_assignments").get("worker")).put("primary_model_id", "model-b");
        Steps.putProfile(pdp, second);
        Steps.activate(pdp, id);

        JsonNode history = pdp.get("/v1/profiles/" + id + "/history").json();
        assertThat(history.get("items")).extracting(v -> v.get("version").asInt()).containsExactly(2, 1);
        assertThat(history.get("items").get(0).get("profile")).isEqualTo(second);
        assertThat(history.get("items").get(1).get("profile")).isEqualTo(first);
        assertThat(history.get("items").get(0).get("profile_hash").asText()).isEqualTo(CanonicalJson.sha256Hex(second));
        assertThat(history.get("items").get(0).get("operator").asText()).isEqualTo("operator");

        List<JsonNode> changes = ofProfile("work_profile_changed", "profile_id", id);
        assertThat(changes).hasSize(2);
        assertThat(changes.get(0).get("changed_paths")).extracting(JsonNode::asText)
                .containsExactly("/model_assignments/worker/primary_model_id", "/name");
        assertThat(changes.get(0).get("before_hash").asText()).isEqualTo(CanonicalJson.sha256Hex(first));
        assertThat(changes.get(0).get("after_hash").asText()).isEqualTo(CanonicalJson.sha256Hex(second));
        assertThat(changes.get(1).get("changed_paths")).extracting(JsonNode::asText).containsExactly("");
        JsonNode activated = ofProfile("work_profile_selected", "profile_id", id).get(0);
        assertThat(activated.get("profile_hash").asText()).isEqualTo(CanonicalJson.sha256Hex(second));
        assertThat(activated.get("actor").asText()).isEqualTo("human");
        // FR-EVT-PROFILE-001: what the selection resolves to, read from the profile as selected
        assertThat(activated.get("resolved_models").get("worker").asText()).isEqualTo("model-b");
        assertThat(activated.get("resolved_models").get("frontend").asText())
                .isEqualTo(second.get("model_assignments").get("frontend").get("primary_model_id").asText());
        assertThat(activated.get("automation_level").asText()).as("the profile's governance").isEqualTo("HYBRID");
        assertThat(activated.get("allow_cloud_escalation").isBoolean()).isTrue();
        assertThat(activated.get("allow_cloud_escalation").asBoolean()).isFalse();
        assertThat(pdp.get("/v1/profiles/" + uid("wp-none") + "/history").status()).isEqualTo(404);
    }

    @Test
    void selecting_a_profile_records_its_governance_and_the_profile_active_before() {
        String before = uid("wp");
        Steps.putProfile(pdp, Bodies.profile(before));
        Steps.activate(pdp, before);
        String id = uid("wp");
        ObjectNode profile = Bodies.profile(id);
        profile.putObject("governance").put("automation_level", "HYBRID").put("allow_cloud_escalation", false);
        Steps.putProfile(pdp, profile);

        Steps.activate(pdp, id);

        JsonNode selected = ofProfile("work_profile_selected", "profile_id", id).get(0);
        assertThat(selected.get("previous_profile_id").asText()).isEqualTo(before);
        assertThat(selected.get("automation_level").asText()).isEqualTo("HYBRID");
        assertThat(selected.get("allow_cloud_escalation").isBoolean()).isTrue();
        assertThat(selected.get("allow_cloud_escalation").asBoolean()).isFalse();
        assertThat(selected.get("resolved_models").size()).isEqualTo(4);
        assertThat(ofProfile("work_profile_activated", "profile_id", id)).as("the old type is no longer written").isEmpty();
    }

    @Test
    void roles_and_waivers_are_recorded_when_changed_granted_and_revoked() {
        String roleId = uid("role");
        Steps.putRole(pdp, Bodies.role(roleId, "worker", Bodies.preset("fast_exact")));
        Steps.putRole(pdp, Bodies.role(roleId, "worker", Bodies.preset("standard")));
        String waiverId = uid("wv");
        ObjectNode waiver = Bodies.waiver(waiverId);
        waiver.put("justification", "<script>window.__xss=1</script> stays text");
        Steps.createWaiver(pdp, waiver);
        Steps.revoke(pdp, waiverId, "model drifted");

        List<JsonNode> roleChanges = ofProfile("dynamic_role_changed", "role_id", roleId);
        assertThat(roleChanges).hasSize(2);
        assertThat(roleChanges.get(0).get("changed_paths")).extracting(JsonNode::asText)
                .containsExactly("/compute/speed_preset");
        assertThat(roleChanges.get(0).get("inherits").asText()).isEqualTo("worker");
        JsonNode granted = ofProfile("waiver_granted", "waiver_id", waiverId).get(0);
        assertThat(granted.get("justification").asText()).isEqualTo(waiver.get("justification").asText());
        assertThat(granted.get("operator").asText()).isEqualTo("operator");
        JsonNode revoked = ofProfile("waiver_revoked", "waiver_id", waiverId).get(0);
        assertThat(revoked.get("reason").asText()).isEqualTo("model drifted");
        Reply stored = pdp.get("/v1/waivers/" + waiverId);
        assertThat(revoked.get("waiver_hash").asText()).isEqualTo(CanonicalJson.sha256Hex(stored.json()));
        assertThat(pdp.get("/v1/recorder/verify").json().get("intact").asBoolean()).isTrue();
    }

    @Test
    void every_change_names_the_token_that_made_it() {
        String name = "alice-ops-token-for-audit";
        try (ConfiguredPdp server = ConfiguredPdp.start(options -> options, List.of(name))) {
            String profileId = uid("wp");
            String roleId = uid("role");
            String waiverId = uid("wv");
            for (Reply reply : List.of(
                    write(server, name, "PUT", "/v1/profiles/" + profileId, Bodies.profile(profileId)),
                    write(server, name, "POST", "/v1/profiles/" + profileId + "/activate", Json.object()),
                    write(server, name, "PUT", "/v1/roles/" + roleId, Bodies.role(roleId, "worker", null)),
                    write(server, name, "POST", "/v1/waivers", Bodies.waiver(waiverId)),
                    write(server, name, "POST", "/v1/waivers/" + waiverId + "/revoke", Json.object().put("reason", "x")))) {
                assertThat(reply.status()).as(reply.body()).isIn(200, 201);
            }
            for (String type : List.of("work_profile_changed", "work_profile_selected", "dynamic_role_changed",
                    "waiver_granted", "waiver_revoked")) {
                JsonNode items = server.get("/v1/events?type=" + type).json().get("items");
                assertThat(items).as(type).hasSize(1);
                assertThat(items.get(0).get("operator").asText()).as(type).isEqualTo(name);
                assertThat(items.get(0).get("actor").asText()).as(type).isEqualTo("human");
            }
            assertThat(server.get("/v1/profiles/" + profileId + "/history").json().get("items").get(0)
                    .get("operator").asText()).isEqualTo(name);
        }
    }

    private static Reply write(ConfiguredPdp server, String token, String method, String path, JsonNode body) {
        return ConfiguredPdp.reply(server.send(server.to(path).header("authorization", "Bearer " + token)
                .header("content-type", "application/json")
                .method(method, java.net.http.HttpRequest.BodyPublishers.ofString(body.toString()))));
    }

    private static List<JsonNode> ofProfile(String type, String field, String id) {
        return Steps.allEvents(pdp, "type=" + type, 500).stream()
                .filter(r -> r.get(field).asText().equals(id)).toList();
    }
}
