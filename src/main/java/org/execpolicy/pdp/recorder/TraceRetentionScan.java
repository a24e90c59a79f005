package org.execpolicy.pdp.recorder;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds, in the Flight Recorder itself, the `layerwise_trace_attached` records older than the trace
 * retention that no `trace_purged` record follows yet (SPEC 4, v2): the traces whose files are due
 * for deletion. Like the deadline scan it keeps no state of its own, so it survives restarts.
 */
public final class TraceRetentionScan {
    private static final String SQL = """
            SELECT e.seq, e.record_count, e.body FROM evidence e
            WHERE e.type = 'layerwise_trace_attached' AND e.ts < ? AND e.seq > ?
              AND NOT EXISTS (SELECT 1 FROM evidence t WHERE t.decision_id = e.decision_id
                              AND t.type = 'trace_purged')
            ORDER BY e.seq LIMIT ?""";

    /** An attached record and where it is in the store, to page on from. */
    public record Due(long seq, ObjectNode attached) {
    }

    private final Database db;

    public TraceRetentionScan(Database db) {
        this.db = db;
    }

    /**
     * Whether an attachment recorded at or after {@code cutoff} names the same bytes: stored by content,
     * one file can serve two decisions. Identical bytes carry the same header trace_id, so only that
     * trace id's attachments are read.
     */
    public boolean attachedSince(String traceId, String sha256, Instant cutoff) {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(
                "SELECT record_count, body FROM evidence WHERE type = 'layerwise_trace_attached' AND trace_id = ?"
                        + " AND ts >= ?")) {
            ps.setString(1, traceId);
            ps.setObject(2, cutoff.atOffset(ZoneOffset.UTC));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (sha256.equals(UnitCodec.firstRecord(rs.getInt(1), rs.getBytes(2))
                            .path("trace_artifact_sha256").asText())) {
                        return true;
                    }
                }
            }
            return false;
        } catch (SQLException e) {
            throw new RecorderUnavailableException("trace retention scan failed: " + e.getMessage(), e);
        }
    }

    /** Oldest first: attachments recorded before {@code cutoff} after {@code afterSeq}, at most {@code limit}. */
    public List<Due> due(Instant cutoff, long afterSeq, int limit) {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(SQL)) {
            ps.setObject(1, cutoff.atOffset(ZoneOffset.UTC));
            ps.setLong(2, afterSeq);
            ps.setInt(3, limit);
            List<Due> found = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    found.add(new Due(rs.getLong(1), UnitCodec.firstRecord(rs.getInt(2), rs.getBytes(3))));
                }
            }
            return found;
        } catch (SQLException e) {
            throw new RecorderUnavailableException("trace retention scan failed: " + e.getMessage(), e);
        }
    }
}
