package org.execpolicy.pdp.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.execpolicy.pdp.api.Bodies.decision;
import static org.execpolicy.pdp.api.Bodies.policy;
import static org.execpolicy.pdp.api.Bodies.uid;
import static org.execpolicy.pdp.api.Bodies.withPolicy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.execpolicy.pdp.support.RunningPdp;
import org.execpolicy.pdp.support.RunningPdp.Reply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The limits on what one request may carry: each over-limit request is a clear problem+json 4xx
 * naming what was exceeded, and nothing of it is stored. Limits just met are not refused.
 */
class LimitsTest {
    static RunningPdp pdp;

    @BeforeAll
    static void start() {
        pdp = RunningPdp.start();
        Steps.decide(pdp, decision("worker"));
    }

    @AfterAll
    static void stop() {
        pdp.close();
    }

    /** The newest record's id: unchanged means nothing was stored. */
    static String newestEvent() {
        return pdp.get("/v1/events?limit=1").json().get("items").get(0).get("event_id").asText();
    }

    /** Sends the body, expects a 400 problem whose errors name the path and whose detail says the limit. */
    static JsonNode refusedAt(String url, boolean put, String body, String path, String limitText) {
        String before = newestEvent();
        Reply reply = put ? pdp.put(url, body) : pdp.post(url, body);
        assertThat(newestEvent()).as("nothing stored after %s", reply.body()).isEqualTo(before);
        JsonNode problem = BadInputTest.problem(reply, 400);
        assertThat(problem.get("errors").findValuesAsText("path")).as(reply.body()).contains(path);
        assertThat(problem.get("detail").asText()).contains(limitText);
        return problem;
    }

    static ObjectNode nested(ObjectNode request, int levels) {
        ArrayNode array = request.putObject("settings").putArray("x");
        for (int i = 1; i < levels; i++) {
            array = array.addArray();
        }
        return request;
    }

    // ---- nesting depth: at most 32 levels of objects and arrays, the body itself being the first

    @Test
    void nesting_deeper_than_32_levels_is_400_naming_where() {
        // body (1) > settings (2) > x (3) > 30 more arrays = 33 levels; the pointer names the 33rd
        String pointer = "/settings/x" + "/0".repeat(30);

        refusedAt("/v1/decisions", false, nested(decision("worker"), 31).toString(), pointer, "nested deeper than 32");
    }

    @Test
    void nesting_of_exactly_32_levels_is_decided() {
        Steps.decide(pdp, nested(decision("worker"), 30));
    }

    @Test
    void deep_nesting_in_a_profile_or_waiver_is_400_too() {
        String id = uid("wp");
        ObjectNode profile = Bodies.profile(id);
        ArrayNode array = profile.putObject("overrides").putArray("deep");
        for (int i = 0; i < 40; i++) {
            array = array.addArray();
        }

        refusedAt("/v1/profiles/" + id, true, profile.toString(), "/overrides/deep" + "/0".repeat(30), "nested deeper");
        BadInputTest.problem(pdp.get("/v1/profiles/" + id), 404);

        StringBuilder deepWaiver = new StringBuilder("{\"waiver_id\":\"").append(uid("wv")).append("\",\"scope\":");
        deepWaiver.append("[".repeat(100)).append("]".repeat(100)).append('}');
        refusedAt("/v1/waivers", false, deepWaiver.toString(), "/scope" + "/0".repeat(31), "nested deeper");
    }

    @Test
    void an_unclosed_deep_document_is_still_refused_with_400() {
        String before = newestEvent();
        Reply reply = pdp.post("/v1/decisions", "{\"settings\":" + "[".repeat(5000));

        BadInputTest.problem(reply, 400);
        assertThat(newestEvent()).isEqualTo(before);
    }

    @Test
    void malformed_json_keeps_its_own_400() {
        Reply reply = pdp.post("/v1/decisions", "{\"trace_id\": \"t\", ");

        assertThat(BadInputTest.problem(reply, 400).get("detail").asText()).contains("not valid JSON");
    }

    // ---- strings: at most 64 KiB characters each, values and field names alike

    @Test
    void a_string_over_64_kib_is_400_naming_it() {
        ObjectNode request = decision("worker");
        request.putObject("settings").put("padding", "x".repeat(JsonLimits.MAX_STRING_CHARS + 1));

        refusedAt("/v1/decisions", false, request.toString(), "/settings/padding", "string longer than 65536");
    }

    @Test
    void a_string_of_exactly_64_kib_is_decided() {
        ObjectNode request = decision("worker");
        request.putObject("settings").put("padding", "x".repeat(JsonLimits.MAX_STRING_CHARS));

        Steps.decide(pdp, request);
    }

    @Test
    void a_field_name_over_64_kib_is_400() {
        ObjectNode request = decision("worker");
        request.putObject("settings").put("k".repeat(JsonLimits.MAX_STRING_CHARS + 1), 1);

        String before = newestEvent();
        JsonNode problem = BadInputTest.problem(pdp.post("/v1/decisions", request.toString()), 400);
        assertThat(problem.get("detail").asText()).contains("longer than 65536");
        assertThat(newestEvent()).isEqualTo(before);
    }

