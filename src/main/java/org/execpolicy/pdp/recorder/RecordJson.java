package org.execpolicy.pdp.recorder;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.execpolicy.pdp.json.Json;

/** JSON text of stored bodies, through the product's one mapper. */
final class RecordJson {
    private static final ObjectMapper MAPPER = Json.MAPPER;

    private RecordJson() {
    }

    static String write(ObjectNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("record is not serialisable", e);
        }
    }

    static ObjectNode read(String text) {
        try {
            return (ObjectNode) MAPPER.readTree(text);
        } catch (JsonProcessingException | ClassCastException e) {
            throw new IllegalStateException("stored body is not a JSON object", e);
        }
    }
}
