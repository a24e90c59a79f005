package org.execpolicy.pdp.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.execpolicy.pdp.api.Bodies.decision;
import static org.execpolicy.pdp.api.Bodies.policy;
import static org.execpolicy.pdp.api.Bodies.uid;
import static org.execpolicy.pdp.api.Bodies.withPolicy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.function.Supplier;
import org.execpolicy.pdp.support.RunningPdp;
import org.execpolicy.pdp.support.RunningPdp.Reply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every bad input is answered as an RFC 9457 problem naming the field at fault,
 * and nothing of it reaches the Flight Recorder.
 */
class BadInputTest {
    static RunningPdp pdp;

    @BeforeAll
    static void start() {
        pdp = RunningPdp.start();
        // one good decision, so that "nothing stored" is measured against a non-empty recorder
        Steps.decide(pdp, decision("worker"));
    }

    @AfterAll
    static void stop() {
        pdp.close();
    }

    /** Sends the bad input and checks that the number of records did not change. */
    static Reply refusedAndNotStored(Supplier<Reply> send) {
        int before = Steps.countEvents(pdp);
        Reply reply = send.get();
        assertThat(Steps.countEvents(pdp)).as("records after %s", reply.body()).isEqualTo(before);
        return reply;
    }

    static JsonNode problem(Reply reply, int status) {
        return ProblemAssert.problem(reply, status, "invalid_request");
    }

    /** A 400 whose errors name the path, and whose detail names it too. */
    static JsonNode invalidAt(ObjectNode request, String path) {
        Reply reply = refusedAndNotStored(() -> pdp.post("/v1/decisions", request.toString()));
        JsonNode problem = problem(reply, 400);
        assertThat(problem.get("errors").findValuesAsText("path")).as(reply.body()).contains(path);
        assertThat(problem.get("errors").findValuesAsText("message")).allSatisfy(m -> assertThat(m).isNotBlank());
        assertThat(problem.get("detail").asText()).contains(path);
        return problem;
    }

    static HttpRequest.Builder to(String path) {
        return HttpRequest.newBuilder(URI.create(pdp.baseUrl() + path));
    }

    @Test
    void malformed_json_is_400() {
        Reply reply = refusedAndNotStored(() -> pdp.post("/v1/decisions", "{\"trace_id\": \"t-1\", \"role\": "));

        JsonNode problem = problem(reply, 400);
        assertThat(problem.get("detail").asText()).containsIgnoringCase("json");
    }

    @Test
    void a_json_body_that_is_not_an_object_is_400() {
        problem(refusedAndNotStored(() -> pdp.post("/v1/decisions", "[1,2,3]")), 400);
        problem(refusedAndNotStored(() -> pdp.post("/v1/decisions", "\"worker\"")), 400);
    }

    @Test
    void an_empty_body_is_400() {
        problem(refusedAndNotStored(() -> pdp.post("/v1/decisions", "")), 400);
    }

    @ParameterizedTest
    @CsvSource({"trace_id", "role", "task_type", "model_id"})
    void a_missing_required_field_is_400_naming_it(String field) {
        ObjectNode request = decision("worker");
        request.remove(field);

        invalidAt(request, "/" + field);
    }

    @Test
    void an_unknown_exactness_is_400_naming_it() {
        invalidAt(withPolicy(decision("worker"), policy("layer_skip", "approx")), "/settings/exec_policy/exactness");
    }

    @Test
    void an_unknown_task_type_is_400_naming_it() {
        ObjectNode request = decision("worker");
        request.put("task_type", "poem");

        invalidAt(request, "/task_type");
    }

    @Test
    void a_skip_ratio_above_1_is_400_naming_it() {
        ObjectNode policy = policy("layer_skip", "approximate");
        policy.putObject("layer_skip").put("schedule", "fixed").put("skip_ratio", 1.5);

        invalidAt(withPolicy(decision("worker"), policy), "/settings/exec_policy/layer_skip/skip_ratio");
    }

    @Test
    void a_negative_budget_is_400_naming_it() {
        ObjectNode policy = policy("standard", "exact");
        policy.putObject("budgets").put("max_total_ms", 1000).put("max_vram_mb", -1);

        invalidAt(withPolicy(decision("worker"), policy), "/settings/exec_policy/budgets/max_vram_mb");
    }