    @Test
    void a_long_waiver_justification_is_refused_by_its_schema_bound() {
        ObjectNode waiver = Bodies.waiver(uid("wv"));
        waiver.put("justification", "j".repeat(4001));

        BadInputTest.problem(pdp.post("/v1/waivers", waiver.toString()), 400);
        BadInputTest.problem(pdp.get("/v1/waivers/" + waiver.get("waiver_id").asText()), 404);
    }

    @Test
    void a_number_of_more_than_1000_digits_is_400() {
        String body = decision("worker").toString().replaceFirst("\\}$", ",\"settings\":{\"n\":" + "9".repeat(1001) + "}}");

        refusedAt("/v1/decisions", false, body, "/settings/n", "number longer than 1000");
    }

    @Test
    void a_number_beyond_a_double_is_400_and_the_profile_is_not_stored() {
        // found by the fuzz tests: stored, it made every decision reading the profile fail on hashing
        String id = uid("wp");
        String profile = Bodies.profile(id).toString().replaceFirst("\\}$", ",\"overrides\":{\"b\":1.7976931348623157e309}}");
        refusedAt("/v1/profiles/" + id, true, profile, "/overrides/b", "out of the range of a double");
        BadInputTest.problem(pdp.get("/v1/profiles/" + id), 404);

        String body = decision("worker").toString().replaceFirst("\\}$", ",\"settings\":{\"n\":" + "9".repeat(400) + "}}");
        refusedAt("/v1/decisions", false, body, "/settings/n", "out of the range of a double");
    }

    @Test
    void a_lone_surrogate_is_400_naming_where_it_is() {
        String body = withPolicy(decision("worker"), policy("MARK", "exact")).toString().replace("MARK", "spec\\ud800");

        refusedAt("/v1/decisions", false, body, "/settings/exec_policy/mode", "surrogate");
    }

    @Test
    void a_surrogate_pair_is_a_character_like_any_other() {
        ObjectNode request = decision("worker");
        request.put("trace_id", "trace-\uD83D\uDE00-" + uid("t"));

        JsonNode answer = Steps.decide(pdp, request);

        assertThat(answer.get("trace_id").asText()).isEqualTo(request.get("trace_id").asText());
    }

    // ---- arrays: protected_layers <= 1024, allowed_models <= 256, supported_modes <= 32, scope lists <= 256

    static ObjectNode withProtectedLayers(int count) {
        ObjectNode policy = policy("layer_skip", "approximate");
        ArrayNode layers = policy.putObject("layer_skip").put("schedule", "fixed").putArray("protected_layers");
        for (int i = 0; i < count; i++) {
            layers.add(i);
        }
        return withPolicy(decision("worker"), policy);
    }

    @Test
    void more_than_1024_protected_layers_is_400_naming_them() {
        refusedAt("/v1/decisions", false, withProtectedLayers(1025).toString(),
                "/settings/exec_policy/layer_skip/protected_layers", "protected_layers");
    }

    @Test
    void exactly_1024_protected_layers_are_decided() {
        Steps.decide(pdp, withProtectedLayers(1024));
    }

    @Test
    void more_than_256_allowed_models_is_400_and_the_profile_is_not_stored() {
        String id = uid("wp");
        ObjectNode profile = Bodies.profile(id);
        ArrayNode models = ((ObjectNode) profile.get("model_assignments").get("worker")).putArray("allowed_models");
        for (int i = 0; i < 257; i++) {
            models.add("model-" + i);
        }

        refusedAt("/v1/profiles/" + id, true, profile.toString(),
                "/model_assignments/worker/allowed_models", "allowed_models");
        BadInputTest.problem(pdp.get("/v1/profiles/" + id), 404);

        models.remove(256);
        assertThat(pdp.put("/v1/profiles/" + id, profile.toString()).status()).isEqualTo(201);
    }

    @Test
    void more_than_32_supported_modes_is_400() {
        ObjectNode request = decision("worker");
        ArrayNode modes = request.putObject("runtime").putArray("supported_modes");
        for (int i = 0; i < 33; i++) {
            modes.add("mode-" + i);
        }

        refusedAt("/v1/decisions", false, request.toString(), "/runtime/supported_modes", "supported_modes");
    }

    @Test
    void more_than_256_waiver_scope_roles_is_400() {
        ObjectNode waiver = Bodies.waiver(uid("wv"));
        ArrayNode roles = waiver.putObject("scope").putArray("roles");
        for (int i = 0; i < 257; i++) {
            roles.add("role-" + i);
        }

        refusedAt("/v1/waivers", false, waiver.toString(), "/scope/roles", "roles");
        BadInputTest.problem(pdp.get("/v1/waivers/" + waiver.get("waiver_id").asText()), 404);
    }

    @Test
    void a_settings_bag_with_too_many_keys_is_400() {
        ObjectNode request = decision("worker");
        ObjectNode settings = request.putObject("settings");
        for (int i = 0; i < 257; i++) {
            settings.put("k" + i, i);
        }

        JsonNode problem = refusedAt("/v1/decisions", false, request.toString(), "/settings", "at most 256");
        assertThat(problem.toString()).doesNotContain("at least");
    }

