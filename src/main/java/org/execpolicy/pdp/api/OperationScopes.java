package org.execpolicy.pdp.api;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The scope each operation of openapi.yaml names in its {@code security}. The contract
 * keeps them for clients; the OpenAPI router is given a copy without them, because it
 * would otherwise insist on authentication handlers of its own ({@link AccessControl} checks tokens).
 */
final class OperationScopes {
    private final Map<String, Scope> byOperationId;

    private OperationScopes(Map<String, Scope> byOperationId) {
        this.byOperationId = byOperationId;
    }

    /**
     * Reads the scopes and removes the security requirements from {@code contract} in place.
     *
     * @throws IllegalStateException for a scope that is not runtime, operator or auditor
     */
    static OperationScopes takeFrom(JsonObject contract) {
        Map<String, Scope> scopes = new HashMap<>();
        contract.getJsonObject("paths").forEach(path -> ((JsonObject) path.getValue()).forEach(entry -> {
            if (!(entry.getValue() instanceof JsonObject operation) || !operation.containsKey("operationId")) {
                return;
            }
            JsonArray security = (JsonArray) operation.remove("security");
            if (security == null) {
                return;
            }
            for (Object requirement : security) {
                JsonArray names = ((JsonObject) requirement).getJsonArray("bearer", new JsonArray());
                for (Object name : names) {
                    scopes.put(operation.getString("operationId"), Scope.of((String) name).orElseThrow(() ->
                            new IllegalStateException("openapi.yaml: unknown scope '" + name + "' on "
                                    + operation.getString("operationId"))));
                }
            }
        }));
        return new OperationScopes(Map.copyOf(scopes));
    }

    /** Refuses to serve a /v1 operation that names no scope: nothing is left open by omission. */
    void requireOnEveryV1Operation(io.vertx.openapi.contract.OpenAPIContract contract) {
        contract.operations().stream()
                .filter(op -> op.getOpenAPIPath().startsWith("/v1/") && !byOperationId.containsKey(op.getOperationId()))
                .findFirst().ifPresent(op -> {
                    throw new IllegalStateException("openapi.yaml: " + op.getOperationId()
                            + " names no bearer scope in its security");
                });
    }

    /** The scope the operation needs; empty for operations open to all (health). */
    Optional<Scope> of(String operationId) {
        return Optional.ofNullable(byOperationId.get(operationId));
    }
}
