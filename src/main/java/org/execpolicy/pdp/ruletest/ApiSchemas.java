package org.execpolicy.pdp.ruletest;

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
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.execpolicy.pdp.json.FieldError;

/**
 * The schemas of `openapi.yaml` that the HTTP API validates requests,
 * profiles, roles and waivers against. Offline inputs are held to them, so
 * that a test case or `decide` never evaluates something the server would refuse.
 */
public final class ApiSchemas {
    public static final String DECISION_REQUEST = "DecisionRequest";
    static final String WORK_PROFILE = "WorkProfile";
    static final String DYNAMIC_ROLE = "DynamicRole";
    static final String WAIVER = "WaiverRequest";
    static final String RUNTIME_REPORT = "RuntimeReport";

    private static final String OPENAPI_URI = "https://execpolicy.org/openapi.json";

    private final Map<String, Schema> schemas = new HashMap<>();

    public ApiSchemas() {
        JsonNode openapi = readOpenApi();
        // The OpenAPI document around the schemas has keywords JSON Schema does not know; they validate nothing.
        Dialect dialect = Dialect.builder(Dialects.getDraft202012())
                .keywords(List.of(new NonValidationKeyword("openapi"), new NonValidationKeyword("info"),
                        new NonValidationKeyword("paths"), new NonValidationKeyword("components")))
                .build();
        SchemaRegistryConfig config = SchemaRegistryConfig.builder()
                .formatAssertionsEnabled(true).pathType(PathType.JSON_POINTER).locale(Locale.ENGLISH).build();
        SchemaRegistry registry = SchemaRegistry.withDefaultDialect(dialect, builder -> builder
                .schemaRegistryConfig(config).schemas(Map.of(OPENAPI_URI, openapi.toString())));
        for (String component : List.of(DECISION_REQUEST, WORK_PROFILE, DYNAMIC_ROLE, WAIVER, RUNTIME_REPORT)) {
            Schema schema = registry.getSchema(SchemaLocation.of(OPENAPI_URI + "#/components/schemas/" + component));
            schema.initializeValidators();
            schemas.put(component, schema);
        }
    }

    /**
     * @param at    the pointer of the value in its document, for the line of each problem
     * @param label how the value is named in messages, e.g. `request`
     */
    public List<FieldError> check(String component, JsonNode value, String at, String label) {
        return schemas.get(component).validate(value).stream().map(error -> {
            String inside = error.getInstanceLocation().toString();
            if ("additionalProperties".equals(error.getKeyword()) && error.getProperty() != null) {
                inside = inside + "/" + error.getProperty();
            }
            String where = label + inside;
            return new FieldError(at + inside, (where.isEmpty() ? "" : where + ": ") + error.getMessage());
        }).toList();
    }

    private static JsonNode readOpenApi() {
        try (InputStream in = ApiSchemas.class.getClassLoader().getResourceAsStream("openapi.yaml")) {
            if (in == null) {
                throw new IllegalStateException("openapi.yaml missing from the classpath");
            }
            return new ObjectMapper(new YAMLFactory()).readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
