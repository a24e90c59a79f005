package org.execpolicy.pdp.recorder;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.slf4j.LoggerFactory;

/**
 * At open, before anything reads the H2 store: inserts what the evidence journal
 * ({@link EvidenceJournal}) holds beyond each node's chain head, i.e. answered batches whose segment
 * H2 had not yet taken when the process or the machine died, and makes them durable. H2 comes back as
 * one earlier committed state, so what it lacks is a tail of each chain: a journal row that does not
 * continue its chain exactly (its chain_seq and prev_hash) means evidence was lost, and the store is
 * not opened.
 */
final class JournalReplay {
    private JournalReplay() {
    }

    /** Inserts the rows the store lacks in one transaction and forces them; returns the segments read. */
    static List<EvidenceJournal.Segment> replay(Path dataDir, DataSource dataSource) {
        try (Connection c = dataSource.getConnection()) {
            List<EvidenceJournal.Segment> segments = EvidenceJournal.segments(dataDir);
            int inserted = insertMissing(segments, c);
            H2Durability.sync(c);
            if (inserted > 0) {
                LoggerFactory.getLogger(JournalReplay.class).warn("the store lacked {} answered evidence units"
                        + " (the node stopped before H2 took them); inserted them from {}", inserted,
                        dataDir.resolve(EvidenceJournal.DIRECTORY));
            }
            return segments;
        } catch (SQLException | IOException e) {
            throw new RecorderUnavailableException("cannot replay the evidence journal in "
                    + dataDir.resolve(EvidenceJournal.DIRECTORY) + ": " + e.getMessage(), e);
        }
    }

    /** Deletes replayed segments once the store holds their rows durably. */
    static void delete(List<EvidenceJournal.Segment> segments) {
        try {
            for (EvidenceJournal.Segment segment : segments) {
                EvidenceJournal.delete(segment);
            }
        } catch (IOException e) {
            throw new RecorderUnavailableException("cannot delete a replayed journal segment: " + e.getMessage(), e);
        }
    }

    private static int insertMissing(List<EvidenceJournal.Segment> segments, Connection c)
            throws IOException, SQLException {
        Map<String, HashChain> heads = new HashMap<>();
        int inserted = 0;
        c.setAutoCommit(false);
        try (PreparedStatement insert = c.prepareStatement(EvidenceRow.INSERT)) {
            for (EvidenceJournal.Segment segment : segments) {
                for (EvidenceRow row : EvidenceJournal.read(segment)) {
                    HashChain head = heads.get(row.nodeId());
                    if (head == null) {
                        head = EventReader.chainHead(c, row.nodeId());
                        heads.put(row.nodeId(), head);
                    }
                    if (row.chainSeq() <= head.headSeq()) {
                        continue; // stored already
                    }
                    if (row.chainSeq() != head.headSeq() + 1 || !row.prevHash().equals(head.headHash())) {
                        throw new IllegalStateException("the evidence journal (" + segment.file()
                                + ") does not continue node " + row.nodeId() + "'s chain in the store: its row at"
                                + " chain_seq " + row.chainSeq() + " follows " + head.headSeq()
                                + "; evidence between them is lost. Keep the data directory for inspection.");
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
}
