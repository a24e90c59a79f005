package org.execpolicy.pdp.api;

import io.vertx.core.json.JsonObject;
import io.vertx.openapi.contract.MediaType;
import java.util.List;

/**
 * Makes openapi.yaml loadable by the Vert.x contract loader, which refuses the whole document
 * over a media type it cannot validate: answers are application/problem+json and a trace is
 * application/x-ndjson. The document itself stays complete for clients and linters (it is served
 * as written at /openapi.yaml); the router is given a copy without what it never uses:
 * <ul>
 *   <li>response content: the server does not validate its own answers (ResponseContractTest does);
 *   <li>request media types the loader does not know: the trace upload is streamed and checked
 *       line by line by {@link TraceHandlers}, on a route of its own ahead of the API router.
 * </ul>
 */
final class LoaderContract {
    private LoaderContract() {
    }

    /** Removes, in place, what the loader cannot read; see the class comment. */
    static void strip(JsonObject contract) {
        JsonObject components = contract.getJsonObject("components", new JsonObject());
        JsonObject responses = components.getJsonObject("responses", new JsonObject());
        responses.forEach(entry -> ((JsonObject) entry.getValue()).remove("content"));
        JsonObject bodies = components.getJsonObject("requestBodies", new JsonObject());
        bodies.forEach(entry -> knownMediaTypesOnly((JsonObject) entry.getValue()));
        contract.getJsonObject("paths").forEach(path -> ((JsonObject) path.getValue()).forEach(entry -> {
            if (!(entry.getValue() instanceof JsonObject operation) || !operation.containsKey("operationId")) {
                return;
            }
            JsonObject operationResponses = operation.getJsonObject("responses", new JsonObject());
            operationResponses.forEach(response -> ((JsonObject) response.getValue()).remove("content"));
            JsonObject body = operation.getJsonObject("requestBody");
            if (body != null && !body.containsKey("$ref") && knownMediaTypesOnly(body)) {
                operation.remove("requestBody");
            }
        }));
    }

    /** Drops the media types the loader refuses; answers whether none is left. */
    private static boolean knownMediaTypesOnly(JsonObject body) {
        JsonObject content = body.getJsonObject("content", new JsonObject());
        List<String> unknown = content.fieldNames().stream().filter(type -> !MediaType.isMediaTypeSupported(type)).toList();
        unknown.forEach(content::remove);
        return content.isEmpty();
    }
}
