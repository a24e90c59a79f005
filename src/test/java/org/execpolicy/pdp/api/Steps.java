package org.execpolicy.pdp.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.execpolicy.pdp.json.Json;
import org.execpolicy.pdp.support.RunningPdp;
import org.execpolicy.pdp.support.RunningPdp.Reply;

/** Setup and evidence steps through the HTTP API, each asserting that the server accepted it. */
final class Steps {
    private Steps() {
    }

    static JsonNode putProfile(RunningPdp pdp, ObjectNode profile) {
        Reply reply = pdp.put("/v1/profiles/" + profile.get("profile_id").asText(), profile.toString());
        assertThat(reply.status()).as("PUT profile: %s", reply.body()).isIn(200, 201);
        return reply.json();
    }

    static void activate(RunningPdp pdp, String profileId) {
        Reply reply = pdp.post("/v1/profiles/" + profileId + "/activate", "{}");
        assertThat(reply.status()).as("activate: %s", reply.body()).isEqualTo(200);
    }

    static JsonNode putRole(RunningPdp pdp, ObjectNode role) {
        Reply reply = pdp.put("/v1/roles/" + role.get("role_id").asText(), role.toString());
        assertThat(reply.status()).as("PUT role: %s", reply.body()).isIn(200, 201);
        return reply.json();
    }

    static JsonNode createWaiver(RunningPdp pdp, ObjectNode waiver) {
        Reply reply = pdp.post("/v1/waivers", waiver.toString());
        assertThat(reply.status()).as("POST waiver: %s", reply.body()).isEqualTo(201);
        return reply.json();
    }

    static JsonNode revoke(RunningPdp pdp, String waiverId, String reason) {
        ObjectNode body = Json.object();
        if (reason != null) {
            body.put("reason", reason);
        }
        Reply reply = pdp.post("/v1/waivers/" + waiverId + "/revoke", body.toString());
        assertThat(reply.status()).as("revoke: %s", reply.body()).isEqualTo(200);
        return reply.json();
    }

    /** POST /v1/decisions, expecting 200. */
    static JsonNode decide(RunningPdp pdp, ObjectNode request) {
        Reply reply = pdp.post("/v1/decisions", request.toString());
        assertThat(reply.status()).as("decision: %s", reply.body()).isEqualTo(200);
        assertThat(reply.contentType()).startsWith("application/json");
        return reply.json();
    }

    static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(item -> out.add(item.asText()));
        return out;
    }

    static String q(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /** Every Flight Recorder record, newest first, walking every page. */
    static List<JsonNode> allEvents(RunningPdp pdp, String filter, int limit) {
        List<JsonNode> all = new ArrayList<>();
        String cursor = null;
        for (int pages = 0; pages < 10_000; pages++) {
            String url = "/v1/events?limit=" + limit + (filter == null ? "" : "&" + filter)
                    + (cursor == null ? "" : "&cursor=" + q(cursor));
            Reply reply = pdp.get(url);
            assertThat(reply.status()).as("GET %s: %s", url, reply.body()).isEqualTo(200);
            JsonNode page = reply.json();
            assertThat(page.get("items").size()).isLessThanOrEqualTo(limit);
            page.get("items").forEach(all::add);
            JsonNode next = page.get("next_cursor");
            assertThat(next).as("next_cursor is always present").isNotNull();
            if (next.isNull()) {
                return all;
            }
            assertThat(page.get("items").size()).as("a page with a next cursor is full").isEqualTo(limit);
            cursor = next.asText();
        }
        throw new AssertionError("paging did not end");
    }

    static int countEvents(RunningPdp pdp) {
        return allEvents(pdp, null, 500).size();
    }
}
