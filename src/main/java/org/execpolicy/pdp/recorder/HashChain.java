package org.execpolicy.pdp.recorder;

import org.execpolicy.pdp.model.Sha256;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * One writer node's hash chain. Each record gets the next gap-free
 * `chain_seq`, the previous record's hash as `prev_hash`, and
 * `record_hash` = SHA-256(prev_hash || canonical JSON of the record without
 * record_hash), as hex. The writer links a batch, and advances the chain only
 * once the batch has committed.
 */
final class HashChain {
    static final String GENESIS = "0".repeat(64);

    /** A record placed in the chain: its position, its links and its stored text. */
    record Link(long seq, String prevHash, String recordHash, String body) {
    }

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

    /** A cursor that links records after the head without moving it. */
    Cursor cursor() {
        return new Cursor(headSeq, headHash);
    }

    /** Moves the head to the cursor's position: call after the commit succeeded. */
    void advanceTo(Cursor cursor) {
        headSeq = cursor.seq;
        headHash = cursor.hash;
    }

    final class Cursor {
        private long seq;
        private String hash;

        private Cursor(long seq, String hash) {
            this.seq = seq;
            this.hash = hash;
        }

        Link link(CanonicalRecord record) {
            long next = seq + 1;
            CanonicalRecord chained = record.copy().put("node_id", nodeId).put("chain_seq", next).put("prev_hash", hash);
            String recordHash = hashOf(hash, chained.json());
            seq = next;
            String prev = hash;
            hash = recordHash;
            return new Link(next, prev, recordHash, chained.put("record_hash", recordHash).json());
        }
    }

    /** SHA-256 over the previous hash (hex text) followed by the canonical record, as lower-case hex. */
    static String hashOf(String prevHash, String canonicalRecordWithoutHash) {
        MessageDigest sha = Sha256.newDigest();
        sha.update(prevHash.getBytes(StandardCharsets.US_ASCII));
        sha.update(canonicalRecordWithoutHash.getBytes(StandardCharsets.UTF_8));
        return Sha256.hex(sha);
    }
}
