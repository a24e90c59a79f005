package org.execpolicy.pdp.json;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** The one ObjectMapper of the product and small readers for optional JSON fields. */
public final class Json {
    public static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);

    private Json() {
    }

    public static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    public static ArrayNode array(Iterable<String> values) {
        ArrayNode array = MAPPER.createArrayNode();
        values.forEach(array::add);
        return array;
    }

    public static ObjectNode parseObject(String text) {
        try {
            return (ObjectNode) MAPPER.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException("not a JSON object: " + e.getMessage(), e);
        }
    }

    /** The field as text; null when the field, or the node itself, is absent or null. */
    public static String textOrNull(JsonNode json, String field) {
        JsonNode value = json == null ? null : json.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    public static Instant instantOrNull(JsonNode json, String field) {
        String text = textOrNull(json, field);
        return text == null ? null : OffsetDateTime.parse(text).toInstant();
    }

    /**
     * A list of strings, or null when the field is absent or null (absent lists mean "any"). Unmodifiable:
     * facts keep these lists, and some facts are shared between decisions or keep their text.
     */
    public static List<String> stringsOrNull(JsonNode json, String field) {
        JsonNode value = json.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        List<String> out = new ArrayList<>();
        value.forEach(v -> out.add(v.asText()));
        return Collections.unmodifiableList(out);
    }
}
