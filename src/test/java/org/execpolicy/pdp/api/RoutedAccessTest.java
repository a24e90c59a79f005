package org.execpolicy.pdp.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.execpolicy.pdp.support.RunningPdp.Reply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A request that reaches a handler has been authorised for exactly that handler's operation
 * (issue 10): no path form, trailing slash included, reaches an operation without its scope, and a
 * path that is not the contract's is 404 before any handler runs. Every case is generated from
 * openapi.yaml, so an operation added later is covered without listing it here.
 */
class RoutedAccessTest {
    /** Endings the router used to serve like the plain path. */
    static final List<String> TRAILING_FORMS = List.of("/", "/.", "//", "/./");

    static ConfiguredPdp pdp;

    record Operation(String id, String method, String path, String scope) {
    }

    @BeforeAll
    static void start() {
        pdp = ConfiguredPdp.start(options -> options.withAuth(AuthMode.REQUIRED));
    }

    @AfterAll
    static void stop() {
        pdp.close();
    }

    @Test
    void every_operation_in_another_ending_is_404_without_a_token_with_the_wrong_scope_and_with_the_right_one() {
        int recordsBefore = countRecords();
        List<Operation> operations = operations();
        assertThat(operations).hasSizeGreaterThan(20);
        for (Operation operation : operations) {
            for (String ending : TRAILING_FORMS) {
                String path = operation.path() + ending;
                for (String token : new String[] {null, tokenWithout(operation.scope()), tokenWith(operation.scope())}) {
                    Reply reply = send(operation.method(), path, token);
                    assertThat(reply.status()).as(operation.method() + " " + path + " with " + token).isEqualTo(404);
                    assertThat(reply.contentType()).startsWith("application/problem+json");
                }
            }
        }
        assertThat(countRecords()).as("nothing recorded through another ending").isEqualTo(recordsBefore);
    }

    @Test
    void every_scoped_operation_refuses_a_missing_token_and_a_token_of_another_scope_on_its_own_route() {
        for (Operation operation : operations()) {
            if (operation.scope() == null) {
                continue;
            }
            assertThat(send(operation.method(), operation.path(), null).status())
                    .as(operation.id() + " without a token").isEqualTo(401);
            assertThat(send(operation.method(), operation.path(), tokenWithout(operation.scope())).status())
                    .as(operation.id() + " with another scope").isEqualTo(403);
        }
    }

    @Test
    void a_query_value_is_percent_decoded_once() {
        String operator = AccessTokens.secretOf(pdp.dataDir(), "operator");
        String runtime = AccessTokens.secretOf(pdp.dataDir(), "runtime");
        String trace = "50%off-" + Bodies.uid("t");
        decide(runtime, trace);
        decide(runtime, "%41");
        decide(runtime, "A");

        assertThat(events(operator, trace.replace("%", "%25"))).as("a trace id holding a percent sign can be looked up").isNotEmpty().allSatisfy(e -> assertThat(e.get("trace_id").asText()).isEqualTo(trace));
        assertThat(events(operator, "%2541")).isNotEmpty()
                .allSatisfy(e -> assertThat(e.get("trace_id").asText()).isEqualTo("%41"));
    }

    private static JsonNode events(String token, String encodedTraceId) {
        Reply reply = ConfiguredPdp.reply(pdp.send(pdp.to("/v1/events?trace_id=" + encodedTraceId)
                .header("authorization", "Bearer " + token).GET()));
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return reply.json().get("items");
    }

    private static void decide(String token, String traceId) {
        HttpRequest.Builder request = pdp.to("/v1/decisions").header("content-type", "application/json")
                .header("authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofString(Bodies.decision("worker").put("trace_id", traceId).toString()));
        assertThat(pdp.send(request).statusCode()).isEqualTo(200);
    }

    private static Reply send(String method, String path, String token) {
        HttpRequest.Builder request = pdp.to(path).header("content-type", "application/json")
                .method(method, method.equals("GET") ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString("{}"));
        if (token != null) {
            request.header("authorization", "Bearer " + token);
        }
        return ConfiguredPdp.reply(pdp.send(request));
    }

    private static int countRecords() {
        String auditor = AccessTokens.secretOf(pdp.dataDir(), "auditor");
        Reply reply = ConfiguredPdp.reply(pdp.send(pdp.to("/v1/events?limit=500")
                .header("authorization", "Bearer " + auditor).GET()));
        return reply.json().get("items").size();
    }

    /** A token of the server's file that lacks the scope (for open operations: any token). */
    private static String tokenWithout(String scope) {
        String name = "runtime".equals(scope) ? "auditor" : "runtime";
        return AccessTokens.secretOf(pdp.dataDir(), name);
    }

    private static String tokenWith(String scope) {
        return AccessTokens.secretOf(pdp.dataDir(), scope == null ? "operator" : scope);
    }

    /** Every operation of openapi.yaml, path parameters filled in, with the scope its security names. */
    static List<Operation> operations() {
        JsonNode contract;
        try (InputStream in = RoutedAccessTest.class.getClassLoader().getResourceAsStream("openapi.yaml")) {
            contract = new ObjectMapper(new YAMLFactory()).readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Operation> operations = new ArrayList<>();
        for (Map.Entry<String, JsonNode> path : contract.get("paths").properties()) {
            for (Map.Entry<String, JsonNode> entry : path.getValue().properties()) {
                JsonNode operation = entry.getValue();
                if (!operation.has("operationId")) {
                    continue;
                }
                JsonNode scopes = operation.path("security").path(0).path("bearer");
                operations.add(new Operation(operation.get("operationId").asText(),
                        entry.getKey().toUpperCase(java.util.Locale.ROOT),
                        path.getKey().replaceAll("\\{[^}]+}", "x-1"),
                        scopes.isEmpty() ? null : scopes.get(0).asText()));
            }
        }
        return operations;
    }
}
