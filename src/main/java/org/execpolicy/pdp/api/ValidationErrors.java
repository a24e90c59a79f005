package org.execpolicy.pdp.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.vertx.ext.web.RoutingContext;
import io.vertx.json.schema.OutputUnit;
import io.vertx.openapi.validation.SchemaValidationException;
import io.vertx.openapi.validation.ValidatorErrorType;
import io.vertx.openapi.validation.ValidatorException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.execpolicy.pdp.json.FieldError;
import org.execpolicy.pdp.json.Json;

/**
 * Turns an OpenAPI validation failure into {path, message} pairs that name the
 * field. Vert.x 5.0.7 reports a declared-but-invalid property a second time as
 * an "additional property"; those false entries are dropped here. The names of
 * a missing property and of a parameter appear only in message text.
 */
final class ValidationErrors {
    private static final String SUMMARY = "A subschema had errors";
    private static final Pattern REQUIRED = Pattern.compile("required property \"(.+)\"");
    private static final Pattern PARAMETER = Pattern.compile(
            "(?:value of|the required) (?:path|query|header|cookie) parameter (\\S+?)(?: is invalid| can't be decoded|\\.|$)");
    /** Fields held to components/schemas/RegistryId, whose pattern the library reports without saying it. */
    private static final Set<String> REGISTRY_IDS = Set.of("waiver_id", "profile_id", "role_id");
    private static final String REGISTRY_ID_RULE = "must be an identifier: an ASCII letter, then at most 127 ASCII "
            + "letters, digits or . _ : @ - (no spaces, no look-alike characters)";
    /** The validator's words when the body (not a parameter) is not JSON. */
    private static final String BODY_NOT_JSON = "body can't be decoded";
    /** The one false-schema member openapi.yaml has under a then: branch (WorkProfile, SPEC 2). */
    private static final String COMPUTE_IN_0_5 = "compute is not part of hsk.work_profile@0.5 (0.6 without compute);"
            + " send schema_version hsk.work_profile@0.6 to use it";
    /** maxProperties is reported in minProperties' words ("does not have at least N") by vertx-json-schema 5.0.7. */
    private static final Pattern LIMIT = Pattern.compile("(\\d+)");
    private static final Pattern ITEMS = Pattern.compile("\\( \\+ (\\d+) [<>] (\\d+)\\)");

    private ValidationErrors() {
    }

