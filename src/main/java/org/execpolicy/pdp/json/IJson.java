package org.execpolicy.pdp.json;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.math.BigInteger;
import java.util.Iterator;
import java.util.Map;

/**
 * Integers that every JSON reader holds exactly (I-JSON, RFC 7493 2.2). Records are hashed as
 * RFC 8785 JSON, which knows only IEEE doubles: a larger integer such as 2^63 would be stored
 * rounded (9223372036854776000), so that the evidence no longer says what was sent. Such input is
 * refused instead, for request bodies and trace lines alike.
 */
public final class IJson {
    /** 2^53 - 1, the largest integer a double holds together with all smaller ones. */
    public static final long MAX_SAFE_INTEGER = 9_007_199_254_740_991L;
    public static final String UNSAFE_INTEGER = "integer beyond +/-" + MAX_SAFE_INTEGER
            + " (2^53 - 1), which a double cannot hold exactly (I-JSON, RFC 7493 2.2); it is refused, not rounded";

    private static final BigInteger MAX = BigInteger.valueOf(MAX_SAFE_INTEGER);

    private IJson() {
    }

    /** Whether the integer the parser stands on (a VALUE_NUMBER_INT) is within +/-(2^53 - 1). */
    public static boolean isSafeInteger(JsonParser parser) throws IOException {
        return switch (parser.getNumberType()) {
            case INT -> true;
            case LONG -> parser.getLongValue() >= -MAX_SAFE_INTEGER && parser.getLongValue() <= MAX_SAFE_INTEGER;
            default -> parser.getBigIntegerValue().abs().compareTo(MAX) <= 0;
        };
    }

    /** A JSON pointer, relative to {@code node}, to its first unsafe integer; null when there is none. */
    public static String unsafeIntegerAt(JsonNode node) {
        if (node.isIntegralNumber()) {
            return node.bigIntegerValue().abs().compareTo(MAX) <= 0 ? null : "";
        }
        if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                String below = unsafeIntegerAt(node.get(i));
                if (below != null) {
                    return "/" + i + below;
                }
            }
        } else if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
                Map.Entry<String, JsonNode> field = fields.next();
                String below = unsafeIntegerAt(field.getValue());
                if (below != null) {
                    return "/" + field.getKey().replace("~", "~0").replace("/", "~1") + below;
                }
            }
        }
        return null;
    }
}
