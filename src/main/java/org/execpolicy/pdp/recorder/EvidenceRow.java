package org.execpolicy.pdp.recorder;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * One row of {@code evidence} as the writer inserts it: a unit ({@link EvidenceUnit}) linked into its
 * node's hash chain. The writer binds it to {@link #INSERT}; the H2 store's journal
 * ({@link EvidenceJournal}) writes it out and reads it back in the same form.
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

    void writeTo(DataOutput out) throws IOException {
        out.writeUTF(nodeId);
        out.writeLong(chainSeq);
        out.writeInt(recordCount);
        out.writeUTF(prevHash);
        out.writeUTF(headHash);
        out.writeUTF(eventId);
        out.writeUTF(type);
        // the instant and the offset: ts is read back as it was bound
        out.writeLong(ts.toInstant().getEpochSecond());
        out.writeInt(ts.getNano());
        out.writeInt(ts.getOffset().getTotalSeconds());
        writeNullable(out, traceId);
        writeNullable(out, decisionId);
        out.writeBoolean(traceReserved);
        out.writeInt(body.length);
        out.write(body);
    }

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

    private static void writeNullable(DataOutput out, String text) throws IOException {
        out.writeBoolean(text != null);
        if (text != null) {
            out.writeUTF(text);
        }
    }

    private static String readNullable(DataInput in) throws IOException {
        return in.readBoolean() ? in.readUTF() : null;
    }
}
