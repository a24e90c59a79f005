package org.execpolicy.pdp.json;

import java.nio.ByteBuffer;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.UUID;

/**
 * UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then random bits. Ids made
 * later sort later, so the recorder's id indexes grow at their right edge
 * instead of touching a random page per record.
 */
public final class TimeOrderedIds {
    /**
     * Random bits per thread, drawn from a DRBG of the thread's own a few KB at a time. The default
     * SecureRandom (NativePRNG) serves every thread from one synchronized source that mixes in reads of
     * /dev/urandom (2.7% of the decision threads' CPU); a DRBG asked for each number alone hashes its
     * state for every call (8%); in bulk, a few SHA-256 blocks per id.
     */
    private static final ThreadLocal<RandomBits> RANDOM = ThreadLocal.withInitial(RandomBits::new);
    private static final String HEX = "0123456789abcdef";

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
        return next(~0xFFFL);
    }

    /** The id of record {@code index} (1..4095) of the group {@code groupId}. */
    public static String member(String groupId, int index) {
        if (index < 1 || index >= GROUP_SIZE) {
            throw new IllegalArgumentException("a group holds records 1.." + (GROUP_SIZE - 1) + ", not " + index);
        }
        if (isCanonicalGroup(groupId)) {
            // the text of the UUID below without parsing and printing it (once per record of a decision)
            return groupId.substring(0, 33) + HEX.charAt(index >> 8) + HEX.charAt((index >> 4) & 0xF)
                    + HEX.charAt(index & 0xF);
        }
        UUID group = UUID.fromString(groupId);
        return new UUID(group.getMostSignificantBits(), group.getLeastSignificantBits() | index).toString();
    }

    /** True for UUID.toString()'s form of an id whose last 12 bits are zero: as {@link #nextGroup} makes them. */
    private static boolean isCanonicalGroup(String id) {
        if (id.length() != 36 || !id.endsWith("000")) {
            return false;
        }
        for (int i = 0; i < 36; i++) {
            char c = id.charAt(i);
            boolean dash = i == 8 || i == 13 || i == 18 || i == 23;
            if (dash ? c != '-' : (c < '0' || c > '9') && (c < 'a' || c > 'f')) {
                return false;
            }
        }
        return true;
    }

    /** The group id that {@code id} would be a member of (the id itself when it is a group's own). */
    public static String groupOf(String id) {
        UUID uuid = UUID.fromString(id);
        return new UUID(uuid.getMostSignificantBits(), uuid.getLeastSignificantBits() & ~0xFFFL).toString();
    }

    public static String next() {
        return next(-1L);
    }

    private static String next(long lowMask) {
        RandomBits random = RANDOM.get();
        long millis = System.currentTimeMillis();
        long high = (millis << 16) | 0x7000L | (random.nextLong() & 0x0FFFL);
        long low = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(high, low & lowMask).toString();
    }

    /** One thread's random longs, drawn in bulk. */
    private static final class RandomBits {
        private final SecureRandom source = generator();
        private final ByteBuffer bits = ByteBuffer.allocate(4096).position(4096);

        long nextLong() {
            if (!bits.hasRemaining()) {
                source.nextBytes(bits.array());
                bits.clear();
            }
            return bits.getLong();
        }

        private static SecureRandom generator() {
            try {
                return SecureRandom.getInstance("DRBG");
            } catch (NoSuchAlgorithmException e) {
                return new SecureRandom(); // a JRE without DRBG: the shared default
            }
        }
    }
}
