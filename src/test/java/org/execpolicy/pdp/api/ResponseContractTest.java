package org.execpolicy.pdp.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.execpolicy.pdp.api.Bodies.decision;
import static org.execpolicy.pdp.api.Bodies.uid;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.execpolicy.pdp.support.FixtureRules;
import org.execpolicy.pdp.support.RunningPdp;
import org.execpolicy.pdp.support.RunningPdp.Reply;
import org.execpolicy.pdp.support.SyntheticTrace;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Real answers of a real server against openapi.yaml, the document clients generate from: each
 * request below produces a status cheaply, and its answer must be one the operation declares, with a
 * body valid against the declared schema (see {@link ResponseContract}). A handler that answers an
 * undeclared status, or a body the schema does not describe, fails here. It runs on the fixture ruleset
 * {@code echo} (src/test/resources/rulesets/README.md), which grants the approximate policy a profile asks
 * for (naming a waiver, reserving a trace artifact), so the answers do not depend on what rules/ grant.
 */
class ResponseContractTest {
    static final ResponseContract CONTRACT = new ResponseContract();
    static RunningPdp pdp;
    /** A profile whose worker asks for approximate layer_skip, which echo grants with a trace artifact. */
    static String profileId;

    @BeforeAll
    static void start() {
        pdp = RunningPdp.start(RunningPdp.freshDataDir(), FixtureRules.ECHO, false);
        profileId = uid("wp");
        Steps.putProfile(pdp, Bodies.profile(profileId, "worker",
                Bodies.override(Bodies.policy("layer_skip", "approximate"))));
    }

    @AfterAll
    static void stop() {
        pdp.close();
    }

    /** Asserts the status the request was meant to produce, then the document's promises for it. */
    static Reply expect(String operationId, int status, Reply reply) {
        assertThat(reply.status()).as("%s: %s", operationId, reply.body()).isEqualTo(status);
        assertThat(CONTRACT.violations(operationId, reply)).isEmpty();
        return reply;
    }

