package org.execpolicy.pdp.recorder;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.execpolicy.pdp.model.RecordEnvelope;

/**
 * Purges records older than the retention period without losing the proof of
 * what remains: per node, the oldest records up to the last one older than the
 * cutoff are deleted, after a `retention_checkpoint` record holding the seq
 * and hash of the last purged one has been committed to the chain.
 */
public final class Retention {
    private static final int DELETE_BATCH = 5000;

    private final Database db;
    private final FlightRecorder recorder;

    public Retention(Database db, FlightRecorder recorder) {
        this.db = db;
        this.recorder = recorder;
    }

    /** The purge of one node's chain: through which seq and how many records. */
    public record Purge(String nodeId, long throughSeq, long count) {
    }

    /** Removes every chain's records older than the cutoff; returns what was purged. */
    public List<Purge> purgeOlderThan(Instant cutoff) {
        List<Purge> purges = new ArrayList<>();
        try (Connection c = db.connection()) {
            for (String[] last : lastRecordsBefore(c, cutoff)) {
                String nodeId = last[0];
                long throughSeq = Long.parseLong(last[1]);
                long count = count(c, nodeId, throughSeq);
                // Evidence first: once the checkpoint is durable, deleting cannot lose the proof.
                recorder.append(List.of(checkpoint(nodeId, throughSeq, last[2], count, cutoff, recorder.clock().instant())))
                        .join();
                delete(c, nodeId, throughSeq);
                if (!db.shared()) { // the evidence journal must not bring purged records back at open
                    EvidenceJournal.prune(db.dataDir(), nodeId, throughSeq);
                }
                purges.add(new Purge(nodeId, throughSeq, count));
            }
        } catch (SQLException | java.io.IOException e) {
            throw new RecorderUnavailableException("retention purge failed: " + e.getMessage(), e);
        }
        return purges;
    }

    /** Per node: the highest chain_seq whose record is older than the cutoff, and its hash. */
    private static List<String[]> lastRecordsBefore(Connection c, Instant cutoff) throws SQLException {
        List<String[]> lasts = new ArrayList<>();
        // a unit is purged whole: through the last record of the node's last unit older than the cutoff
        try (PreparedStatement ps = c.prepareStatement("SELECT e.node_id, e.chain_seq + e.record_count - 1,"
                + " e.head_hash FROM evidence e JOIN (SELECT node_id, MAX(chain_seq) AS last FROM evidence"
                + " WHERE ts < ? GROUP BY node_id) p ON e.node_id = p.node_id AND e.chain_seq = p.last")) {
            ps.setObject(1, OffsetDateTime.ofInstant(cutoff, ZoneOffset.UTC));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    lasts.add(new String[] {rs.getString(1), Long.toString(rs.getLong(2)), rs.getString(3)});
                }
            }
        }
        return lasts;
    }

    private static long count(Connection c, String nodeId, long throughSeq) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT COALESCE(SUM(record_count), 0) FROM evidence WHERE node_id = ? AND chain_seq <= ?")) {
            ps.setString(1, nodeId);
            ps.setLong(2, throughSeq);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** In batches, oldest first, so a large purge never holds one huge transaction. */
    private void delete(Connection c, String nodeId, long throughSeq) throws SQLException {
        c.setAutoCommit(false);
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM evidence WHERE node_id = ? AND chain_seq IN"
                + " (SELECT chain_seq FROM evidence WHERE node_id = ? AND chain_seq <= ? ORDER BY chain_seq LIMIT "
                + DELETE_BATCH + ")")) {
            int deleted;
            do {
                ps.setString(1, nodeId);
                ps.setString(2, nodeId);
                ps.setLong(3, throughSeq);
                deleted = ps.executeUpdate();
                c.commit();
            } while (deleted > 0);
        }
        db.sync(c);
    }

    private static ObjectNode checkpoint(String nodeId, long throughSeq, String throughHash, long count, Instant cutoff,
            Instant now) {
        ObjectNode record = RecordEnvelope.of("retention_checkpoint", "system", now.truncatedTo(ChronoUnit.MICROS));
        record.put("purged_node_id", nodeId);
        record.put("purged_through_seq", throughSeq);
        record.put("purged_through_hash", throughHash);
        record.put("purged_count", count);
        record.put("cutoff", cutoff.toString());
        return record;
    }
}
