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
 * Finds, in the Flight Recorder itself, the decisions that reserved a trace artifact and have
 * neither a `layerwise_trace_attached` nor a `layerwise_trace_missing` record yet. Because the
 * answer comes from the records, the trace deadline survives a restart with no state of its own.
 */
public final class TraceDeadlineScan {
    private static final String SQL = """
            SELECT e.seq, e.record_count, e.body FROM evidence e
            WHERE e.trace_reserved AND e.seq > ? AND e.ts >= ? AND e.ts < ?
              AND NOT EXISTS (SELECT 1 FROM evidence t WHERE t.decision_id = e.decision_id
                              AND t.type IN ('layerwise_trace_attached', 'layerwise_trace_missing'))
            ORDER BY e.seq LIMIT ?""";

    /**
     * Where the time range starts in commit order, through the index on ts: the scan then walks the
     * primary key from there, so a check costs the records of its window, not of the whole store.
     */
    private static final String FIRST_SEQ_SINCE = "SELECT MIN(seq) FROM evidence WHERE ts >= ?";

    /** A decision record and where it is in the store, to page on from. */
    public record Unresolved(long seq, ObjectNode decision) {
    }

    private final Database db;

    public TraceDeadlineScan(Database db) {
        this.db = db;
    }

    private static long firstSeqSince(Connection c, Instant since) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(FIRST_SEQ_SINCE)) {
            ps.setObject(1, since.atOffset(ZoneOffset.UTC));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                long first = rs.getLong(1);
                return rs.wasNull() ? Long.MAX_VALUE : first;
            }
        }
    }

    /** Oldest first: decisions recorded in [since, until) after {@code afterSeq}, at most {@code limit}. */
    public List<Unresolved> unresolved(Instant since, Instant until, long afterSeq, int limit) {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(SQL)) {
            ps.setLong(1, Math.max(afterSeq, firstSeqSince(c, since) - 1));
            ps.setObject(2, since.atOffset(ZoneOffset.UTC));
            ps.setObject(3, until.atOffset(ZoneOffset.UTC));
            ps.setInt(4, limit);
            List<Unresolved> found = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    found.add(new Unresolved(rs.getLong(1), UnitCodec.firstRecord(rs.getInt(2), rs.getBytes(3))));
                }
            }
            return found;
        } catch (SQLException e) {
            throw new RecorderUnavailableException("trace deadline scan failed: " + e.getMessage(), e);
        }
    }
}
