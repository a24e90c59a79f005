package org.execpolicy.pdp.recorder;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.execpolicy.pdp.json.TimeOrderedIds;

/**
 * Read side of the Flight Recorder: plain queries on committed units, each expanded into its
 * records with their chain members ({@link StoredUnit#records}).
 * <p>
 * Newest-first queries order by every column of the index they walk ({@code node_id DESC, chain_seq
 * DESC}, {@code type DESC, seq DESC}): see {@link NewestUnits} for why.
 */
final class EventReader {
    /** Units read per query while a page of records is filled. */
    private static final int UNITS_PER_QUERY = 200;

    private final Database db;
    private final UnitCodec codec;

    EventReader(Database db, UnitCodec codec) {
        this.db = db;
        this.codec = codec;
    }

    /** The chain position and record_hash of a node's last stored record: its chain's head. */
    static final String CHAIN_HEAD = "SELECT chain_seq + record_count - 1, head_hash FROM evidence WHERE node_id = ?"
            + " ORDER BY node_id DESC, chain_seq DESC LIMIT 1";

    /** Where the node's chain ends in the store: a restarted writer continues from there. */
    HashChain chainHead(String nodeId) {
        try (Connection c = db.connection()) {
            return chainHead(c, nodeId);
        } catch (SQLException e) {
            throw new RecorderUnavailableException("cannot read the head of the hash chain: " + e.getMessage(), e);
        }
    }

    static HashChain chainHead(Connection c, String nodeId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(CHAIN_HEAD)) {
            ps.setString(1, nodeId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new HashChain(nodeId, rs.getLong(1), rs.getString(2)) : new HashChain(nodeId, 0, null);
            }
        }
    }

    /** A record by its own event_id, which is its unit's or derived from it (a decision's firings). */
    Optional<ObjectNode> event(String eventId) {
        String group;
        try {
            group = TimeOrderedIds.groupOf(eventId);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        return units("SELECT " + StoredUnit.COLUMNS + " FROM evidence WHERE event_id IN (?, ?)",
                List.of(eventId, group)).stream()
                .flatMap(unit -> unit.records(codec).stream())
                .filter(record -> eventId.equals(record.path("event_id").asText()))
                .findFirst();
    }

    /** The newest records of a type kept as single units (marks, checkpoints), newest first, at most 1000. */
    List<ObjectNode> latestOfType(String type) {
        return units("SELECT " + StoredUnit.COLUMNS + " FROM evidence WHERE type = ?"
                        + " ORDER BY type DESC, seq DESC LIMIT 1000",
                List.of(type)).stream().map(unit -> codec.decode(unit.recordCount(), unit.body()).get(0)).toList();
    }

    List<ObjectNode> eventsOfDecision(String decisionId) {
        return units("SELECT " + StoredUnit.COLUMNS + " FROM evidence WHERE decision_id = ? ORDER BY seq",
                List.of(decisionId)).stream().flatMap(unit -> unit.records(codec).stream()).toList();
    }

    /**
     * Newest first. Units are read newest first and expanded; a record's position (unit seq and index)
     * is the cursor, so a page may end inside a decision's unit and the next one continues there.
     */
    EventPage events(EventQuery q) {
        NewestUnits query = NewestUnits.of(q);
        List<ObjectNode> items = new ArrayList<>();
        List<Long> positions = new ArrayList<>();
        long before = q.cursor() == null ? Long.MAX_VALUE : q.cursor();
        long maxSeq = before / TimeOrderedIds.GROUP_SIZE;
        // every unit holds at least one record: the first query reads no more units than records asked
        int unitsPerQuery = Math.min(UNITS_PER_QUERY, q.limit() + 1);
        while (items.size() <= q.limit()) {
            List<StoredUnit> units = units(query.sql(), query.params(maxSeq, unitsPerQuery));
            for (StoredUnit unit : units) {
                if (items.size() > q.limit()) {
                    break; // decoding a unit costs its records' hashes: read no more than the page needs
                }
                List<ObjectNode> records = unit.records(codec);
                for (int i = records.size() - 1; i >= 0 && items.size() <= q.limit(); i--) {
                    long position = StoredUnit.position(unit.seq(), i);
                    if (position < before && (q.type() == null || q.type().equals(records.get(i).path("type").asText()))) {
                        items.add(records.get(i));
                        positions.add(position);
                    }
                }
            }
            if (units.size() < unitsPerQuery) {
                break;
            }
            maxSeq = units.get(units.size() - 1).seq() - 1;
            unitsPerQuery = UNITS_PER_QUERY;
        }
        // one record more than asked tells whether another page exists
        boolean more = items.size() > q.limit();
        List<ObjectNode> page = more ? items.subList(0, q.limit()) : items;
        return new EventPage(page, more ? EventPage.encodeCursor(positions.get(q.limit() - 1)) : null);
    }

    private List<StoredUnit> units(String sql, List<Object> params) {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.size(); i++) {
                ps.setObject(i + 1, params.get(i));
            }
            List<StoredUnit> units = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    units.add(StoredUnit.read(rs));
                }
            }
            return units;
        } catch (SQLException e) {
            throw new RecorderUnavailableException("flight recorder query failed: " + e.getMessage(), e);
        }
    }

}
