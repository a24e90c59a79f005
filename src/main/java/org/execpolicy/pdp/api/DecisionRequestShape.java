package org.execpolicy.pdp.api;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * A hand-written recogniser for the plain, common shape of components/schemas/DecisionRequest in
 * openapi.yaml. The OpenAPI schema validator cost 18% of the request threads' CPU under load; most
 * decision requests are simple, so this answers only "certainly valid" (true) or "not sure" (false),
 * and on "not sure" the full validator runs exactly as before, so every refusal keeps its words.
 *
 * <p>It must never say true for a body the validator refuses, so it knows only a subset: strict JSON
 * starting with '{' (UTF-8 for certain), the members below each at most once, strings checked by
 * their UTF-16 length, which is never less than the code points the schema validator counts, and
 * nothing after the closing brace. Anything else (settings, numbers, unknown members, duplicates,
 * other content types) is "not sure". {@code DecisionRequestShapeTest} holds it to the validator.
 * When DecisionRequest changes in openapi.yaml, this class must change with it.
 */
final class DecisionRequestShape {
    /** components/schemas/Id and NullableId: maxLength 256 (Id also minLength 1). */
    static final int ID_MAX_LENGTH = 256;
    /** runtime.supported_modes: maxItems 32, items minLength 1, maxLength 64. */
    static final int MODES_MAX_ITEMS = 32;
    static final int MODE_MAX_LENGTH = 64;

    /** The only content type recognised: what the validator maps to the DecisionRequest schema. */
    static final String CONTENT_TYPE = "application/json";

    /** Strict JSON: Jackson's defaults allow no comments, quotes or trailing commas beyond RFC 8259. */
    private static final JsonFactory JSON = JsonFactory.builder().build();

    /** A member of DecisionRequest and what its schema allows. */
    private enum Member {
        TRACE_ID("trace_id", Kind.ID, true),
        ROLE("role", Kind.ID, true),
        TASK_TYPE("task_type", Kind.ENUM, true, "chat", "completion", "tool_call", "system_utility"),
        MODEL_ID("model_id", Kind.ID, true),
        BACKEND("backend", Kind.ENUM, false, "local", "cloud", "none"),
        PARAMETER_CLASS("parameter_class", Kind.ENUM, false, "P7B", "P13B", "P32B", "P72B", "P110B", "PUnknown", "NA"),
        WP_ID("wp_id", Kind.NULLABLE_ID, false),
        MT_ID("mt_id", Kind.NULLABLE_ID, false),
        JOB_ID("job_id", Kind.NULLABLE_ID, false),
        SESSION_ID("session_id", Kind.NULLABLE_ID, false),
        MODEL_INSTANCE_ID("model_instance_id", Kind.NULLABLE_ID, false),
        MODEL_SESSION_ID("model_session_id", Kind.NULLABLE_ID, false),
        PROFILE_ID("profile_id", Kind.NULLABLE_ID, false),
        RUNTIME_MODE("runtime_mode", Kind.ENUM, false, "AI_ENABLED", "DOCS_ONLY"),
        RUNTIME("runtime", Kind.RUNTIME, false);
        // settings is left out on purpose: its exec_policy hint is a large schema, left to the validator

        final String name;
        final Kind kind;
        final boolean required;
        final Set<String> values;

        Member(String name, Kind kind, boolean required, String... values) {
            this.name = name;
            this.kind = kind;
            this.required = required;
            this.values = Set.of(values);
        }

        long bit() {
            return 1L << ordinal();
        }
    }

    private enum Kind { ID, NULLABLE_ID, ENUM, RUNTIME }

    private static final Map<String, Member> MEMBERS = new HashMap<>();
    private static final long REQUIRED;

    static {
        long required = 0;
        for (Member member : Member.values()) {
            MEMBERS.put(member.name, member);
            required |= member.required ? member.bit() : 0;
        }
        REQUIRED = required;
    }

    private DecisionRequestShape() {
    }

    /** True only when the OpenAPI validator would certainly accept this body with this content type. */
    static boolean certainlyValid(String contentType, byte[] body) {
        return CONTENT_TYPE.equals(contentType) && certainlyValid(body);
    }

    /** True only when the body is certainly a valid DecisionRequest; false means "not sure". */
    static boolean certainlyValid(byte[] body) {
        // '{' then a non-zero byte: no byte-order mark and no UTF-16/32 guess by any JSON reader
        if (body == null || body.length < 2 || body[0] != '{' || body[1] == 0) {
            return false;
        }
        try (JsonParser parser = JSON.createParser(body)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return false;
            }
            long seen = 0;
            for (JsonToken token = parser.nextToken(); token != JsonToken.END_OBJECT; token = parser.nextToken()) {
                if (token != JsonToken.FIELD_NAME) {
                    return false;
                }
                Member member = MEMBERS.get(parser.currentName());
                if (member == null || (seen & member.bit()) != 0) {
                    return false; // unknown (additionalProperties: false, or settings) or a duplicate
                }
                seen |= member.bit();
                if (!accepts(member, parser, parser.nextToken())) {
                    return false;
                }
            }
            return parser.nextToken() == null && (seen & REQUIRED) == REQUIRED;
        } catch (IOException | RuntimeException e) {
            return false; // not JSON, or not JSON this recogniser reads: the validator answers it
        }
    }

    private static boolean accepts(Member member, JsonParser parser, JsonToken value) throws IOException {
        return switch (member.kind) {
            case ID -> value == JsonToken.VALUE_STRING && lengthWithin(parser, 1, ID_MAX_LENGTH);
            case NULLABLE_ID -> value == JsonToken.VALUE_NULL
                    || value == JsonToken.VALUE_STRING && lengthWithin(parser, 0, ID_MAX_LENGTH);
            case ENUM -> value == JsonToken.VALUE_STRING && member.values.contains(parser.getText());
            case RUNTIME -> value == JsonToken.START_OBJECT && runtime(parser);
        };
    }

    /** runtime: an object with at most supported_modes, an array of at most 32 strings of 1 to 64. */
    private static boolean runtime(JsonParser parser) throws IOException {
        boolean modes = false;
        for (JsonToken token = parser.nextToken(); token != JsonToken.END_OBJECT; token = parser.nextToken()) {
            if (token != JsonToken.FIELD_NAME || modes || !"supported_modes".equals(parser.currentName())
                    || parser.nextToken() != JsonToken.START_ARRAY) {
                return false;
            }
            modes = true;
            int items = 0;
            for (JsonToken item = parser.nextToken(); item != JsonToken.END_ARRAY; item = parser.nextToken()) {
                if (item != JsonToken.VALUE_STRING || ++items > MODES_MAX_ITEMS
                        || !lengthWithin(parser, 1, MODE_MAX_LENGTH)) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * The schema validator counts code points (a surrogate pair is one); a UTF-16 length within the
     * bounds puts the code points within them too, since min 1 needs only one char.
     */
    private static boolean lengthWithin(JsonParser parser, int min, int max) throws IOException {
        int length = parser.getTextLength();
        return length >= min && length <= max;
    }
}