    static Reply send(String method, String path, String contentType, String body, String token) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(pdp.baseUrl() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            request.header("content-type", contentType);
        }
        if (token != null) {
            request.header("authorization", "Bearer " + token);
        }
        return pdp.send(request);
    }

    static JsonNode approximateDecision() {
        JsonNode answer = expect("createDecision", 200,
                pdp.post("/v1/decisions", decision("worker", profileId).toString(), null)).json();
        assertThat(answer.path("exactness").asText()).as(answer.toString()).isEqualTo("approximate");
        return answer;
    }

    // ---- the checker itself: it must catch what it is here to catch

    @Test
    void the_checker_refuses_an_undeclared_status_a_wrong_media_type_and_a_body_off_its_schema() {
        assertThat(CONTRACT.violations("live", new Reply(418, "application/problem+json", "{}")))
                .singleElement().asString().contains("does not declare");
        assertThat(CONTRACT.violations("live", new Reply(200, "text/plain", "live")))
                .singleElement().asString().contains("declared: [application/json]");
        assertThat(CONTRACT.violations("live", new Reply(200, "application/json", "{\"status\":\"dead\"}"))).isNotEmpty();
        assertThat(CONTRACT.violations("createDecision", new Reply(400, "application/problem+json",
                "{\"status\":400,\"title\":\"Bad Request\",\"detail\":\"x\"}"))).isNotEmpty(); // no message, no error_type
        assertThat(CONTRACT.violations("createDecision", new Reply(200, "application/json", "{\"decision_id\":\"d\"}")))
                .isNotEmpty();
    }

    @Test
    void every_declared_answer_has_a_schema_and_every_error_is_a_problem() {
        CONTRACT.operations().forEach((operationId, operation) -> operation.path("responses").properties().forEach(entry -> {
            JsonNode response = CONTRACT.resolve(entry.getValue());
            JsonNode content = response.path("content");
            assertThat(content.isObject()).as("%s %s declares its body", operationId, entry.getKey()).isTrue();
            if (entry.getKey().startsWith("4") || entry.getKey().startsWith("5")) {
                assertThat(content.path("application/problem+json").path("schema").path("$ref").asText())
                        .as("%s %s", operationId, entry.getKey()).isEqualTo("#/components/schemas/Problem");
            } else {
                content.forEach(media -> assertThat(media.has("schema")).as("%s %s", operationId, entry.getKey()).isTrue());
            }
        }));
        // a scoped operation can be refused for its token: both are declared wherever a scope is
        CONTRACT.operations().forEach((operationId, operation) -> {
            assertThat(operation.path("responses").has("401")).as(operationId).isTrue();
            if (!operation.path("security").isEmpty()) {
                assertThat(operation.path("responses").has("403")).as(operationId).isTrue();
            }
        });
    }

    @Test
    void the_event_schema_names_every_record_type_that_has_a_record_schema() throws Exception {
        Set<String> recordTypes;
        try (var files = java.nio.file.Files.list(Path.of("src/main/resources/schemas"))) {
            recordTypes = files.map(f -> f.getFileName().toString())
                    .filter(name -> name.endsWith(".schema.json"))
                    .map(name -> name.substring(0, name.length() - ".schema.json".length()))
                    .collect(java.util.stream.Collectors.toSet());
        }
        Set<String> declared = new java.util.HashSet<>();
        CONTRACT.schema("Event").path("properties").path("type").path("enum").forEach(t -> declared.add(t.asText()));
        assertThat(declared).isEqualTo(recordTypes);
    }

    // ---- decisions

    @Test
    void decisions_answer_as_declared() {
        JsonNode answer = approximateDecision();
        String id = answer.path("decision_id").asText();
        expect("createDecision", 200, pdp.post("/v1/decisions?explain=full", decision("worker").toString(), null));
        expect("createDecision", 400, pdp.post("/v1/decisions", "{\"trace_id\": 1}", null));
        expect("createDecision", 400, pdp.post("/v1/decisions", "{not json", null));
        expect("createDecision", 415, send("POST", "/v1/decisions", "text/plain", decision("worker").toString(), null));
        expect("createDecision", 415, send("POST", "/v1/decisions", "application/x-www-form-urlencoded", "a=b", null));
        expect("createDecision", 413, pdp.post("/v1/decisions", "{\"trace_id\":\"" + "x".repeat(PdpServer.BODY_LIMIT_BYTES) + "\"}", null));
        expect("createDecision", 401, pdp.post("/v1/decisions", decision("worker").toString(), "not-a-token"));
        expect("createDecision", 422, pdp.post("/v1/decisions", decision("worker", uid("no-such-profile")).toString(), null));

        expect("getDecision", 200, pdp.get("/v1/decisions/" + id));
        expect("getDecision", 200, pdp.get("/v1/decisions/" + id + "?explain=full"));
        expect("getDecision", 400, pdp.get("/v1/decisions/" + id + "?explain=some"));
        expect("getDecision", 404, pdp.get("/v1/decisions/" + uid("nope")));
    }

    // ---- runtime evidence

    @Test
    void reports_answer_as_declared() {
        String id = approximateDecision().path("decision_id").asText();
        String report = "{\"mode\": \"layer_skip\", \"exactness\": \"approximate\", \"token_count\": 12}";
        expect("reportDecision", 422, pdp.post("/v1/decisions/" + id + "/report",
                "{\"mode\": \"standard\", \"exactness\": \"exact\", \"token_count\": 1, \"offload\": {\"strategy\": \"cpu_offload\", \"cpu_offload_bytes\": -1}}", null));
        expect("reportDecision", 201, pdp.post("/v1/decisions/" + id + "/report", report, null));
        expect("reportDecision", 409, pdp.post("/v1/decisions/" + id + "/report", report, null));
        expect("reportDecision", 404, pdp.post("/v1/decisions/" + uid("nope") + "/report", report, null));
        expect("reportDecision", 400, pdp.post("/v1/decisions/" + id + "/report", "{\"mode\": \"standard\"}", null));
        expect("reportDecision", 415, send("POST", "/v1/decisions/" + id + "/report", "text/plain", report, null));
    }

    @Test
    void traces_answer_as_declared() {
        JsonNode decision = approximateDecision();
        String ref = decision.path("trace_artifact_ref").asText();
        assertThat(ref).startsWith("/v1/traces/");
        String trace = SyntheticTrace.jsonl(SyntheticTrace.of(decision, 5, "model-worker"));
        expect("uploadTrace", 415, send("PUT", ref, "application/json", trace, null));
        expect("uploadTrace", 404, send("PUT", "/v1/traces/" + uid("nope"), "application/x-ndjson", trace, null));
        expect("getTrace", 404, pdp.get(ref));
        expect("uploadTrace", 201, send("PUT", ref, "application/x-ndjson", trace, null));
        expect("uploadTrace", 409, send("PUT", ref, "application/x-ndjson", trace, null));
        expect("getTrace", 200, pdp.get(ref));

        JsonNode another = approximateDecision();
        List<ObjectNode> lines = SyntheticTrace.of(another, 3, "model-worker");
        lines.get(1).put("token_text", "secret");
        expect("uploadTrace", 422, send("PUT", another.path("trace_artifact_ref").asText(), "application/x-ndjson",
                SyntheticTrace.jsonl(lines), null));
        expect("uploadTrace", 400, send("PUT", another.path("trace_artifact_ref").asText(), "application/x-ndjson",
                "not json\n", null));
    }

    @Test
    void events_and_the_chain_answer_as_declared() {
        approximateDecision();
        JsonNode page = expect("listEvents", 200, pdp.get("/v1/events?limit=5")).json();
        expect("listEvents", 200, pdp.get("/v1/events?type=llm_exec_policy&limit=500"));
        expect("listEvents", 400, pdp.get("/v1/events?since=yesterday"));
        expect("listEvents", 400, pdp.get("/v1/events?limit=0"));
        expect("listEvents", 414, pdp.get("/v1/events?type=" + "x".repeat(5000)));
        expect("getEvent", 200, pdp.get("/v1/events/" + page.path("items").get(0).path("event_id").asText()));
        expect("getEvent", 404, pdp.get("/v1/events/" + java.util.UUID.randomUUID()));
        expect("verifyRecorder", 200, pdp.get("/v1/recorder/verify"));
    }

    // ---- the registry

    @Test
    void profiles_answer_as_declared() {
        String id = uid("wp");
        String path = "/v1/profiles/" + id;
        expect("putProfile", 201, pdp.put(path, Bodies.profile(id).toString()));
        expect("putProfile", 200, pdp.put(path, Bodies.profile(id).toString()));
        expect("putProfile", 422, pdp.put(path, Bodies.profile(uid("other")).toString()));
        expect("putProfile", 409, pdp.put("/v1/profiles/" + id.toUpperCase(), Bodies.profile(id.toUpperCase()).toString()));
        expect("putProfile", 400, pdp.put(path, "{\"profile_id\": \"" + id + "\"}"));
        expect("putProfile", 401, send("PUT", path, "application/json", Bodies.profile(id).toString(), null));
        expect("putProfile", 403, send("PUT", path, "application/json", Bodies.profile(id).toString(), pdp.token("runtime")));
        expect("putProfile", 415, send("PUT", path, "text/plain", Bodies.profile(id).toString(), pdp.token("operator")));
        expect("getProfile", 200, pdp.get(path));
        expect("getProfile", 404, pdp.get("/v1/profiles/" + uid("nope")));
        expect("getProfile", 400, pdp.get("/v1/profiles/1-not-an-id"));
        expect("listProfiles", 200, pdp.get("/v1/profiles"));
        expect("getProfileHistory", 200, pdp.get(path + "/history"));
        expect("getProfileHistory", 404, pdp.get("/v1/profiles/" + uid("nope") + "/history"));
        expect("activateProfile", 200, pdp.post(path + "/activate", "{}"));
        expect("activateProfile", 200, send("POST", path + "/activate", null, null, pdp.token("operator")));
        expect("activateProfile", 404, pdp.post("/v1/profiles/" + uid("nope") + "/activate", "{}"));
        expect("activateProfile", 401, pdp.post(path + "/activate", "{}", null));
        expect("listProfiles", 200, pdp.get("/v1/profiles"));
    }

    @Test
    void roles_answer_as_declared() {
        String id = uid("reviewer");
        String path = "/v1/roles/" + id;
        expect("putRole", 201, pdp.put(path, Bodies.role(id, "validator", null).toString()));
        expect("putRole", 200, pdp.put(path, Bodies.role(id, "validator", null).toString()));
        expect("putRole", 422, pdp.put("/v1/roles/WORKER", Bodies.role("WORKER", "worker", null).toString()));
        expect("putRole", 400, pdp.put(path, "{\"role_id\": \"" + id + "\", \"inherits\": \"nobody\"}"));
        expect("getRole", 200, pdp.get(path));
        expect("getRole", 404, pdp.get("/v1/roles/" + uid("nope")));
        expect("listRoles", 200, pdp.get("/v1/roles"));
        expect("listRoles", 401, send("GET", "/v1/roles", null, null, "not-a-token"));
    }

    @Test
    void waivers_answer_as_declared() {
        String id = uid("wv");
        expect("createWaiver", 201, pdp.post("/v1/waivers", Bodies.waiver(id).toString()));
        expect("createWaiver", 409, pdp.post("/v1/waivers", Bodies.waiver(id).toString()));
        expect("createWaiver", 422, pdp.post("/v1/waivers",
                Bodies.waiver(uid("wv"), Instant.now().minusSeconds(60)).toString()));
        expect("createWaiver", 400, pdp.post("/v1/waivers", "{\"check_waived\": 7}"));
        expect("createWaiver", 403, pdp.post("/v1/waivers", Bodies.waiver(uid("wv")).toString(), pdp.token("auditor")));
        expect("createWaiver", 415, send("POST", "/v1/waivers", "text/plain", Bodies.waiver(uid("wv")).toString(),
                pdp.token("operator")));
        expect("getWaiver", 200, pdp.get("/v1/waivers/" + id));
        expect("getWaiver", 404, pdp.get("/v1/waivers/" + uid("nope")));
        expect("listWaivers", 200, pdp.get("/v1/waivers"));
        expect("revokeWaiver", 200, pdp.post("/v1/waivers/" + id + "/revoke", "{\"reason\": \"done\"}"));
        expect("revokeWaiver", 409, pdp.post("/v1/waivers/" + id + "/revoke", "{}"));
        expect("revokeWaiver", 404, pdp.post("/v1/waivers/" + uid("nope") + "/revoke", "{}"));
        expect("revokeWaiver", 400, pdp.post("/v1/waivers/" + id + "/revoke", "{\"why\": \"x\"}"));
        expect("getWaiver", 200, pdp.get("/v1/waivers/" + id));
    }

    @Test
    void with_tokens_required_a_missing_token_is_401_and_a_token_of_another_scope_403_as_declared() {
        RunningPdp strict = RunningPdp.start(new PdpServer.Options("127.0.0.1", 0, RunningPdp.freshDataDir(),
                FixtureRules.ECHO, false).withAuth(AuthMode.REQUIRED));
        try {
            String request = decision("worker").toString();
            expect("createDecision", 401, strict.post("/v1/decisions", request, null));
            expect("createDecision", 403, strict.post("/v1/decisions", request, strict.token("auditor")));
            expect("createDecision", 200, strict.post("/v1/decisions", request, strict.token("runtime")));
            expect("listEvents", 401, strict.get("/v1/events"));
            expect("getRules", 403, strict.send(HttpRequest.newBuilder(URI.create(strict.baseUrl() + "/v1/rules"))
                    .header("authorization", "Bearer " + strict.token("runtime")).GET()));
            expect("live", 200, strict.get("/health/live"));
            // failed authentications beyond 20 a second from one address: 429 with Retry-After, on any path
            Reply refused = null;
            for (int i = 0; i < 40 && (refused == null || refused.status() != 429); i++) {
                refused = strict.send(HttpRequest.newBuilder(URI.create(strict.baseUrl() + "/health/live"))
                        .header("authorization", "Bearer guess-" + i).GET());
            }
            expect("live", 429, refused);
        } finally {
            strict.close();
        }
    }

    // ---- rules and health

    @Test
    void rules_and_health_answer_as_declared() {
        expect("getRules", 200, pdp.get("/v1/rules"));
        expect("reloadRules", 200, pdp.post("/v1/rules/reload", ""));
        expect("reloadRules", 403, pdp.post("/v1/rules/reload", "", pdp.token("auditor")));
        expect("getRules", 200, pdp.get("/v1/rules"));
        expect("live", 200, pdp.get("/health/live"));
        expect("ready", 200, pdp.get("/health/ready"));
        expect("ready", 401, send("GET", "/health/ready", null, null, "not-a-token"));
        expect("ready", 431, send("GET", "/health/ready", null, null, "x".repeat(17 * 1024)));
        expect("live", 400, pdp.send(HttpRequest.newBuilder(URI.create(pdp.baseUrl() + "/health/live"))
                .header("authorization", "Bearer a").header("authorization", "Bearer b").GET()));
        assertThat(Set.of(pdp.get("/health/live").contentType().split(";")[0])).containsExactly("application/json");
    }
}
