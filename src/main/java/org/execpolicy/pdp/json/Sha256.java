package org.execpolicy.pdp.json;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256, the one hash of the product (policies, records, rulesets, traces, tokens), as lower-case hex. */
public final class Sha256 {
    /**
     * One digest per thread for whole inputs: a record's content hash and its chain link are each a
     * SHA-256, and MessageDigest.getInstance looks the provider up every time (1.8% of the decision
     * threads' CPU). digest() leaves it reset for the next input.
     */
    private static final ThreadLocal<MessageDigest> DIGEST = ThreadLocal.withInitial(Sha256::newDigest);

    private Sha256() {
    }

    /** A fresh digest to feed in pieces (streams, several files). */
    public static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is mandatory in every JRE", e);
        }
    }

    public static String hex(byte[] bytes) {
        return hexOf(digest(bytes));
    }

    /** SHA-256 of {@code first} then {@code second}, as if one input. */
    public static String hex(byte[] first, byte[] second) {
        MessageDigest digest = DIGEST.get();
        digest.update(first);
        return hexOf(digest.digest(second));
    }

    /** The 32 bytes of SHA-256 of {@code bytes}. */
    public static byte[] digest(byte[] bytes) {
        return DIGEST.get().digest(bytes);
    }

    /** SHA-256 of the text's UTF-8 bytes. */
    public static String hex(String text) {
        return hex(text.getBytes(StandardCharsets.UTF_8));
    }

    /** A finished digest as lower-case hex. */
    public static String hex(MessageDigest digest) {
        return hexOf(digest.digest());
    }

    private static String hexOf(byte[] digest) {
        return HexFormat.of().formatHex(digest);
    }
}
