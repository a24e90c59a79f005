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
import org.execpolicy.pdp.model.Json;

/**
 * Turns an OpenAPI validation failure into {path, message} pairs that name the
 * field. Vert.x 5.0.7 reports a declared-but-invalid property a second time as
 * an "additional property"; those false entries are dropped here. The names of
 * a missing property and of a parameter appear only in message text.
 */
final class ValidationErrors {
    private static final String SUMMARY = "A subschema had errors";
    private static final Pattern REQUIRED = Pattern.compile("required property \"(.+)\"");
    private static final Pattern PARAMETER =
            Pattern.compile("(?:value of|the required) (?:path|query|header|cookie) parameter (\\S+?)(?: is invalid|\\.|$)");

    private ValidationErrors() {
    }

    static List<FieldError> of(ValidatorException invalid, RoutingContext ctx) {
        Matcher parameter = PARAMETER.matcher(invalid.getMessage());
        String prefix = parameter.find() ? "/" + parameter.group(1) : "";
        if (invalid.type() == ValidatorErrorType.ILLEGAL_VALUE && prefix.isEmpty()) {
            return List.of(new FieldError("", "the request body is not valid JSON" + parseError(ctx)));
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
        for (OutputUnit unit : units) {
            String keyword = unit.getKeywordLocation();
            String path = prefix + unit.getInstanceLocation().replaceFirst("^#", "");
            String message = unit.getError();
            if (keyword.endsWith("/properties") || keyword.endsWith("/patternProperties")
                    || keyword.endsWith("/$ref") || SUMMARY.equals(message)) {
                continue; // a summary of the entries below it
            }
            if (keyword.endsWith("/additionalProperties")) {
                if (declaredButInvalid.contains(unit.getInstanceLocation())) {
                    continue;
                }
                message = "unknown field; it is refused and not stored";
            } else if (keyword.endsWith("/required")) {
                Matcher missing = REQUIRED.matcher(message);
                if (missing.find()) {
                    path = path + "/" + missing.group(1);
                    message = "required field is missing";
                }
            }
            FieldError error = new FieldError(path, message);
            if (!errors.contains(error)) {
                errors.add(error);
            }
        }
        return errors.isEmpty() ? List.of(new FieldError(prefix, invalid.getMessage())) : errors;
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
