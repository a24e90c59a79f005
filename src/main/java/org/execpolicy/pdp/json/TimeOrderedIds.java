package org.execpolicy.pdp.json;

import java.security.SecureRandom;
import java.util.UUID;

/**
 * UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then random bits. Ids made
 * later sort later, so the recorder's id indexes grow at their right edge
 * instead of touching a random page per record.
 */
public final class TimeOrderedIds {
    private static final SecureRandom RANDOM = new SecureRandom();

    private TimeOrderedIds() {
    }

    /** Records one id can name: its own (index 0) and {@link #member} 1..4095. */
    public static final int GROUP_SIZE = 4096;

    /**
     * An id whose last 12 bits are zero, for a group of records stored together (a decision and its
     * rule firings): {@link #member} derives the others, and {@link #groupOf} finds the group again
     * from any of them, so the store keeps one id per group and still finds every record by its own.
     */
    public static String nextGroup() {
        UUID id = UUID.fromString(next());
        return new UUID(id.getMostSignificantBits(), id.getLeastSignificantBits() & ~0xFFFL).toString();
    }

    /** The id of record {@code index} (1..4095) of the group {@code groupId}. */
    public static String member(String groupId, int index) {
        if (index < 1 || index >= GROUP_SIZE) {
            throw new IllegalArgumentException("a group holds records 1.." + (GROUP_SIZE - 1) + ", not " + index);
        }
        UUID group = UUID.fromString(groupId);
        return new UUID(group.getMostSignificantBits(), group.getLeastSignificantBits() | index).toString();
    }

    /** The group id that {@code id} would be a member of (the id itself when it is a group's own). */
    public static String groupOf(String id) {
        UUID uuid = UUID.fromString(id);
        return new UUID(uuid.getMostSignificantBits(), uuid.getLeastSignificantBits() & ~0xFFFL).toString();
    }

    public static String next() {
        long millis = System.currentTimeMillis();
        long high = (millis << 16) | 0x7000L | (RANDOM.nextInt() & 0x0FFFL);
        long low = (RANDOM.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(high, low).toString();
    }
}
