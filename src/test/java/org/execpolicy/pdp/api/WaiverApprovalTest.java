package org.execpolicy.pdp.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.execpolicy.pdp.api.Bodies.uid;
import static org.execpolicy.pdp.api.RegistryApiTest.assertFieldError;
import static org.execpolicy.pdp.api.RegistryApiTest.problem;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.execpolicy.pdp.execution.TraceLimits;
import org.execpolicy.pdp.json.CanonicalJson;
import org.execpolicy.pdp.json.Json;
import org.execpolicy.pdp.support.FixtureRules;
import org.execpolicy.pdp.support.RunningPdp;
import org.execpolicy.pdp.support.RunningPdp.Reply;
import org.execpolicy.pdp.support.SettableClock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Waiver risk and the second operator (SPEC 2 "Waiver", v2), through a real server whose token file
 * names two operators, alice and bob: a MEDIUM or HIGH waiver covers nothing until the other one
 * approves it, and every refused approval stores nothing. It runs on the fixture ruleset {@code waiver-gate}
 * (src/test/resources/rulesets/README.md), which refuses approximate execution under a pending waiver
 * (WAIVER_PENDING) and grants it once approved, whatever the shipped rules/ grant.
 */
class WaiverApprovalTest {
    static final SettableClock clock = new SettableClock();
    static RunningPdp pdp;
    static String alice;
    static String bob;

    @BeforeAll
    static void start() throws IOException {
        Path data = RunningPdp.freshDataDir();
        ObjectNode file = Json.object();
        var tokens = file.putArray("tokens");
        for (String name : List.of("alice", "bob")) {
            tokens.addObject().put("name", name).put("token", "pdp_" + name + "_" + "x".repeat(24))
                    .set("scopes", Json.array(List.of("operator")));
        }
        tokens.addObject().put("name", "runtime").put("token", "pdp_runtime_" + "y".repeat(24))
                .set("scopes", Json.array(List.of("runtime")));
        Files.writeString(data.resolve("tokens.json"), file.toString());
        pdp = RunningPdp.start(data, FixtureRules.WAIVER_GATE, clock, TraceLimits.defaults());
        alice = pdp.token("alice");
        bob = pdp.token("bob");
    }

    @AfterAll
    static void stop() {
        pdp.close();
    }

    static JsonNode grant(String risk, String token) {
        ObjectNode waiver = Bodies.waiver(uid("wv"));
        if (risk != null) {
            waiver.put("risk", risk);
        }
        Reply reply = pdp.post("/v1/waivers", waiver.toString(), token);
        assertThat(reply.status()).as(reply.body()).isEqualTo(201);
        return reply.json();
    }

    static Reply approve(String waiverId, String token) {
        return pdp.post("/v1/waivers/" + waiverId + "/approve", "", token);
    }

    static JsonNode stored(String waiverId) {
        Reply reply = pdp.get("/v1/waivers/" + waiverId);
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return reply.json();
    }

    static List<JsonNode> approvals(String waiverId) {
        return Steps.allEvents(pdp, "type=waiver_approved", 500).stream()
                .filter(r -> r.get("waiver_id").asText().equals(waiverId)).toList();
    }

    /** The refusal changed neither the waiver nor the Flight Recorder. */
    static void nothingStored(String waiverId, JsonNode before, int eventsBefore) {
        assertThat(stored(waiverId)).isEqualTo(before);
        assertThat(approvals(waiverId)).isEmpty();
        assertThat(Steps.countEvents(pdp)).isEqualTo(eventsBefore);
    }

    @Test
    void a_medium_waiver_is_granted_pending_and_another_operator_approves_it() {
        JsonNode granted = grant("MEDIUM", alice);
        String id = granted.get("waiver_id").asText();
        assertThat(granted.get("risk").asText()).isEqualTo("MEDIUM");
        assertThat(granted.get("status").asText()).isEqualTo("pending");
        assertThat(granted.get("granted_by").asText()).isEqualTo("alice");
        assertThat(granted.get("approved_by").isNull()).isTrue();
        assertThat(stored(id)).isEqualTo(granted);

        // a client that sends an empty JSON object is served as one that sends no body
        Reply reply = pdp.post("/v1/waivers/" + id + "/approve", "{}", bob);

        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        JsonNode approved = reply.json();
        assertThat(approved.get("status").asText()).isEqualTo("active");
        assertThat(approved.get("approved_by").asText()).isEqualTo("bob");
        assertThat(Instant.parse(approved.get("approved_at").asText())).isBetween(
                clock.instant().minusSeconds(60), clock.instant());
        assertThat(stored(id)).isEqualTo(approved);
        List<JsonNode> records = approvals(id);
        assertThat(records).hasSize(1);
        JsonNode record = records.get(0);
        assertThat(record.get("operator").asText()).isEqualTo("bob");
        assertThat(record.get("actor").asText()).isEqualTo("human");
        assertThat(record.get("granted_by").asText()).isEqualTo("alice");
        assertThat(record.get("risk").asText()).isEqualTo("MEDIUM");
        assertThat(record.get("approved_at").asText()).isEqualTo(approved.get("approved_at").asText());
        assertThat(record.get("waiver_hash").asText()).isEqualTo(CanonicalJson.sha256Hex(approved));
        JsonNode grantRecord = Steps.allEvents(pdp, "type=waiver_granted", 500).stream()
                .filter(r -> r.get("waiver_id").asText().equals(id)).findFirst().orElseThrow();
        assertThat(grantRecord.get("risk").asText()).isEqualTo("MEDIUM");
        assertThat(grantRecord.get("status").asText()).isEqualTo("pending");
        assertThat(pdp.get("/v1/recorder/verify").json().get("intact").asBoolean()).isTrue();
    }

