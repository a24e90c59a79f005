package org.execpolicy.pdp.recorder;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.OffsetDateTime;

/** One row of {@code evidence} as the writer inserts it: a unit ({@link EvidenceUnit}) linked into its node's hash chain. */
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
}
