package org.execpolicy.pdp.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.execpolicy.pdp.api.Bodies.uid;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.execpolicy.pdp.json.Json;
import org.execpolicy.pdp.support.RunningPdp;
import org.execpolicy.pdp.support.RunningPdp.Reply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Bearer tokens and scopes (issue 4): every write needs an operator token in every mode;
 * with --auth required every /v1 call needs its scope; refusals are 401/403 problems and
 * change nothing.
 */
class AccessControlTest {
    static RunningPdp pdp;
    static String profileId;
    static String waiverId;
    static String pendingWaiverId;

    @BeforeAll
    static void start() {
        pdp = RunningPdp.start();
        profileId = uid("wp");
        Steps.putProfile(pdp, Bodies.profile(profileId));
        waiverId = uid("wv");
        Steps.createWaiver(pdp, Bodies.waiver(waiverId));
        pendingWaiverId = uid("wv");
        Steps.createWaiver(pdp, Bodies.waiver(pendingWaiverId).put("risk", "MEDIUM"));
    }

    @AfterAll
    static void stop() {
        pdp.close();
    }

    /** One request per operation that openapi.yaml gives the operator scope, each one the server would carry out. */
    static Map<String, HttpRequest.Builder> writes() {
        Map<String, HttpRequest.Builder> writes = new LinkedHashMap<>();
        writes.put("putProfile", json("PUT", "/v1/profiles/" + profileId, Bodies.profile(profileId).put("name", "changed")));
        writes.put("activateProfile", json("POST", "/v1/profiles/" + profileId + "/activate", Json.object()));
        String roleId = uid("role");
        writes.put("putRole", json("PUT", "/v1/roles/" + roleId, Bodies.role(roleId, "worker", null)));
        writes.put("createWaiver", json("POST", "/v1/waivers", Bodies.waiver(uid("wv"))));
        writes.put("revokeWaiver", json("POST", "/v1/waivers/" + waiverId + "/revoke", Json.object().put("reason", "x")));
        writes.put("approveWaiver", json("POST", "/v1/waivers/" + pendingWaiverId + "/approve", Json.object()));
        writes.put("reloadRules", json("POST", "/v1/rules/reload", Json.object()));
        return writes;
    }

    @Test
    void the_table_of_writes_is_every_operator_operation_in_the_contract() throws IOException {
        assertThat(writes().keySet()).containsExactlyInAnyOrderElementsOf(operationsWithScope("operator"));
    }

    @Test
    void every_write_without_a_token_is_401_and_changes_nothing() {
        writes().forEach((operation, request) -> refusedAndNothingChanged(operation, request, null, 401));
    }

    @Test
    void every_write_with_an_unknown_token_is_401_and_changes_nothing() {
        writes().forEach((operation, request) ->
                refusedAndNothingChanged(operation, request, "not-a-token-of-this-server-0123456789", 401));
    }

    @Test
    void every_write_with_a_runtime_or_auditor_token_is_403_and_changes_nothing() {
        for (String name : List.of("runtime", "auditor")) {
            writes().forEach((operation, request) ->
                    refusedAndNothingChanged(operation + " as " + name, request, pdp.token(name), 403));
        }
    }

    @Test
    void an_operator_token_carries_out_every_write_and_is_named_in_the_audit_record() {
        Reply saved = send(json("PUT", "/v1/profiles/" + profileId, Bodies.profile(profileId).put("name", "by operator")),
                pdp.token("operator"));
        assertThat(saved.status()).as(saved.body()).isEqualTo(200);
        JsonNode change = Steps.allEvents(pdp, "type=work_profile_changed", 500).get(0);
        assertThat(change.get("actor").asText()).isEqualTo("human");
        assertThat(change.get("operator").asText()).isEqualTo("operator");
        assertThat(change.get("profile_id").asText()).isEqualTo(profileId);
        assertThat(change.get("changed_paths").toString()).isEqualTo("[\"/name\"]");
    }

    @Test
    void reads_and_decisions_are_open_on_loopback_but_a_wrong_token_is_still_refused() {
        assertThat(pdp.get("/v1/profiles/" + profileId).status()).isEqualTo(200);
        assertThat(pdp.get("/v1/events?limit=1").status()).isEqualTo(200);
        Reply decision = send(json("POST", "/v1/decisions", Bodies.decision("worker")), null);
        assertThat(decision.status()).as(decision.body()).isEqualTo(200);

        Reply wrong = send(HttpRequest.newBuilder(URI.create(pdp.baseUrl() + "/v1/profiles/" + profileId)).GET(),
                "wrong-token-0123456789abcdef");
        ProblemAssert.problem(wrong, 401, "invalid_request");
    }