    @Test
    void a_list_over_its_bound_says_how_many_and_the_bound() {
        JsonNode problem = refusedAt("/v1/decisions", false, withProtectedLayers(1025).toString(),
                "/settings/exec_policy/layer_skip/protected_layers", "1025 items; at most 1024");
        assertThat(problem.toString()).doesNotContain("( + ");
    }

    // ---- integers a double cannot hold exactly (I-JSON, RFC 7493 2.2): refused, not rounded

    static String withMaxTotalMs(String literal) {
        ObjectNode policy = policy("standard", "exact");
        policy.putObject("budgets").put("max_total_ms", 0);
        return withPolicy(decision("worker"), policy).toString().replace("\"max_total_ms\":0", "\"max_total_ms\":" + literal);
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"9007199254740992", "9223372036854775808",
            "-9007199254740992", "-9223372036854775808", "123456789012345678901234567890"})
    void an_integer_beyond_2_to_the_53_is_400_naming_the_field(String literal) {
        JsonNode problem = refusedAt("/v1/decisions", false, withMaxTotalMs(literal),
                "/settings/exec_policy/budgets/max_total_ms", "9007199254740991");
        assertThat(problem.get("detail").asText()).contains("/settings/exec_policy/budgets/max_total_ms");
    }

    @Test
    void the_largest_exact_integer_is_recorded_as_sent() {
        Reply reply = pdp.post("/v1/decisions", withMaxTotalMs("9007199254740991"));

        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        assertThat(reply.body()).contains("\"max_total_ms\":9007199254740991");
        String decisionId = reply.json().get("decision_id").asText();
        assertThat(pdp.get("/v1/decisions/" + decisionId).body()).contains("\"max_total_ms\":9007199254740991");
    }

    @Test
    void an_integer_beyond_2_to_the_53_in_a_profile_is_400_and_not_stored() {
        String id = uid("wp");
        String profile = Bodies.profile(id).toString().replaceFirst("\\}$", ",\"overrides\":{\"n\":[1,9223372036854775807]}}");

        refusedAt("/v1/profiles/" + id, true, profile, "/overrides/n/1", "2^53");
        BadInputTest.problem(pdp.get("/v1/profiles/" + id), 404);
    }

    // ---- request head: at most 16 KiB of headers, 4 KiB of request line

    static HttpResponse<String> getWithHeader(HttpClient.Version version, int headerBytes) throws Exception {
        HttpClient client = HttpClient.newBuilder().version(version).build();
        return client.send(HttpRequest.newBuilder(URI.create(pdp.baseUrl() + "/health/live"))
                .header("x-padding", "p".repeat(headerBytes)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void headers_over_16_kib_are_431_problem_json() throws Exception {
        HttpResponse<String> response = getWithHeader(HttpClient.Version.HTTP_1_1, PdpServer.MAX_HEADER_BYTES + 1);

        Reply reply = ConfiguredPdp.reply(response);
        JsonNode problem = BadInputTest.problem(reply, 431);
        assertThat(problem.get("detail").asText()).contains("16384");
    }

    @Test
    void an_h2c_upgrade_is_declined_so_oversize_headers_get_the_same_431_problem() throws Exception {
        HttpResponse<String> response = getWithHeader(HttpClient.Version.HTTP_2, PdpServer.MAX_HEADER_BYTES + 1);

        assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
        BadInputTest.problem(ConfiguredPdp.reply(response), 431);
        HttpResponse<String> small = getWithHeader(HttpClient.Version.HTTP_2, 10);
        assertThat(small.statusCode()).isEqualTo(200);
        assertThat(small.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
    }

    @Test
    void headers_of_12_kib_are_served() throws Exception {
        assertThat(getWithHeader(HttpClient.Version.HTTP_1_1, 12 * 1024).statusCode()).isEqualTo(200);
        assertThat(getWithHeader(HttpClient.Version.HTTP_2, 12 * 1024).statusCode()).isEqualTo(200);
    }

    @Test
    void a_request_line_over_4_kib_is_414_problem_json() throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(
                URI.create(pdp.baseUrl() + "/v1/events?trace_id=" + "t".repeat(5000))).GET().build(),
                HttpResponse.BodyHandlers.ofString());

        BadInputTest.problem(ConfiguredPdp.reply(response), 414);
    }

    @Test
    void a_header_flood_on_a_raw_socket_is_answered_431_and_the_connection_closed() throws IOException {
        URI base = URI.create(pdp.baseUrl());
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            StringBuilder head = new StringBuilder("POST /v1/decisions HTTP/1.1\r\nHost: localhost\r\n");
            for (int i = 0; i < 400; i++) {
                head.append("x-h").append(i).append(": ").append("v".repeat(60)).append("\r\n");
            }
            head.append("content-type: application/json\r\ncontent-length: 2\r\n\r\n{}");
            out.write(head.toString().getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String answer = new String(in.readAllBytes(), StandardCharsets.UTF_8); // ends: the server closes

            assertThat(answer).startsWith("HTTP/1.1 431").contains("application/problem+json").contains("\"status\":431");
        }
    }
}
