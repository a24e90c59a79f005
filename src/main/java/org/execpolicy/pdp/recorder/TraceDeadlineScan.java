package org.execpolicy.pdp.recorder;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
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
    static final String SQL = """
            SELECT e.seq, e.record_count, e.body FROM evidence e
            WHERE e.trace_reserved AND e.seq > ? AND e.seq < ? AND e.ts >= ? AND e.ts < ?
              AND NOT EXISTS (SELECT 1 FROM evidence t WHERE t.decision_id = e.decision_id
                              AND t.type IN ('layerwise_trace_attached', 'layerwise_trace_missing'))
            ORDER BY e.seq LIMIT ?""";

    /**
     * A record is stored within this long of its timestamp (ExecutionService's checks overlap by as
     * much for the same reason). So a record dated this long before a window is stored before
     * every record of the window, and one dated this long after it after every one: their seqs bound
     * the window in commit order, each found through the index on ts in one step. Without an end, a
     * window with no record in it (every check while the first deadline is not yet due) walked the
     * primary key to the store's end: the whole store once a minute, and finding where a window
     * starts as the smallest seq dated after it read every index entry since.
     */
    public static final Duration STORE_LAG = Duration.ofMinutes(1);
    static final String LAST_SEQ_BEFORE = "SELECT seq FROM evidence WHERE ts < ? ORDER BY ts DESC LIMIT 1";
    static final String FIRST_SEQ_FROM = "SELECT seq FROM evidence WHERE ts >= ? ORDER BY ts LIMIT 1";

    /** A decision record and where it is in the store, to page on from. */
    public record Unresolved(long seq, ObjectNode decision) {
    }

    private final Database db;

    public TraceDeadlineScan(Database db) {
        this.db = db;
    }

    private static long seqAt(Connection c, String sql, Instant at, long none) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, at.atOffset(ZoneOffset.UTC));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : none;
            }
        }
    }

    /**
     * A primary-key range (after, before) that holds every record dated in [since, until): from the
     * last record dated {@link #STORE_LAG} before {@code since} (none: the store's start) to the first
     * dated that long after {@code until} (none: its end).
     */
    static long[] seqRange(Connection c, Instant since, Instant until) throws SQLException {
        return new long[] {seqAt(c, LAST_SEQ_BEFORE, since.minus(STORE_LAG), 0),
                seqAt(c, FIRST_SEQ_FROM, until.plus(STORE_LAG), Long.MAX_VALUE)};
    }

    /** Oldest first: decisions recorded in [since, until) after {@code afterSeq}, at most {@code limit}. */
    public List<Unresolved> unresolved(Instant since, Instant until, long afterSeq, int limit) {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(SQL)) {
            bind(ps, c, since, until, afterSeq, limit);
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

    /** Binds {@link #SQL}'s parameters for one page of the window [since, until) after {@code afterSeq}. */
    static void bind(PreparedStatement ps, Connection c, Instant since, Instant until, long afterSeq, int limit)
            throws SQLException {
        long[] range = seqRange(c, since, until);
        ps.setLong(1, Math.max(afterSeq, range[0]));
        ps.setLong(2, range[1]);
        ps.setObject(3, since.atOffset(ZoneOffset.UTC));
        ps.setObject(4, until.atOffset(ZoneOffset.UTC));
        ps.setInt(5, limit);
    }
}