    @Test
    void the_operator_who_granted_it_cannot_approve_it_and_nothing_is_stored() {
        JsonNode granted = grant("HIGH", alice);
        String id = granted.get("waiver_id").asText();
        int events = Steps.countEvents(pdp);

        JsonNode problem = problem(approve(id, alice), 403);

        assertThat(problem.get("detail").asText()).contains("alice").contains("second operator");
        nothingStored(id, granted, events);
        assertThat(approve(id, bob).status()).isEqualTo(200); // still approvable by the other one
    }

    @Test
    void a_low_waiver_needs_no_second_operator_and_approving_it_is_refused() {
        JsonNode granted = grant(null, alice);
        String id = granted.get("waiver_id").asText();
        assertThat(granted.get("risk").asText()).isEqualTo("LOW");
        assertThat(granted.get("status").asText()).isEqualTo("active");
        int events = Steps.countEvents(pdp);

        JsonNode problem = problem(approve(id, bob), 409);

        assertThat(problem.get("detail").asText()).contains("LOW");
        nothingStored(id, granted, events);
    }

    @Test
    void approving_twice_is_refused_and_the_first_approval_stands() {
        String id = grant("MEDIUM", alice).get("waiver_id").asText();
        assertThat(approve(id, bob).status()).isEqualTo(200);
        JsonNode approved = stored(id);
        int events = Steps.countEvents(pdp);

        JsonNode problem = problem(approve(id, bob), 409);

        assertThat(problem.get("detail").asText()).contains("not pending").contains("bob");
        assertThat(stored(id)).isEqualTo(approved);
        assertThat(approvals(id)).hasSize(1);
        assertThat(Steps.countEvents(pdp)).isEqualTo(events);
    }

    @Test
    void a_revoked_pending_waiver_cannot_be_approved() {
        String id = grant("HIGH", alice).get("waiver_id").asText();
        Reply revoked = pdp.post("/v1/waivers/" + id + "/revoke", "{\"reason\":\"not needed\"}", alice);
        assertThat(revoked.status()).as(revoked.body()).isEqualTo(200);
        assertThat(revoked.json().get("status").asText()).isEqualTo("revoked");
        int events = Steps.countEvents(pdp);

        JsonNode problem = problem(approve(id, bob), 409);

        assertThat(problem.get("detail").asText()).contains("revoked");
        nothingStored(id, revoked.json(), events);
    }

    @Test
    void an_expired_pending_waiver_cannot_be_approved() {
        ObjectNode waiver = Bodies.waiver(uid("wv"), clock.instant().plus(Duration.ofHours(1)));
        waiver.put("risk", "MEDIUM");
        Reply created = pdp.post("/v1/waivers", waiver.toString(), alice);
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String id = waiver.get("waiver_id").asText();
        clock.advance(Duration.ofHours(2));
        int events = Steps.countEvents(pdp);

        JsonNode problem = problem(approve(id, bob), 409);

        assertThat(problem.get("detail").asText()).contains("expired");
        nothingStored(id, created.json(), events);
    }

    @Test
    void approving_an_unknown_waiver_is_404() {
        int events = Steps.countEvents(pdp);

        JsonNode problem = problem(approve(uid("wv-nobody-granted"), bob), 404);

        assertThat(problem.get("detail").asText()).contains("no waiver");
        assertThat(Steps.countEvents(pdp)).isEqualTo(events);
    }

    @Test
    void a_risk_outside_low_medium_high_is_400_naming_risk_and_nothing_is_stored() {
        ObjectNode waiver = Bodies.waiver(uid("wv"));
        waiver.put("risk", "CRITICAL");

        JsonNode problem = problem(pdp.post("/v1/waivers", waiver.toString(), alice), 400);

        assertFieldError(problem, "/risk");
        problem(pdp.get("/v1/waivers/" + waiver.get("waiver_id").asText()), 404);
    }

    @Test
    void a_pending_waiver_covers_nothing_until_the_second_operator_approves_it() {
        String id = grant("MEDIUM", alice).get("waiver_id").asText();
        String profileId = uid("wp");
        // a profile may name the waiver before it is approved: its decisions are refused meanwhile
        Reply saved = pdp.send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(pdp.baseUrl() + "/v1/profiles/" + profileId))
                .header("content-type", "application/json").header("authorization", "Bearer " + alice)
                .PUT(java.net.http.HttpRequest.BodyPublishers.ofString(
                        Bodies.profile(profileId, "worker", Bodies.approximateOverrideAllowed(id)).toString())));
        assertThat(saved.status()).as(saved.body()).isEqualTo(201);
        String runtime = pdp.token("runtime");

        JsonNode pending = decide(Bodies.decision("worker", profileId), runtime);
        assertThat(approve(id, bob).status()).isEqualTo(200);
        JsonNode approved = decide(Bodies.decision("worker", profileId), runtime);

        assertThat(Steps.texts(pending.get("reason_codes"))).containsExactly("WAIVER_PENDING");
        assertThat(pending.get("exactness").asText()).isEqualTo("exact");
        assertThat(pending.get("waiver_ref").isNull()).isTrue();
        assertThat(Steps.texts(approved.get("reason_codes"))).doesNotContain("WAIVER_PENDING");
        assertThat(approved.get("exactness").asText()).isEqualTo("approximate");
        assertThat(approved.get("waiver_ref").asText()).isEqualTo(id);
    }

    static JsonNode decide(ObjectNode request, String token) {
        Reply reply = pdp.post("/v1/decisions", request.toString(), token);
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return reply.json();
    }
}
