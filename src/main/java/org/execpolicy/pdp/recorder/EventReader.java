package org.execpolicy.pdp.recorder;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Read side of the Flight Recorder: plain queries on committed rows. */
final class EventReader {

    private record Stored(long seq, ObjectNode body) {
    }

    private final Database db;

    EventReader(Database db) {
        this.db = db;
    }

    /** Where the node's chain ends in the store: a restarted writer continues from there. */
    HashChain chainHead(String nodeId) {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(
                "SELECT chain_seq, record_hash FROM events WHERE node_id = ? ORDER BY chain_seq DESC LIMIT 1")) {
            ps.setString(1, nodeId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new HashChain(nodeId, rs.getLong(1), rs.getString(2)) : new HashChain(nodeId, 0, null);
            }
        } catch (SQLException e) {
            throw new RecorderUnavailableException("cannot read the head of the hash chain: " + e.getMessage(), e);
        }
    }

    Optional<ObjectNode> event(String eventId) {
        return query("SELECT seq, body FROM events WHERE event_id = ?", List.of(eventId))
                .stream().findFirst().map(Stored::body);
    }

    List<ObjectNode> eventsOfDecision(String decisionId) {
        return query("SELECT seq, body FROM events WHERE decision_id = ? ORDER BY seq", List.of(decisionId))
                .stream().map(Stored::body).toList();
    }

    EventPage events(EventQuery q) {
        StringBuilder sql = new StringBuilder("SELECT seq, body FROM events WHERE 1 = 1");
        List<Object> params = new ArrayList<>();
        filter(sql, params, "type = ?", q.type());
        filter(sql, params, "trace_id = ?", q.traceId());
        filter(sql, params, "decision_id = ?", q.decisionId());
        filter(sql, params, "ts >= ?", utc(q.since()));
        filter(sql, params, "ts < ?", utc(q.until()));
        filter(sql, params, "seq < ?", q.cursor());
        // Seq is assigned in commit order by the single writer, so it orders "newest".
        // One row more than asked tells whether another page exists.
        sql.append(" ORDER BY seq DESC LIMIT ?");
        params.add(q.limit() + 1);

        List<Stored> rows = query(sql.toString(), params);
        boolean more = rows.size() > q.limit();
        List<Stored> page = more ? rows.subList(0, q.limit()) : rows;
        String next = more ? EventPage.encodeCursor(page.get(page.size() - 1).seq()) : null;
        return new EventPage(page.stream().map(Stored::body).toList(), next);
    }

    private List<Stored> query(String sql, List<Object> params) {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.size(); i++) {
                ps.setObject(i + 1, params.get(i));
            }
            List<Stored> rows = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(new Stored(rs.getLong(1), RecordJson.read(rs.getString(2))));
                }
            }
            return rows;
        } catch (SQLException e) {
            throw new RecorderUnavailableException("flight recorder query failed: " + e.getMessage(), e);
        }
    }

    private static void filter(StringBuilder sql, List<Object> params, String condition, Object value) {
        if (value != null) {
            sql.append(" AND ").append(condition);
            params.add(value);
        }
    }

    private static OffsetDateTime utc(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }
}