    @Test
    void a_policy_without_mode_is_400_naming_it() {
        ObjectNode policy = policy("standard", "exact");
        policy.remove("mode");

        invalidAt(withPolicy(decision("worker"), policy), "/settings/exec_policy/mode");
    }

    // exec_policy is forward compatible (SPEC 2, v2): unknown members pass, but only within the limits

    @Test
    void an_unknown_member_of_exec_policy_nested_past_32_levels_is_400_and_stores_nothing() {
        ObjectNode policy = policy("standard", "exact");
        ObjectNode deep = policy.putObject("speculative");
        for (int level = 4; level <= 33; level++) { // body 1, settings 2, exec_policy 3, speculative 4
            deep = deep.putObject("n");
        }

        Reply reply = refusedAndNotStored(() -> pdp.post("/v1/decisions", withPolicy(decision("worker"), policy).toString()));

        JsonNode problem = problem(reply, 400);
        assertThat(problem.get("errors").findValuesAsText("path")).anySatisfy(path ->
                assertThat(path).startsWith("/settings/exec_policy/speculative/n"));
    }

    @Test
    void a_known_block_of_exec_policy_with_more_than_64_members_is_400_naming_it() {
        ObjectNode policy = policy("standard", "exact");
        ObjectNode budgets = policy.putObject("budgets");
        for (int i = 0; i < 65; i++) {
            budgets.put("future_budget_" + i, i);
        }

        invalidAt(withPolicy(decision("worker"), policy), "/settings/exec_policy/budgets");
    }

    @Test
    void a_known_member_of_exec_policy_is_still_checked_beside_unknown_ones() {
        ObjectNode policy = policy("standard", "exact");
        policy.put("kv", "paged");
        policy.putObject("budgets").put("max_total_ms", -1);

        invalidAt(withPolicy(decision("worker"), policy), "/settings/exec_policy/budgets/max_total_ms");
    }

    @Test
    void an_unknown_field_beside_exec_policy_in_a_work_profile_override_is_still_400() {
        ObjectNode override = policy("standard", "exact");
        override.put("turbo", true);
        ObjectNode profile = Bodies.profile(uid("wp"), "worker", Bodies.override(override));

        Reply reply = refusedAndNotStored(() -> pdp.put("/v1/profiles/" + profile.get("profile_id").asText(),
                profile.toString()));

        JsonNode problem = problem(reply, 400);
        assertThat(problem.get("errors").findValuesAsText("path"))
                .contains("/model_assignments/worker/compute/exec_policy_override/turbo");
    }

    @Test
    void a_confidence_threshold_needs_exit_layer_auto() {
        ObjectNode policy = policy("early_exit", "approximate");
        policy.putObject("early_exit").put("exit_layer", 12).put("confidence_threshold", 0.9);

        Reply reply = refusedAndNotStored(() -> pdp.post("/v1/decisions", withPolicy(decision("worker"), policy).toString()));

        JsonNode problem = problem(reply, 400);
        assertThat(problem.get("errors").findValuesAsText("path"))
                .anySatisfy(path -> assertThat(path).startsWith("/settings/exec_policy/early_exit"));
    }

    @Test
    void an_unknown_runtime_mode_is_400_naming_it() {
        ObjectNode request = decision("worker");
        request.put("runtime_mode", "OFFLINE");

        invalidAt(request, "/runtime_mode");
    }

    @Test
    void a_prompt_sent_by_mistake_is_refused_and_never_stored() {
        String secret = "SECRET-" + uid("prompt") + " my bank password is hunter2";
        ObjectNode request = decision("worker");
        request.putArray("messages").addObject().put("role", "user").put("content", secret);

        JsonNode problem = invalidAt(request, "/messages");

        assertThat(problem.get("detail").asText()).contains("/messages");
        assertThat(pdp.get("/v1/events?limit=500").body()).doesNotContain(secret).doesNotContain("hunter2");
        assertThat(Steps.allEvents(pdp, null, 500).toString()).doesNotContain("hunter2");
    }

