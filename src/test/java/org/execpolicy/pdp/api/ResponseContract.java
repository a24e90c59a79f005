package org.execpolicy.pdp.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.dialect.Dialect;
import com.networknt.schema.dialect.Dialects;
import com.networknt.schema.keyword.NonValidationKeyword;
import com.networknt.schema.path.PathType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.execpolicy.pdp.json.Json;
import org.execpolicy.pdp.support.RunningPdp.Reply;

/**
 * What openapi.yaml promises about an operation's answers, checked against a real answer: its status
 * is one the operation lists, its content type one the response lists, and its body valid against
 * that media type's schema (JSON Schema 2020-12, formats asserted). The server never validates its own
 * answers; this is where a handler that drifts from the document is caught.
 */
public final class ResponseContract {
    private static final String DOCUMENT_URI = "https://execpolicy.org/openapi.json";

    private final JsonNode document;
    private final SchemaRegistry registry;
    private final Map<String, Schema> schemas = new ConcurrentHashMap<>();

    public ResponseContract() {
        document = read();
        // the keywords of the OpenAPI document around the schemas validate nothing
        Dialect dialect = Dialect.builder(Dialects.getDraft202012())
                .keywords(List.of(new NonValidationKeyword("openapi"), new NonValidationKeyword("info"),
                        new NonValidationKeyword("servers"), new NonValidationKeyword("tags"),
                        new NonValidationKeyword("paths"), new NonValidationKeyword("components")))
                .build();
        SchemaRegistryConfig config = SchemaRegistryConfig.builder()
                .formatAssertionsEnabled(true).pathType(PathType.JSON_POINTER).locale(Locale.ENGLISH).build();
        registry = SchemaRegistry.withDefaultDialect(dialect, builder -> builder
                .schemaRegistryConfig(config).schemas(Map.of(DOCUMENT_URI, document.toString())));
    }

    /** Every way {@code reply} breaks the document's promises for {@code operationId}; empty when it keeps them. */
    public List<String> violations(String operationId, Reply reply) {
        List<String> problems = new ArrayList<>();
        JsonNode operation = operation(operationId);
        JsonNode response = operation.path("responses").get(String.valueOf(reply.status()));
        if (response == null) {
            problems.add(operationId + " answered " + reply.status() + ", which it does not declare (declared: "
                    + fieldNames(operation.path("responses")) + "): " + reply.body());
            return problems;
        }
        response = resolve(response);
        JsonNode content = response.get("content");
        if (content == null) {
            if (!reply.body().isEmpty()) {
                problems.add(operationId + " " + reply.status() + " declares no body but sent one: " + reply.body());
            }
            return problems;
        }
        String mediaType = reply.contentType().split(";")[0].trim().toLowerCase(Locale.ROOT);
        JsonNode media = content.get(mediaType);
        if (media == null) {
            problems.add(operationId + " " + reply.status() + " answered " + reply.contentType() + ", declared: "
                    + fieldNames(content));
            return problems;
        }
        JsonNode schema = media.path("schema");
        if (!mediaType.equals("application/json") && !mediaType.endsWith("+json")) {
            return problems; // a byte stream (the trace artifact): no JSON to hold to a schema
        }
        if (!schema.has("$ref")) {
            problems.add(operationId + " " + reply.status() + ": declare the body's schema as a component ($ref)");
            return problems;
        }
        JsonNode body;
        try {
            body = Json.MAPPER.readTree(reply.body());
        } catch (IOException e) {
            problems.add(operationId + " " + reply.status() + " body is not JSON: " + reply.body());
            return problems;
        }
        Schema validator = schemas.computeIfAbsent(schema.get("$ref").asText(), ref -> {
            Schema s = registry.getSchema(SchemaLocation.of(DOCUMENT_URI + ref));
            s.initializeValidators();
            return s;
        });
        validator.validate(body).forEach(error -> problems.add(operationId + " " + reply.status() + " body at '"
                + error.getInstanceLocation() + "' breaks " + schema.get("$ref").asText() + ": " + error.getMessage()
                + " (body: " + abbreviated(reply.body()) + ")"));
        return problems;
    }

    /** Every operation of the document, as {operationId: operation}. */
    Map<String, JsonNode> operations() {
        Map<String, JsonNode> all = new java.util.TreeMap<>();
        document.path("paths").forEach(path -> path.properties().forEach(entry -> {
            if (entry.getValue().has("operationId")) {
                all.put(entry.getValue().get("operationId").asText(), entry.getValue());
            }
        }));
        return all;
    }

    /** A schema of components/schemas, as written. */
    JsonNode schema(String name) {
        return document.path("components").path("schemas").path(name);
    }

    /** A response, or the components/responses entry it refers to. */
    JsonNode resolve(JsonNode response) {
        if (!response.has("$ref")) {
            return response;
        }
        JsonNode target = document.at(response.get("$ref").asText().substring(1));
        if (target.isMissingNode()) {
            throw new IllegalStateException("openapi.yaml: unresolved " + response.get("$ref").asText());
        }
        return target;
    }

    private JsonNode operation(String operationId) {
        JsonNode operation = operations().get(operationId);
        if (operation == null) {
            throw new IllegalArgumentException("openapi.yaml has no operation " + operationId);
        }
        return operation;
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static String abbreviated(String body) {
        return body.length() > 400 ? body.substring(0, 400) + "..." : body;
    }

    private static JsonNode read() {
        try (InputStream in = ResponseContract.class.getClassLoader().getResourceAsStream("openapi.yaml")) {
            if (in == null) {
                throw new IllegalStateException("openapi.yaml missing from the classpath");
            }
            return new ObjectMapper(new YAMLFactory()).readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
