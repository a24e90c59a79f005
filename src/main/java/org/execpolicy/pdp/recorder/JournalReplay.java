package org.execpolicy.pdp.recorder;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;
import org.slf4j.LoggerFactory;

/**
 * At open, before anything reads the H2 store: inserts what the evidence journal
 * ({@link EvidenceJournal}) holds beyond each node's chain head, i.e. answered batches H2 had not yet
 * taken when the process or the machine died, or took and then lost in its own recovery, and makes
 * them durable. H2 comes back as one earlier committed state, so what it lacks is a tail of each
 * chain: only the newest segments are read, back to one that begins at or before the node's head. A
 * journal row that does not continue its chain exactly (its chain_seq and prev_hash) means evidence
 * was lost, and the store is not opened.
 */
final class JournalReplay {
    private JournalReplay() {
    }

    /** Inserts the rows the store lacks in one transaction and forces them. */
    static void replay(Path dataDir, DataSource dataSource) {
        try (Connection c = dataSource.getConnection()) {
            Map<String, HashChain> heads = new HashMap<>();
            List<EvidenceJournal.Segment> segments = tail(EvidenceJournal.segments(dataDir), heads, c);
            int inserted = insertMissing(segments, heads, c);
            H2Durability.sync(c);
            if (inserted > 0) {
                LoggerFactory.getLogger(JournalReplay.class).warn("the store lacked {} answered evidence units"
                        + " (the node stopped before H2 took them, or H2 lost them in its recovery); inserted them"
                        + " from {}", inserted, dataDir.resolve(EvidenceJournal.DIRECTORY));
            }
        } catch (SQLException | IOException e) {
            throw new RecorderUnavailableException("cannot replay the evidence journal in "
                    + dataDir.resolve(EvidenceJournal.DIRECTORY) + ": " + e.getMessage(), e);
        }
    }

    /**
     * The segments that may hold rows beyond their node's head, oldest first: newest first, each node's
     * segments back to the first that begins at or before its head.
     */
    private static List<EvidenceJournal.Segment> tail(List<EvidenceJournal.Segment> segments,
                                                      Map<String, HashChain> heads, Connection c)
            throws IOException, SQLException {
        Set<String> reached = new HashSet<>();
        ArrayDeque<EvidenceJournal.Segment> tail = new ArrayDeque<>();
        for (int i = segments.size() - 1; i >= 0; i--) {
            EvidenceRow first = EvidenceJournal.firstRow(segments.get(i));
            if (first == null || reached.contains(first.nodeId())) {
                continue;
            }
            tail.addFirst(segments.get(i));
            if (first.chainSeq() <= head(heads, first.nodeId(), c).headSeq() + 1) {
                reached.add(first.nodeId());
            }
        }
        return List.copyOf(tail);
    }

    private static HashChain head(Map<String, HashChain> heads, String nodeId, Connection c) throws SQLException {
        HashChain head = heads.get(nodeId);
        if (head == null) {
            head = EventReader.chainHead(c, nodeId);
            heads.put(nodeId, head);
        }
        return head;
    }

    private static int insertMissing(List<EvidenceJournal.Segment> segments, Map<String, HashChain> heads,
                                     Connection c) throws IOException, SQLException {
        int inserted = 0;
        c.setAutoCommit(false);
        try (PreparedStatement insert = c.prepareStatement(EvidenceRow.INSERT)) {
            for (EvidenceJournal.Segment segment : segments) {
                for (EvidenceRow row : EvidenceJournal.read(segment)) {
                    HashChain head = head(heads, row.nodeId(), c);
                    if (row.chainSeq() <= head.headSeq()) {
                        continue; // stored already
                    }
                    if (row.chainSeq() != head.headSeq() + 1 || !row.prevHash().equals(head.headHash())) {
                        throw new IllegalStateException("the evidence journal (" + segment.file()
                                + ") does not continue node " + row.nodeId() + "'s chain in the store: its row at"
                                + " chain_seq " + row.chainSeq() + " follows " + head.headSeq()
                                + "; evidence between them is lost. Keep the data directory for inspection."
                                + " Journal: " + describe(segments) + "; store's last units: "
                                + lastUnits(c, row.nodeId()));
                    }
                    row.addTo(insert);
                    head.advanceTo(new HashChain.Cursor(row.chainSeq() + row.recordCount() - 1, row.headHash()));
                    inserted++;
                }
            }
            insert.executeBatch();
            c.commit();
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        }
        return inserted;
    }

    /** Each segment's name and the chain positions its rows cover, for the message of a refused open. */
    private static String describe(List<EvidenceJournal.Segment> segments) throws IOException {
        StringBuilder text = new StringBuilder();
        for (EvidenceJournal.Segment segment : segments) {
            List<EvidenceRow> rows = EvidenceJournal.read(segment);
            text.append(segment.file().getFileName()).append(rows.isEmpty() ? " (empty)"
                    : " [" + rows.get(0).chainSeq() + ".." + (rows.get(rows.size() - 1).chainSeq()
                    + rows.get(rows.size() - 1).recordCount() - 1) + "]").append(' ');
        }
        return text.toString().trim();
    }

    private static String lastUnits(Connection c, String nodeId) throws SQLException {
        StringBuilder text = new StringBuilder();
        try (PreparedStatement ps = c.prepareStatement("SELECT chain_seq, record_count, type FROM evidence"
                + " WHERE node_id = ? ORDER BY node_id DESC, chain_seq DESC LIMIT 3")) {
            ps.setString(1, nodeId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    text.append(rs.getString(3)).append(" at ").append(rs.getLong(1)).append('+')
                            .append(rs.getInt(2)).append(' ');
                }
            }
        }
        return text.toString().trim();
    }
}
