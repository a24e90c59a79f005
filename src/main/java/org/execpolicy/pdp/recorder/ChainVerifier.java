package org.execpolicy.pdp.recorder;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.execpolicy.pdp.model.CanonicalJson;

/**
 * Walks every writer node's chain in the store, page by page, and recomputes
 * each link from the stored record alone: a record altered, removed or
 * inserted shows up as the first link that does not hold.
 */
final class ChainVerifier {
    private static final int PAGE = 1000;

    private final Database db;

    ChainVerifier(Database db) {
        this.db = db;
    }

    ChainReport verify() {
        try (Connection c = db.connection()) {
            List<ChainReport.Chain> chains = new ArrayList<>();
            for (String nodeId : nodes(c)) {
                chains.add(walk(c, nodeId));
            }
            return new ChainReport(chains, count(c, "SELECT COUNT(*) FROM events WHERE node_id IS NULL"));
        } catch (SQLException e) {
            throw new RecorderUnavailableException("cannot read the Flight Recorder: " + e.getMessage(), e);
        }
    }

    private static List<String> nodes(Connection c) throws SQLException {
        List<String> nodes = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT DISTINCT node_id FROM events WHERE node_id IS NOT NULL ORDER BY node_id");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                nodes.add(rs.getString(1));
            }
        }
        return nodes;
    }

    private static ChainReport.Chain walk(Connection c, String nodeId) throws SQLException {
        long expectedSeq = 1;
        String expectedPrev = HashChain.GENESIS;
        long first = firstSeq(c, nodeId);
        if (first > 1) { // older records were purged: the chain resumes where a checkpoint says
            ObjectNode checkpoint = latestCheckpoint(c, nodeId);
            long purgedThrough = checkpoint == null ? 0 : checkpoint.path("purged_through_seq").asLong();
            if (purgedThrough != first - 1) {
                long missing = purgedThrough + 1;
                return new ChainReport.Chain(nodeId, 0, purgedThrough, HashChain.GENESIS, new ChainReport.Break(
                        missing, "record missing", "chain_seq " + missing, "chain_seq " + first));
            }
            expectedSeq = first;
            expectedPrev = checkpoint.path("purged_through_hash").asText();
        }
        long checked = 0;
        try (PreparedStatement ps = c.prepareStatement("SELECT chain_seq, prev_hash, record_hash, body FROM events"
                + " WHERE node_id = ? AND chain_seq >= ? ORDER BY chain_seq LIMIT " + PAGE)) {
            while (true) {
                ps.setString(1, nodeId);
                ps.setLong(2, expectedSeq);
                int rows = 0;
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rows++;
                        ChainReport.Break broken = check(expectedSeq, expectedPrev,
                                rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4));
                        if (broken != null) {
                            return new ChainReport.Chain(nodeId, checked, expectedSeq - 1, expectedPrev, broken);
                        }
                        checked++;
                        expectedSeq++;
                        expectedPrev = rs.getString(3);
                    }
                }
                if (rows < PAGE) {
                    return new ChainReport.Chain(nodeId, checked, expectedSeq - 1, expectedPrev, null);
                }
            }
        }
    }

    /** Null when the stored record is exactly the link the chain expects next. */
    private static ChainReport.Break check(long expectedSeq, String expectedPrev,
                                           long seq, String prevHash, String recordHash, String body) {
        if (seq != expectedSeq) {
            return new ChainReport.Break(expectedSeq, "record missing", "chain_seq " + expectedSeq,
                    "chain_seq " + seq);
        }
        if (!expectedPrev.equals(prevHash)) {
            return new ChainReport.Break(seq, "prev_hash does not link to the previous record", expectedPrev, prevHash);
        }
        ObjectNode record = RecordJson.read(body);
        if (record.path("chain_seq").asLong() != seq || !prevHash.equals(record.path("prev_hash").asText())
                || !recordHash.equals(record.path("record_hash").asText())) {
            return new ChainReport.Break(seq, "record's chain fields differ from the stored chain",
                    "chain_seq " + seq + ", prev_hash " + prevHash + ", record_hash " + recordHash,
                    "chain_seq " + record.path("chain_seq").asText() + ", prev_hash "
                            + record.path("prev_hash").asText() + ", record_hash " + record.path("record_hash").asText());
        }
        record.remove("record_hash");
        String recomputed = HashChain.hashOf(prevHash, CanonicalJson.canonicalize(record));
        if (!recomputed.equals(recordHash)) {
            return new ChainReport.Break(seq, "record altered: its hash does not match its content", recordHash,
                    recomputed);
        }
        return null;
    }

    private static long firstSeq(Connection c, String nodeId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT MIN(chain_seq) FROM events WHERE node_id = ?")) {
            ps.setString(1, nodeId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** The node's most recent retention checkpoint (the furthest purge), or null. */
    private static ObjectNode latestCheckpoint(Connection c, String nodeId) throws SQLException {
        ObjectNode latest = null;
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT body FROM events WHERE type = 'retention_checkpoint' ORDER BY seq");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                ObjectNode checkpoint = RecordJson.read(rs.getString(1));
                if (nodeId.equals(checkpoint.path("purged_node_id").asText())) {
                    latest = checkpoint;
                }
            }
        }
        return latest;
    }

    private static long count(Connection c, String sql) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
