package org.execpolicy.pdp.recorder;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * One page of records, newest first. {@code nextCursor} is null on the last
 * page; otherwise pass {@link #decodeCursor} of it as the next query's cursor.
 * The cursor is opaque to clients (it encodes the last seq returned).
 */
public record EventPage(List<ObjectNode> items, String nextCursor) {

    private static final String PREFIX = "seq:";

    public EventPage {
        items = List.copyOf(items);
    }

    static String encodeCursor(long lastSeq) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((PREFIX + lastSeq).getBytes(StandardCharsets.UTF_8));
    }

    /** @return null for null; @throws IllegalArgumentException for a cursor this server did not make */
    public static Long decodeCursor(String cursor) {
        if (cursor == null) {
            return null;
        }
        try {
            String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            if (!text.startsWith(PREFIX)) {
                throw new IllegalArgumentException("invalid cursor");
            }
            return Long.parseLong(text.substring(PREFIX.length()));
        } catch (IllegalArgumentException e) { // also NumberFormatException
            throw new IllegalArgumentException("invalid cursor: " + cursor, e);
        }
    }
}
