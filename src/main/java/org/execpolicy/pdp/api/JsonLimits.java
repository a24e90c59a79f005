package org.execpolicy.pdp.api;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.execpolicy.pdp.json.FieldError;
import org.execpolicy.pdp.json.IJson;
import org.execpolicy.pdp.json.StrictUtf8;

/**
 * Limits on the shape of every JSON request body, checked after the body is read and before
 * the OpenAPI validator builds a tree of it: well-formed UTF-8, nesting depth, length of strings
 * and field names, length of numbers, and I-JSON (RFC 7493): no duplicate names, no lone
 * surrogates, no integer a double cannot hold. A body over a limit is answered 400 naming the
 * place, and nothing of it is stored. A body that is not JSON at all is left to the validator,
 * which answers its own 400.
 */
final class JsonLimits implements Handler<RoutingContext> {
    /** Objects and arrays nested deeper than this are refused; a decision request needs 5. */
    static final int MAX_DEPTH = 32;
    /** Longest string value or field name, in characters (64 KiB). */
    static final int MAX_STRING_CHARS = 64 * 1024;
    /** Longest number, in characters; Jackson's own default. */
    static final int MAX_NUMBER_CHARS = 1000;

    /** Stands for an open array in the stack of open objects' names. */
    private static final Set<String> NO_NAMES = Set.of();

    private final JsonFactory factory = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_DEPTH)
                    .maxStringLength(MAX_STRING_CHARS)
                    .maxNameLength(MAX_STRING_CHARS)
                    .maxNumberLength(MAX_NUMBER_CHARS)
                    .build())
            .build();

    @Override
    public void handle(RoutingContext ctx) {
        Buffer body = ctx.body() == null ? null : ctx.body().buffer();
        if (body == null || body.length() == 0 || !isJson(ctx.request().getHeader("content-type"))) {
            ctx.next();
            return;
        }
        FieldError violation = check(body.getBytes());
        if (violation == null) {
            ctx.next();
        } else {
            String detail = (violation.path().isEmpty() ? "" : violation.path() + ": ") + violation.message();
            ctx.fail(new ApiException(400, "invalid_request", detail, List.of(violation)));
        }
    }

    /** The first limit the document breaks, or null; malformed JSON is not this check's business. */
    FieldError check(byte[] json) {
        long malformed = StrictUtf8.firstMalformed(json);
        if (malformed >= 0) {
            // before Jackson, which reads an overlong C0 AF as '/' instead of refusing it
            return new FieldError("", "the request body is not well-formed UTF-8 (byte " + malformed
                    + "): JSON must be UTF-8 without overlong forms, encoded surrogates or truncated sequences"
                    + " (RFC 8259 8.1)");
        }
        JsonParser parser = null;
        try {
            parser = factory.createParser(json);
            // the names seen in each open object; null for an open array
            Deque<Set<String>> names = new ArrayDeque<>();
            for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
                if (token == JsonToken.START_OBJECT) {
                    names.push(new HashSet<>());
                } else if (token == JsonToken.START_ARRAY) {
                    names.push(NO_NAMES);
                } else if (token == JsonToken.END_OBJECT || token == JsonToken.END_ARRAY) {
                    names.pop();
                }
                if (token == JsonToken.VALUE_STRING || token == JsonToken.FIELD_NAME) {
                    // strings are decoded lazily; reading the text enforces the length limit
                    String text = parser.getText();
                    if (text.length() > MAX_STRING_CHARS) {
                        return new FieldError(pointer(parser), "string longer than " + MAX_STRING_CHARS + " characters");
                    }
                    if (hasLoneSurrogate(text)) {
                        return new FieldError(pointer(parser), (token == JsonToken.FIELD_NAME ? "field name" : "string")
                                + " with an unpaired UTF-16 surrogate, which has no UTF-8 form (RFC 7493 2.1)");
                    }
                    if (token == JsonToken.FIELD_NAME && !names.peek().add(text)) {
                        // readers disagree on which of the two wins; the validator and the handler could differ
                        return new FieldError(pointer(parser), "duplicate key '" + shortened(text)
                                + "': a name may appear once in an object (RFC 7493 2.3)");
                    }
                }
                if (token.isNumeric() && !Double.isFinite(parser.getDoubleValue())) {
                    // RFC 8785 (and so every hash the PDP stores) knows only IEEE doubles
                    return new FieldError(pointer(parser), "number out of the range of a double (RFC 8785)");
                }
                if (token == JsonToken.VALUE_NUMBER_INT && !IJson.isSafeInteger(parser)) {
                    return new FieldError(pointer(parser), IJson.UNSAFE_INTEGER);
                }
            }
            return null;
        } catch (StreamConstraintsException e) {
            return violation(e, parser);
        } catch (IOException | RuntimeException e) {
            return null; // not JSON: the OpenAPI validator answers it
        } finally {
            closeQuietly(parser);
        }
    }

    private static String shortened(String name) {
        return name.length() <= 64 ? name : name.substring(0, 64) + "...";
    }

    private static boolean hasLoneSurrogate(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return true;
            }
        }
        return false;
    }

    private static void closeQuietly(JsonParser parser) {
        if (parser != null) {
            try {
                parser.close();
            } catch (IOException ignored) {
                // a parser over a byte array holds nothing to release
            }
        }
    }

    private static FieldError violation(StreamConstraintsException e, JsonParser parser) {
        String path = parser == null ? "" : pointer(parser);
        String message = e.getMessage() == null ? "" : e.getMessage();
        if (message.contains("nesting depth")) {
            return new FieldError(path, "JSON nested deeper than " + MAX_DEPTH + " levels");
        }
        if (message.contains("Number value length")) {
            return new FieldError(path, "number longer than " + MAX_NUMBER_CHARS + " characters");
        }
        if (message.contains("Name length")) {
            return new FieldError(path, "field name longer than " + MAX_STRING_CHARS + " characters");
        }
        return new FieldError(path, "string longer than " + MAX_STRING_CHARS + " characters");
    }

    /** A JSON pointer to where the parser stands, shortened when it is very long. */
    private static String pointer(JsonParser parser) {
        String path = parser.getParsingContext().pathAsPointer().toString();
        return path.length() > 512 ? path.substring(0, 512) + "..." : path;
    }

    private static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        String type = contentType.toLowerCase(java.util.Locale.ROOT);
        int semicolon = type.indexOf(';');
        type = (semicolon < 0 ? type : type.substring(0, semicolon)).trim();
        return type.equals("application/json") || type.endsWith("+json");
    }
}
