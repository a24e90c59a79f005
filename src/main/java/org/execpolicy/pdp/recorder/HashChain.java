package org.execpolicy.pdp.recorder;

import java.nio.charset.StandardCharsets;
import org.execpolicy.pdp.json.Sha256;

/**
 * One writer node's hash chain (SPEC section 4, v2 formula): each record gets the next gap-free
 * {@code chain_seq}, the previous record's hash as {@code prev_hash}, and {@code record_hash} =
 * SHA-256 of the ASCII text {@code prev_hash || content_hash}. Content hashes are computed where the
 * records are built; linking is one small SHA-256 per record. The writer links a batch and advances
 * the chain only once the batch has committed.
 */
final class HashChain {
    static final String GENESIS = "0".repeat(64);

    private final String nodeId;
    private long headSeq;
    private String headHash;

    HashChain(String nodeId, long headSeq, String headHash) {
        this.nodeId = nodeId;
        this.headSeq = headSeq;
        this.headHash = headHash == null ? GENESIS : headHash;
    }

    String nodeId() {
        return nodeId;
    }

    long headSeq() {
        return headSeq;
    }

    String headHash() {
        return headHash;
    }

    /** A cursor that links records after the head without moving it. */
    Cursor cursor() {
        return new Cursor(headSeq, headHash);
    }

    /** Moves the head to the cursor's position: call after the commit succeeded. */
    void advanceTo(Cursor cursor) {
        headSeq = cursor.seq;
        headHash = cursor.hash;
    }

    /** Where the chain stands while a batch is linked: the last linked record's seq and hash. */
    static final class Cursor {
        private long seq;
        private String hash;

        Cursor(long seq, String hash) {
            this.seq = seq;
            this.hash = hash;
        }

        long seq() {
            return seq;
        }

        String hash() {
            return hash;
        }

        /** Links the next record by its content hash; returns its record_hash. */
        String link(String contentHash) {
            seq++;
            hash = recordHash(hash, contentHash);
            return hash;
        }
    }

    /** SHA-256 of {@code prev_hash || content_hash}, both hex text, as lower-case hex. */
    static String recordHash(String prevHash, String contentHash) {
        return Sha256.hex(prevHash.getBytes(StandardCharsets.US_ASCII),
                contentHash.getBytes(StandardCharsets.US_ASCII));
    }
}
