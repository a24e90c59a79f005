package org.execpolicy.pdp.recorder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.OutputFormat;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.SchemaRepository;
import io.vertx.json.schema.Validator;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The JSON Schemas of Flight Recorder records, one file per type under
 * {@code schemas/<type>.schema.json}, loaded once; a record is stored only if
 * its type is known and it validates.
 */
public final class RecordSchemas {

    /** Record types this build knows. Adding one means adding its schema file here. */
    public static final List<String> KNOWN_TYPES = List.of("llm_exec_policy", "policy_rule_fired");

    private static final String BASE_URI = "https://execpolicy.org/schemas/";
    private static final int ERRORS_IN_MESSAGE = 3;

    /** Flag output stops at the first error: the fast path for records that are valid. */
    private final Map<String, Validator> validators = new LinkedHashMap<>();
    /** Basic output collects every error: used only to explain a rejection. */
    private final Map<String, Validator> explainers = new LinkedHashMap<>();

    /** Loads and compiles every known schema; fails fast if one is missing or malformed. */
    public RecordSchemas() {
        JsonSchemaOptions options = new JsonSchemaOptions()
                .setDraft(Draft.DRAFT202012)
                .setBaseUri(BASE_URI)
                .setOutputFormat(OutputFormat.Flag);
        SchemaRepository repository = SchemaRepository.create(options);
        for (String type : KNOWN_TYPES) {
            String file = type + ".schema.json";
            repository.dereference(file, JsonSchema.of(loadResource("schemas/" + file)));
            validators.put(type, repository.validator(file));
            explainers.put(type, repository.validator(file, new JsonSchemaOptions()
                    .setDraft(Draft.DRAFT202012).setBaseUri(BASE_URI).setOutputFormat(OutputFormat.Basic)));
        }
    }

    public Set<String> types() {
        return validators.keySet();
    }

    /** @throws RecordRejectedException naming the type and the failing location */
    public void validate(ObjectNode record) {
        JsonNode typeNode = record.get("type");
        String type = typeNode != null && typeNode.isTextual() ? typeNode.asText() : null;
        if (type == null) {
            throw new RecordRejectedException(null, "/type", "record rejected: missing or non-string type");
        }
        Validator validator = validators.get(type);
        if (validator == null) {
            throw new RecordRejectedException(type, "/type", "record rejected: unknown type '" + type + "'");
        }
        // Round trip through text: Vert.x validates its own JsonObject model.
        JsonObject json = new JsonObject(record.toString());
        if (!Boolean.TRUE.equals(validator.validate(json).getValid())) {
            throw rejection(type, explainers.get(type).validate(json));
        }
    }

    private static RecordRejectedException rejection(String type, OutputUnit result) {
        List<OutputUnit> errors = leafErrors(result);
        String location = pointer(errors.get(0).getInstanceLocation());
        String detail = errors.stream()
                .limit(ERRORS_IN_MESSAGE)
                .map(e -> "at '" + pointer(e.getInstanceLocation()) + "': " + e.getError()
                        + " (" + e.getKeywordLocation() + ")")
                .collect(Collectors.joining("; "));
        return new RecordRejectedException(type, location, type + " record rejected " + detail);
    }

    /**
     * The most specific errors first: Vert.x also reports every enclosing
     * keyword ("#/properties", "#/if") that failed because a nested one did.
     */
    private static List<OutputUnit> leafErrors(OutputUnit result) {
        List<OutputUnit> all = result.getErrors() == null || result.getErrors().isEmpty()
                ? List.of(result) : result.getErrors();
        List<OutputUnit> leaves = all.stream()
                .filter(e -> all.stream().noneMatch(other -> other != e && isInside(other, e)))
                .sorted(Comparator.comparingInt((OutputUnit e) -> depth(e.getKeywordLocation())).reversed())
                .toList();
        return leaves.isEmpty() ? all : leaves;
    }

    private static boolean isInside(OutputUnit inner, OutputUnit outer) {
        String in = inner.getKeywordLocation();
        String out = outer.getKeywordLocation();
        return in != null && out != null && in.length() > out.length() && in.startsWith(out + "/");
    }

    private static int depth(String keywordLocation) {
        return keywordLocation == null ? 0 : keywordLocation.split("/").length;
    }

    /** Vert.x reports URI fragments ("#/a/b"); callers get the plain JSON Pointer ("/a/b"). */
    private static String pointer(String location) {
        if (location == null) {
            return "";
        }
        return location.startsWith("#") ? location.substring(1) : location;
    }

    private static JsonObject loadResource(String path) {
        try (InputStream in = RecordSchemas.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("schema resource missing: " + path);
            }
            return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
    }
}