    @Test
    void with_auth_required_every_v1_call_needs_a_token_of_its_scope() {
        try (ConfiguredPdp required = ConfiguredPdp.start(options -> options.withAuth(AuthMode.REQUIRED))) {
            String runtime = AccessTokens.secretOf(required.dataDir(), "runtime");
            String auditor = AccessTokens.secretOf(required.dataDir(), "auditor");
            String operator = AccessTokens.secretOf(required.dataDir(), "operator");
            String decision = Bodies.decision("worker").toString();

            assertThat(status(required, "GET", "/v1/events?limit=1", null, null)).isEqualTo(401);
            assertThat(status(required, "GET", "/v1/events?limit=1", null, runtime)).isEqualTo(403);
            assertThat(status(required, "GET", "/v1/events?limit=1", null, auditor)).isEqualTo(200);
            assertThat(status(required, "GET", "/v1/events?limit=1", null, operator)).as("operators read").isEqualTo(200);
            assertThat(status(required, "POST", "/v1/decisions", decision, null)).isEqualTo(401);
            assertThat(status(required, "POST", "/v1/decisions", decision, auditor)).isEqualTo(403);
            assertThat(status(required, "POST", "/v1/decisions", decision, operator)).isEqualTo(403);
            assertThat(status(required, "POST", "/v1/decisions", decision, runtime)).isEqualTo(200);
            assertThat(status(required, "GET", "/health/live", null, null)).as("probes stay open").isEqualTo(200);
        }
    }

    @Test
    void a_host_off_loopback_always_requires_tokens() {
        PdpServer.Options asked = new PdpServer.Options("0.0.0.0", 0, Path.of("data"), Path.of("rules"))
                .withAuth(AuthMode.LOOPBACK);
        assertThat(asked.auth()).isEqualTo(AuthMode.REQUIRED);
        assertThat(new PdpServer.Options("127.0.0.1", 0, Path.of("data"), Path.of("rules")).auth())
                .isEqualTo(AuthMode.LOOPBACK);
        assertThat(new PdpServer.Options("localhost", 0, Path.of("data"), Path.of("rules")).auth())
                .isEqualTo(AuthMode.LOOPBACK);
        assertThatThrownBy(() -> AuthMode.parse("sometimes")).hasMessageContaining("--auth");
    }

    @Test
    void the_token_file_is_private_holds_one_token_per_scope_and_survives_a_restart() throws IOException {
        Path file = pdp.dataDir().resolve("tokens.json");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        JsonNode tokens = Json.MAPPER.readTree(file.toFile()).get("tokens");
        Map<String, String> scopeByName = new TreeMap<>();
        tokens.forEach(t -> scopeByName.put(t.get("name").asText(), t.get("scopes").toString()));
        assertThat(scopeByName).containsExactlyEntriesOf(new TreeMap<>(Map.of(
                "auditor", "[\"auditor\"]", "operator", "[\"operator\"]", "runtime", "[\"runtime\"]")));
        assertThat(tokens).allSatisfy(t -> assertThat(t.get("token").asText()).hasSizeGreaterThan(32));

        Path dataDir = Files.createTempDirectory("pdp-test-");
        String operator;
        try (RunningPdp fresh = RunningPdp.start(dataDir)) {
            operator = fresh.token("operator");
        }
        assertThat(operator).isNotEqualTo(pdp.token("operator")); // each data directory has its own
        try (RunningPdp again = RunningPdp.start(dataDir)) {
            assertThat(again.token("operator")).isEqualTo(operator);
            assertThat(again.send(HttpRequest.newBuilder(URI.create(again.baseUrl() + "/v1/rules/reload"))
                    .header("authorization", "Bearer " + operator).POST(HttpRequest.BodyPublishers.noBody())).status())
                    .isEqualTo(200);
        }
    }

    private static void refusedAndNothingChanged(String what, HttpRequest.Builder request, String token, int status) {
        String profileBefore = pdp.get("/v1/profiles/" + profileId).body();
        String waiverBefore = pdp.get("/v1/waivers/" + waiverId).body();
        int recordsBefore = Steps.countEvents(pdp);

        Reply reply = send(request, token);

        JsonNode problem = ProblemAssert.problem(reply, status, "invalid_request");
        assertThat(problem.get("detail").asText()).as(what).isNotBlank();
        assertThat(pdp.get("/v1/profiles/" + profileId).body()).as(what).isEqualTo(profileBefore);
        assertThat(pdp.get("/v1/waivers/" + waiverId).body()).as(what).isEqualTo(waiverBefore);
        assertThat(pdp.get("/v1/profiles").json().get("active_profile_id").isNull()).as(what).isTrue();
        assertThat(Steps.countEvents(pdp)).as(what + ": no record").isEqualTo(recordsBefore);
    }

    private static Reply send(HttpRequest.Builder request, String token) {
        HttpRequest.Builder copy = request.copy();
        if (token != null) {
            copy.header("authorization", "Bearer " + token);
        }
        return pdp.send(copy);
    }

    private static int status(ConfiguredPdp server, String method, String path, String body, String token) {
        HttpRequest.Builder request = server.to(path).header("content-type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("authorization", "Bearer " + token);
        }
        return server.send(request).statusCode();
    }

    private static HttpRequest.Builder json(String method, String path, JsonNode body) {
        return HttpRequest.newBuilder(URI.create(pdp.baseUrl() + path)).header("content-type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body.toString()));
    }

    private static List<String> operationsWithScope(String scope) throws IOException {
        JsonNode contract;
        try (InputStream in = AccessControlTest.class.getClassLoader().getResourceAsStream("openapi.yaml")) {
            contract = new ObjectMapper(new YAMLFactory()).readTree(in);
        }
        List<String> operations = new ArrayList<>();
        contract.get("paths").forEach(path -> path.forEach(operation -> operation.path("security").forEach(
                requirement -> requirement.path("bearer").forEach(s -> {
                    if (s.asText().equals(scope)) {
                        operations.add(operation.get("operationId").asText());
                    }
                }))));
        return operations;
    }
}