    @Test
    void a_prompt_as_a_top_level_string_is_refused_and_never_stored() {
        String secret = "SECRET-" + uid("prompt");
        ObjectNode request = decision("worker");
        request.put("prompt", secret);

        invalidAt(request, "/prompt");

        assertThat(Steps.allEvents(pdp, null, 500).toString()).doesNotContain(secret);
    }

    @Test
    void a_text_plain_body_is_415() {
        Reply reply = refusedAndNotStored(() -> pdp.send(to("/v1/decisions")
                .header("content-type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString(decision("worker").toString()))));

        problem(reply, 415);
    }

    @Test
    void a_body_over_1_mib_is_413() {
        ObjectNode request = decision("worker");
        ((ObjectNode) request.putObject("settings")).put("padding", "x".repeat(1024 * 1024 + 10));

        Reply reply = refusedAndNotStored(() -> pdp.post("/v1/decisions", request.toString()));

        problem(reply, 413);
    }

    @Test
    void a_body_just_under_1_mib_is_not_refused_for_its_size() {
        // padded with strings under the 64 KiB string limit (LimitsTest), so only the body size is tested
        ObjectNode request = decision("worker");
        ObjectNode settings = request.putObject("settings");
        int room = 1024 * 1024 - request.toString().length() - 100;
        for (int i = 0; room > 0; i++) {
            String key = "padding" + i;
            int chars = Math.min(60_000, room - key.length() - 6);
            settings.put(key, "x".repeat(Math.max(0, chars)));
            room -= key.length() + 6 + Math.max(0, chars);
        }

        Reply reply = pdp.post("/v1/decisions", request.toString());

        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
    }

    @Test
    void an_unknown_path_is_404_problem() {
        Reply reply = refusedAndNotStored(() -> pdp.get("/v1/nothing-here"));

        JsonNode problem = problem(reply, 404);
        assertThat(problem.get("detail").asText()).contains("/v1/nothing-here");
    }

    @Test
    void a_wrong_method_is_405_problem() {
        Reply delete = refusedAndNotStored(() -> pdp.send(to("/v1/decisions").DELETE()));
        Reply get = refusedAndNotStored(() -> pdp.get("/v1/decisions"));

        problem(delete, 405);
        problem(get, 405);
    }

    @Test
    void a_wrong_method_names_the_allowed_ones() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(to("/v1/decisions").DELETE().build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(response.headers().firstValue("allow")).hasValueSatisfying(allow -> assertThat(allow).contains("POST"));
    }

    @Test
    void sampling_settings_and_stray_text_in_the_settings_bag_pass_but_are_never_stored() {
        String secret = "SECRET-" + uid("prompt");
        ObjectNode request = decision("worker");
        request.putObject("settings").put("temperature", 0.7).put("prompt", secret)
                .putArray("messages").addObject().put("content", secret);

        JsonNode answer = Steps.decide(pdp, request);

        assertThat(answer.toString()).doesNotContain(secret);
        assertThat(pdp.get("/v1/decisions/" + answer.get("decision_id").asText()).body()).doesNotContain(secret);
        assertThat(Steps.allEvents(pdp, null, 500).toString()).doesNotContain(secret);
    }

    @Test
    void a_bad_profile_body_is_400_naming_the_field() {
        String id = uid("wp");
        ObjectNode profile = Bodies.profile(id);
        profile.put("schema_version", "hsk.work_profile@0.4");

        Reply reply = pdp.put("/v1/profiles/" + id, profile.toString());

        JsonNode problem = problem(reply, 400);
        assertThat(problem.get("errors").findValuesAsText("path")).contains("/schema_version");
        problem(pdp.get("/v1/profiles/" + id), 404);
    }

    @Test
    void a_bad_waiver_expiry_is_400_naming_it() {
        ObjectNode waiver = Bodies.waiver(uid("wv"));
        waiver.put("expires_at", "next tuesday");

        JsonNode problem = problem(pdp.post("/v1/waivers", waiver.toString()), 400);

        assertThat(problem.get("errors").findValuesAsText("path")).contains("/expires_at");
        problem(pdp.get("/v1/waivers/" + waiver.get("waiver_id").asText()), 404);
    }

    // ---- bytes that are not UTF-8, names given twice, values the validator cannot read (issue 10, items 6 and 10)

    static byte[] bytes(String before, int[] raw, String after) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.writeBytes(before.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        for (int b : raw) {
            out.write(b);
        }
        out.writeBytes(after.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    /** A decision request whose trace_id holds the given raw bytes between "t-" and "-x". */
    static Reply decisionWithRawBytes(int... raw) {
        String request = decision("worker").put("trace_id", "MARK").toString();
        String[] halves = request.split("MARK");
        byte[] body = bytes(halves[0] + "t-", raw, "-x" + halves[1]);
        return refusedAndNotStored(() -> pdp.send(to("/v1/decisions").header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))));
    }

    @Test
    void an_overlong_utf8_slash_is_refused_not_read_as_a_slash() {
        Reply reply = decisionWithRawBytes(0xC0, 0xAF); // an overlong '/', which Jackson reads as '/'

        JsonNode problem = problem(reply, 400);
        assertThat(problem.get("detail").asText()).contains("not well-formed UTF-8").contains("byte ");
        assertThat(Steps.allEvents(pdp, null, 500).toString()).doesNotContain("t-/-x");
    }

    @ParameterizedTest
    @CsvSource({
        "'237,160,128', an encoded surrogate U+D800",
        "'248,136,128,128,128', a five-byte form UTF-8 never uses",
        "'226,130', a sequence cut short",
        "'128', a continuation byte with no lead",
        "'224,128,175', an overlong three-byte slash"})
    void a_body_that_is_not_well_formed_utf8_is_400(String raw, String what) {
        int[] codes = java.util.Arrays.stream(raw.split(",")).mapToInt(Integer::parseInt).toArray();

        JsonNode problem = problem(decisionWithRawBytes(codes), 400);

        assertThat(problem.get("detail").asText()).as(what).contains("not well-formed UTF-8");
    }

    @Test
    void well_formed_multibyte_utf8_is_decided() {
        ObjectNode request = decision("worker");
        request.put("trace_id", "t-\u00e9\u20ac\uD83D\uDE00-" + uid("t"));

        assertThat(Steps.decide(pdp, request).get("trace_id").asText()).isEqualTo(request.get("trace_id").asText());
    }

    @Test
    void a_duplicate_key_is_400_naming_the_key_and_where_it_is() {
        String top = decision("worker").toString().replaceFirst("\\}$", ",\"trace_id\":\"other\"}");
        String nested = withPolicy(decision("worker"), policy("standard", "exact")).toString()
                .replace("\"mode\":\"standard\"", "\"mode\":\"standard\",\"mode\":\"layer_skip\"");

        JsonNode topProblem = problem(refusedAndNotStored(() -> pdp.post("/v1/decisions", top)), 400);
        JsonNode nestedProblem = problem(refusedAndNotStored(() -> pdp.post("/v1/decisions", nested)), 400);

        assertThat(topProblem.get("errors").get(0).get("path").asText()).isEqualTo("/trace_id");
        assertThat(topProblem.get("detail").asText()).contains("duplicate key 'trace_id'").doesNotContain("JSON object");
        assertThat(nestedProblem.get("errors").get(0).get("path").asText()).isEqualTo("/settings/exec_policy/mode");
        assertThat(nestedProblem.get("detail").asText()).contains("duplicate key 'mode'");
    }

    @Test
    void the_same_name_in_two_objects_is_no_duplicate() {
        ObjectNode request = withPolicy(decision("worker"), policy("standard", "exact"));
        ((ObjectNode) request.get("settings")).putObject("extra").put("mode", "x");

        Steps.decide(pdp, request);
    }

    @Test
    void a_nul_in_a_query_or_path_value_names_the_parameter_not_the_body() {
        JsonNode query = problem(refusedAndNotStored(() -> pdp.get("/v1/events?trace_id=a%00b")), 400);
        JsonNode path = problem(refusedAndNotStored(() -> pdp.get("/v1/decisions/a%00b")), 400);

        assertThat(query.get("errors").findValuesAsText("path")).containsExactly("/trace_id");
        assertThat(query.get("detail").asText()).contains("trace_id").doesNotContain("body");
        assertThat(path.get("errors").findValuesAsText("path")).containsExactly("/decision_id");
        assertThat(path.get("detail").asText()).doesNotContain("body");
    }
}
