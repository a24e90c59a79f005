package org.execpolicy.pdp.recorder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.ExecutionContext;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.dialect.Dialect;
import com.networknt.schema.dialect.Dialects;
import com.networknt.schema.format.DateTimeFormat;
import com.networknt.schema.format.Format;
import com.networknt.schema.path.NodePath;
import com.networknt.schema.path.PathType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The JSON Schemas of Flight Recorder records, one file per type under
 * {@code schemas/<type>.schema.json}, loaded once; a record is stored only if
 * its type is known and it validates.
 */
public final class RecordSchemas {

    /** Record types this build knows. Adding one means adding its schema file here. */
    public static final List<String> KNOWN_TYPES = List.of(
            "llm_exec_policy", "policy_rule_fired", "policy_ruleset_loaded", "policy_ruleset_rejected",
            "retention_checkpoint", "chain_verified", "work_profile_changed", "work_profile_selected", "dynamic_role_changed",
            "waiver_granted", "waiver_approved", "waiver_revoked",
            "layerwise_trace_attached", "layerwise_trace_missing", "llm_exec_report", "exec_policy_violation",
            "runtime_downgrade", "trace_purged");

    private static final String BASE_URI = "https://execpolicy.org/schemas/";
    private static final int ERRORS_IN_MESSAGE = 3;

    private final Map<String, Schema> schemas = new LinkedHashMap<>();

    /** Loads and compiles every known schema; fails fast if one is missing or malformed. */
    public RecordSchemas() {
        SchemaRegistryConfig config = SchemaRegistryConfig.builder()
                // Draft 2020-12 makes "format" an annotation only; records must really be UUIDs and RFC 3339.
                .formatAssertionsEnabled(true)
                .pathType(PathType.JSON_POINTER)
                .locale(Locale.ENGLISH)
                .build();
        Dialect draft202012 = Dialect.builder(Dialects.getDraft202012()).format(new StrictDateTime()).build();
        SchemaRegistry registry = SchemaRegistry.withDefaultDialect(draft202012,
                builder -> builder.schemaRegistryConfig(config));
        ObjectMapper mapper = new ObjectMapper();
        for (String type : KNOWN_TYPES) {
            String file = type + ".schema.json";
            Schema schema = registry.getSchema(SchemaLocation.of(BASE_URI + file),
                    loadResource(mapper, "schemas/" + file));
            schema.initializeValidators(); // resolve $refs now: fail fast, and thread-safe afterwards
            schemas.put(type, schema);
        }
    }

    public Set<String> types() {
        return schemas.keySet();
    }

    /** @throws RecordRejectedException naming the type and the failing location */
    public void validate(ObjectNode record) {
        JsonNode typeNode = record.get("type");
        String type = typeNode != null && typeNode.isTextual() ? typeNode.asText() : null;
        if (type == null) {
            throw new RecordRejectedException(null, "/type", "record rejected: missing or non-string type");
        }
        Schema schema = schemas.get(type);
        if (schema == null) {
            throw new RecordRejectedException(type, "/type", "record rejected: unknown type '" + type + "'");
        }
        List<Error> errors = schema.validate(record);
        if (!errors.isEmpty()) {
            throw rejection(type, errors);
        }
    }

    private static RecordRejectedException rejection(String type, List<Error> errors) {
        String detail = errors.stream()
                .limit(ERRORS_IN_MESSAGE)
                .map(e -> "at '" + location(e) + "': " + e.getMessage() + " (#" + e.getEvaluationPath() + ")")
                .collect(Collectors.joining("; "));
        return new RecordRejectedException(type, location(errors.get(0)), type + " record rejected " + detail);
    }

    /** JSON Pointer ("" = whole record) of the failing value; for an extra property, the property itself. */
    private static String location(Error error) {
        NodePath at = error.getInstanceLocation();
        return ("additionalProperties".equals(error.getKeyword()) ? at.append(error.getProperty()) : at).toString();
    }

    /**
     * RFC 3339 date-time, at least as strict as the previous (Vert.x) validator: the library's check alone
     * also takes a space for 'T', a leap second, or trailing text. Requires 'T', seconds and an offset.
     */
    private static final class StrictDateTime implements Format {
        private static final Pattern SHAPE = Pattern.compile(
                "[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-5][0-9](\\.[0-9]{1,9})?([Zz]|[+-][0-9]{2}:[0-9]{2})");
        private final Format rfc3339 = new DateTimeFormat();

        @Override
        public String getName() {
            return rfc3339.getName();
        }

        @Override
        public String getMessageKey() {
            return rfc3339.getMessageKey();
        }

        @Override
        public boolean matches(ExecutionContext context, String value) {
            return SHAPE.matcher(value).matches() && rfc3339.matches(context, value);
        }
    }

    private static JsonNode loadResource(ObjectMapper mapper, String path) {
        try (InputStream in = RecordSchemas.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("schema resource missing: " + path);
            }
            return mapper.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
    }
}