    static List<FieldError> of(ValidatorException invalid, RoutingContext ctx) {
        Matcher parameter = PARAMETER.matcher(invalid.getMessage());
        String prefix = parameter.find() ? "/" + parameter.group(1) : "";
        if (invalid.type() == ValidatorErrorType.ILLEGAL_VALUE) {
            return List.of(illegalValue(invalid, prefix, ctx));
        }
        if (invalid.type() == ValidatorErrorType.MISSING_REQUIRED_PARAMETER && prefix.isEmpty()) {
            return List.of(new FieldError("", "a JSON request body is required"));
        }
        if (!(invalid instanceof SchemaValidationException schema) || schema.getOutputUnit().getErrors() == null) {
            return List.of(new FieldError(prefix, invalid.getMessage()));
        }
        List<OutputUnit> units = schema.getOutputUnit().getErrors();
        Set<String> declaredButInvalid = new HashSet<>();
        units.stream().filter(u -> u.getKeywordLocation().endsWith("/properties"))
                .forEach(u -> declaredButInvalid.add(u.getInstanceLocation()));
        List<FieldError> errors = new ArrayList<>();
        // what errors holds, for the duplicate check: List.contains made it quadratic in the number of
        // errors, the largest single cost in a profile of RegistryFuzzTest (6% of the samples)
        Set<FieldError> listed = new HashSet<>();
        for (OutputUnit unit : units) {
            String keyword = unit.getKeywordLocation();
            String path = prefix + unit.getInstanceLocation().replaceFirst("^#", "");
            String message = unit.getError();
            if (keyword.endsWith("/properties") && !hasOther(units, unit, unit.getInstanceLocation())) {
                // a declared member whose schema is false: the member is not allowed there
                FieldError notAllowed = new FieldError(path, keyword.contains("/then/") && path.endsWith("/compute")
                        ? COMPUTE_IN_0_5 : "not allowed here");
                errors.add(notAllowed);
                listed.add(notAllowed);
                continue;
            }
            if (keyword.endsWith("/properties") || keyword.endsWith("/patternProperties")
                    || keyword.endsWith("/$ref") || keyword.endsWith("/if") || SUMMARY.equals(message)) {
                continue; // a summary of the entries below it (an if: of its then: branch)
            }
            if (keyword.endsWith("/additionalProperties")) {
                if (declaredButInvalid.contains(unit.getInstanceLocation())
                        || hasOther(units, unit, unit.getInstanceLocation() + "/")) {
                    continue; // a member that is declared, or whose schema has errors below it
                }
                message = "unknown field; it is refused and not stored";
            } else if (keyword.endsWith("/pattern") && REGISTRY_IDS.contains(path.substring(path.lastIndexOf('/') + 1))) {
                message = REGISTRY_ID_RULE;
            } else if (keyword.endsWith("/maxProperties") || keyword.endsWith("/maxItems")
                    || keyword.endsWith("/minItems")) {
                message = countMessage(keyword, message);
            } else if (keyword.endsWith("/required")) {
                Matcher missing = REQUIRED.matcher(message);
                if (missing.find()) {
                    path = path + "/" + missing.group(1);
                    message = "required field is missing";
                }
            }
            FieldError error = new FieldError(path, message);
            if (listed.add(error)) {
                errors.add(error);
            }
        }
        return errors.isEmpty() ? List.of(new FieldError(prefix, invalid.getMessage())) : errors;
    }

    /** True when a unit other than {@code unit} is at {@code location} or below it. */
    private static boolean hasOther(List<OutputUnit> units, OutputUnit unit, String location) {
        return units.stream().anyMatch(other -> other != unit && other.getInstanceLocation().startsWith(location));
    }

    /**
     * A value the validator could not even read: the body that is not JSON, or a path or query value
     * it could not decode (a control character such as %00, or an unbalanced quote); neither is echoed.
     */
    private static FieldError illegalValue(ValidatorException invalid, String parameter, RoutingContext ctx) {
        if (!parameter.isEmpty()) {
            return new FieldError(parameter, "the value of " + parameter.substring(1) + " cannot be read: it holds a "
                    + "control character (such as %00) or a quote or backslash that does not form valid text");
        }
        if (invalid.getMessage() != null && invalid.getMessage().contains(BODY_NOT_JSON)) {
            return new FieldError("", "the request body is not valid JSON" + parseError(ctx));
        }
        return new FieldError("", "a path or query value is not valid percent-encoding (RFC 3986)");
    }

    /** Counts said plainly: "at most 256 properties", where the library says "at least" for a maximum. */
    private static String countMessage(String keyword, String message) {
        Matcher items = ITEMS.matcher(message);
        if (keyword.endsWith("/maxProperties")) {
            Matcher limit = LIMIT.matcher(message);
            return limit.find() ? "more than " + limit.group(1) + " properties; at most " + limit.group(1)
                    + " are allowed" : message;
        }
        if (!items.find()) {
            return message;
        }
        return keyword.endsWith("/maxItems")
                ? items.group(1) + " items; at most " + items.group(2) + " are allowed"
                : items.group(1) + " items; at least " + items.group(2) + " are needed";
    }

    /** Where the JSON breaks, as Jackson says it; the body's content itself is never echoed. */
    private static String parseError(RoutingContext ctx) {
        try {
            Json.MAPPER.readTree(ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes());
            return "";
        } catch (JsonProcessingException e) {
            return " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
        } catch (Exception e) {
            return "";
        }
    }
}
