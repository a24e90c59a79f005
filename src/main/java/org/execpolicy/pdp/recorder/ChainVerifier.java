package org.execpolicy.pdp.recorder;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Walks every writer node's chain in the store, unit by unit, and recomputes
 * each link from the stored text alone (content hash, then record hash): a
 * record altered, removed or inserted shows up as the first link that does not hold. Each chain
 * walked to its end is then held against its node's latest signed checkpoint ({@link CheckpointCheck}),
 * which catches records removed from the end.
 */
public final class ChainVerifier {
    private static final int PAGE = 1000;

    private final Database db;
    private final UnitCodec codec;

    ChainVerifier(Database db, UnitCodec codec) {
        this.db = db;
        this.codec = codec;
    }

    /** Where a walk starts in a node's chain: the next chain_seq expected and the record_hash before it. */
    record Start(long seq, String prevHash) {
    }

    /** Called now and then during a long walk: node, records checked so far. */
    public interface Progress {
        void at(String nodeId, long recordsChecked);
    }

    /** Walks every node's whole chain (from its start, or its retention checkpoint). */
    ChainReport verify(Progress progress) {
        return verify(nodeId -> null, Long.MAX_VALUE, progress);
    }

    /**
     * Walks every node's chain from where {@code resumeAt} says it was last verified (null: from its
     * start), at most {@code maxRecords} records per node, so that a call takes time in proportion
     * to what is new, not to the size of the store.
     */
    ChainReport verify(java.util.function.Function<String, Start> resumeAt, long maxRecords, Progress progress) {
        try (Connection c = db.connection()) {
            List<ChainReport.Chain> chains = new ArrayList<>();
            for (String nodeId : nodes(c)) {
                chains.add(CheckpointCheck.apply(c, walk(c, nodeId, resumeAt.apply(nodeId), maxRecords, progress)));
            }
            return new ChainReport(chains, 0);
        } catch (SQLException e) {
            throw new RecorderUnavailableException("cannot read the Flight Recorder: " + e.getMessage(), e);
        }
    }

    /**
     * The first node id at or after the bound, in the index on (node_id, chain_seq) of {@code evidence}
     * or {@code chain_checkpoints}: one probe per node, where a DISTINCT read every record.
     */
    static String nextNode(String table, boolean postgres) {
        return "SELECT node_id FROM " + table + " WHERE node_id " + (postgres ? ">" : ">=") + " ?"
                + " ORDER BY node_id, chain_seq LIMIT 1";
    }

    /** Every node with records, or with a signed checkpoint and no records left (a chain removed whole). */
    private List<String> nodes(Connection c) throws SQLException {
        SortedSet<String> nodes = new TreeSet<>();
        for (String table : List.of("evidence", "chain_checkpoints")) {
            try (PreparedStatement ps = c.prepareStatement(nextNode(table, db.shared()))) {
                String bound = "";
                while (true) {
                    ps.setString(1, bound);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (!rs.next()) {
                            break;
                        }
                        String node = rs.getString(1);
                        nodes.add(node);
                        // H2 starts a range at its bound and reads on through every entry equal to it, so
                        // "> node" would read all of that node's records: ">= node + U+0000" starts right
                        // after them. PostgreSQL seeks past the bound itself (and its text holds no U+0000).
                        bound = db.shared() ? node : node + '\0';
                    }
                }
            }
        }
        return new ArrayList<>(nodes);
    }

    private ChainReport.Chain walk(Connection c, String nodeId, Start resume, long maxRecords, Progress progress)
            throws SQLException {
        long expectedSeq = 1;
        String expectedPrev = HashChain.GENESIS;
        long first = firstSeq(c, nodeId);
        if (resume != null && resume.seq() >= first) { // verified before up to here: go on from there
            expectedSeq = resume.seq();
            expectedPrev = resume.prevHash();
        } else if (first > 1) { // older records were purged: the chain resumes where a checkpoint says
            ObjectNode checkpoint = latestCheckpoint(c, nodeId);
            long purgedThrough = checkpoint == null ? 0 : checkpoint.path("purged_through_seq").asLong();
            if (purgedThrough != first - 1) {
                long missing = purgedThrough + 1;
                return new ChainReport.Chain(nodeId, missing, 0, purgedThrough, HashChain.GENESIS, true,
                        new ChainReport.Break(missing, "record missing", "chain_seq " + missing, "chain_seq " + first));
            }
            expectedSeq = first;
            expectedPrev = checkpoint.path("purged_through_hash").asText();
        }
        long from = expectedSeq;
        long checked = 0;
        try (PreparedStatement ps = c.prepareStatement("SELECT " + StoredUnit.COLUMNS + " FROM evidence"
                + " WHERE node_id = ? AND chain_seq >= ? ORDER BY chain_seq LIMIT " + PAGE)) {
            while (true) {
                ps.setString(1, nodeId);
                ps.setLong(2, expectedSeq);
                int rows = 0;
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rows++;
                        StoredUnit unit = StoredUnit.read(rs);
                        ChainReport.Break broken = check(expectedSeq, expectedPrev, unit);
                        if (broken != null) {
                            return new ChainReport.Chain(nodeId, from, checked, expectedSeq - 1, expectedPrev, true,
                                    broken);
                        }
                        checked += unit.recordCount();
                        expectedSeq += unit.recordCount();
                        expectedPrev = unit.headHash();
                    }
                }
                progress.at(nodeId, checked);
                if (rows < PAGE || checked >= maxRecords) {
                    return new ChainReport.Chain(nodeId, from, checked, expectedSeq - 1, expectedPrev, rows < PAGE,
                            null);
                }
            }
        }
    }

    /** Null when the stored unit holds exactly the links the chain expects next. */
    private ChainReport.Break check(long expectedSeq, String expectedPrev, StoredUnit unit) {
        if (unit.chainSeq() != expectedSeq) {
            return new ChainReport.Break(expectedSeq, "record missing", "chain_seq " + expectedSeq,
                    "chain_seq " + unit.chainSeq());
        }
        if (!expectedPrev.equals(unit.prevHash())) {
            return new ChainReport.Break(expectedSeq, "prev_hash does not link to the previous record", expectedPrev,
                    unit.prevHash());
        }
        List<ObjectNode> records;
        try {
            records = unit.records(codec);
        } catch (RuntimeException e) {
            return new ChainReport.Break(expectedSeq, "record altered: its stored text cannot be read", "records",
                    String.valueOf(e.getMessage()));
        }
        String recomputed = records.isEmpty() ? unit.prevHash()
                : records.get(records.size() - 1).path("record_hash").asText();
        if (records.size() != unit.recordCount() || !recomputed.equals(unit.headHash())) {
            return new ChainReport.Break(expectedSeq, "record altered: its hash does not match its content",
                    unit.headHash(), recomputed);
        }
        return null;
    }

    private static long firstSeq(Connection c, String nodeId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT MIN(chain_seq) FROM evidence WHERE node_id = ?")) {
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
                "SELECT record_count, body FROM evidence WHERE type = 'retention_checkpoint' ORDER BY seq");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                ObjectNode checkpoint = UnitCodec.firstRecord(rs.getInt(1), rs.getBytes(2));
                if (nodeId.equals(checkpoint.path("purged_node_id").asText())) {
                    latest = checkpoint;
                }
            }
        }
        return latest;
    }
}
