package org.execpolicy.pdp.recorder;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.UUID;

/**
 * One row of {@code evidence} as the writer inserts it: a unit ({@link EvidenceUnit}) linked into its
 * node's hash chain. The writer binds it to {@link #INSERT}; the H2 store's journal
 * ({@link EvidenceJournal}) writes it out in a compact form ({@link #writeTo}) and reads it back whole.
 */
record EvidenceRow(String nodeId, long chainSeq, int recordCount, String prevHash, String headHash,
                   String eventId, String type, OffsetDateTime ts, String traceId, String decisionId,
                   boolean traceReserved, byte[] body) {

    static final String INSERT = "INSERT INTO evidence (node_id, chain_seq, record_count, prev_hash,"
            + " head_hash, event_id, type, ts, trace_id, decision_id, trace_reserved, body)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

    static EvidenceRow linked(String nodeId, long chainSeq, String prevHash, String headHash, EvidenceUnit unit) {
        return new EvidenceRow(nodeId, chainSeq, unit.recordCount(), prevHash, headHash, unit.eventId(),
                unit.type(), unit.ts(), unit.traceId(), unit.decisionId(), unit.traceReserved(), unit.body());
    }

    /** Binds this row to {@link #INSERT} and adds it to the statement's batch. */
    void addTo(PreparedStatement insert) throws SQLException {
        insert.setString(1, nodeId);
        insert.setLong(2, chainSeq);
        insert.setInt(3, recordCount);
        insert.setString(4, prevHash);
        insert.setString(5, headHash);
        insert.setString(6, eventId);
        insert.setString(7, type);
        insert.setObject(8, ts);
        insert.setString(9, traceId);
        insert.setString(10, decisionId);
        insert.setBoolean(11, traceReserved);
        insert.setBytes(12, body);
        insert.addBatch();
    }

    // The journal's compact row (entries of format 2, EvidenceJournal): a flag byte says what is left
    // out because the entry's row before gives it, and what is written as bytes instead of text. Text
    // hashes and ids were 40% of a decision's row (about 670 bytes with its 360-byte body).
    private static final int SAME_NODE = 1;       // node_id: the row before's
    private static final int CHAINED = 2;         // chain_seq and prev_hash follow from the row before
    private static final int BINARY_HASHES = 4;   // hashes as 32 bytes, not 64 hex digits
    private static final int UUID_EVENT_ID = 8;   // event_id as 16 bytes
    private static final int HAS_DECISION = 16;
    private static final int UUID_DECISION_ID = 32;
    private static final int HAS_TRACE = 64;
    private static final int TRACE_RESERVED = 128;
    private static final HexFormat HEX = HexFormat.of();

    /** Writes this row in the compact form; {@code previous} is the entry's row before it, or null. */
    void writeTo(DataOutput out, EvidenceRow previous) throws IOException {
        boolean sameNode = previous != null && previous.nodeId.equals(nodeId);
        boolean chained = sameNode && previous.chainSeq + previous.recordCount == chainSeq
                && previous.headHash.equals(prevHash);
        boolean binaryHashes = isSha256Hex(prevHash) && isSha256Hex(headHash);
        UUID eventUuid = uuidOf(eventId);
        UUID decisionUuid = decisionId == null ? null : uuidOf(decisionId);
        boolean uuidEventId = eventUuid != null;
        boolean uuidDecisionId = decisionUuid != null;
        out.writeByte((sameNode ? SAME_NODE : 0) | (chained ? CHAINED : 0) | (binaryHashes ? BINARY_HASHES : 0)
                | (uuidEventId ? UUID_EVENT_ID : 0) | (decisionId != null ? HAS_DECISION : 0)
                | (uuidDecisionId ? UUID_DECISION_ID : 0) | (traceId != null ? HAS_TRACE : 0)
                | (traceReserved ? TRACE_RESERVED : 0));
        if (!sameNode) {
            out.writeUTF(nodeId);
        }
        if (!chained) {
            out.writeLong(chainSeq);
            writeHash(out, prevHash, binaryHashes);
        }
        out.writeInt(recordCount);
        writeHash(out, headHash, binaryHashes);
        writeId(out, eventId, eventUuid);
        out.writeUTF(type);
        // the instant and the offset: ts is read back as it was bound
        out.writeLong(ts.toInstant().getEpochSecond());
        out.writeInt(ts.getNano());
        out.writeInt(ts.getOffset().getTotalSeconds());
        if (traceId != null) {
            out.writeUTF(traceId);
        }
        if (decisionId != null) {
            writeId(out, decisionId, decisionUuid);
        }
        out.writeInt(body.length);
        out.write(body);
    }

    /** Reads a row written by {@link #writeTo}; {@code previous} is the entry's row before it, or null. */
    static EvidenceRow readFrom(DataInput in, EvidenceRow previous) throws IOException {
        int flags = in.readUnsignedByte();
        if ((flags & (SAME_NODE | CHAINED)) != 0 && previous == null) {
            throw new IOException("a journal row refers to a row before it, and is the first of its entry");
        }
        String nodeId = (flags & SAME_NODE) != 0 ? previous.nodeId : in.readUTF();
        boolean binaryHashes = (flags & BINARY_HASHES) != 0;
        long chainSeq;
        String prevHash;
        if ((flags & CHAINED) != 0) {
            chainSeq = previous.chainSeq + previous.recordCount;
            prevHash = previous.headHash;
        } else {
            chainSeq = in.readLong();
            prevHash = readHash(in, binaryHashes);
        }
        int recordCount = in.readInt();
        String headHash = readHash(in, binaryHashes);
        String eventId = readId(in, (flags & UUID_EVENT_ID) != 0);
        String type = in.readUTF();
        Instant instant = Instant.ofEpochSecond(in.readLong(), in.readInt());
        OffsetDateTime ts = instant.atOffset(ZoneOffset.ofTotalSeconds(in.readInt()));
        String traceId = (flags & HAS_TRACE) != 0 ? in.readUTF() : null;
        String decisionId = (flags & HAS_DECISION) != 0 ? readId(in, (flags & UUID_DECISION_ID) != 0) : null;
        byte[] body = new byte[in.readInt()];
        in.readFully(body);
        return new EvidenceRow(nodeId, chainSeq, recordCount, prevHash, headHash, eventId, type, ts, traceId,
                decisionId, (flags & TRACE_RESERVED) != 0, body);
    }

    /** Reads a row of the journal's first form (entries before format 2): every member, as text. */
    static EvidenceRow readFrom(DataInput in) throws IOException {
        String nodeId = in.readUTF();
        long chainSeq = in.readLong();
        int recordCount = in.readInt();
        String prevHash = in.readUTF();
        String headHash = in.readUTF();
        String eventId = in.readUTF();
        String type = in.readUTF();
        Instant instant = Instant.ofEpochSecond(in.readLong(), in.readInt());
        OffsetDateTime ts = instant.atOffset(ZoneOffset.ofTotalSeconds(in.readInt()));
        String traceId = readNullable(in);
        String decisionId = readNullable(in);
        boolean traceReserved = in.readBoolean();
        byte[] body = new byte[in.readInt()];
        in.readFully(body);
        return new EvidenceRow(nodeId, chainSeq, recordCount, prevHash, headHash, eventId, type, ts, traceId,
                decisionId, traceReserved, body);
    }

    /** True for exactly what Sha256.hex gives: 64 lower-case hex digits, which 32 bytes give back. */
    private static boolean isSha256Hex(String text) {
        if (text.length() != 64) {
            return false;
        }
        for (int i = 0; i < 64; i++) {
            char c = text.charAt(i);
            if ((c < '0' || c > '9') && (c < 'a' || c > 'f')) {
                return false;
            }
        }
        return true;
    }

    /** The UUID whose 16 bytes give back exactly this text, else null (UUID.fromString also takes other spellings). */
    private static UUID uuidOf(String text) {
        if (text.length() != 36) {
            return null;
        }
        try {
            UUID uuid = UUID.fromString(text);
            return uuid.toString().equals(text) ? uuid : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static void writeHash(DataOutput out, String hash, boolean binary) throws IOException {
        if (binary) {
            out.write(HEX.parseHex(hash));
        } else {
            out.writeUTF(hash);
        }
    }

    private static String readHash(DataInput in, boolean binary) throws IOException {
        if (!binary) {
            return in.readUTF();
        }
        byte[] bytes = new byte[32];
        in.readFully(bytes);
        return HEX.formatHex(bytes);
    }

    /** {@code uuid}: the id's UUID when its 16 bytes give it back, else null and the id is written as text. */
    private static void writeId(DataOutput out, String id, UUID uuid) throws IOException {
        if (uuid != null) {
            out.writeLong(uuid.getMostSignificantBits());
            out.writeLong(uuid.getLeastSignificantBits());
        } else {
            out.writeUTF(id);
        }
    }

    private static String readId(DataInput in, boolean uuid) throws IOException {
        return uuid ? new UUID(in.readLong(), in.readLong()).toString() : in.readUTF();
    }

    private static String readNullable(DataInput in) throws IOException {
        return in.readBoolean() ? in.readUTF() : null;
    }
}
