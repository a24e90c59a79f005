package org.execpolicy.pdp.recorder;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * At open, before anything reads the H2 store: inserts what the journal ({@link EvidenceJournal})
 * holds beyond each node's chain head in the store, i.e. the answered batches that H2 had not yet
 * stored in its file when the process or the machine died. H2 comes back as one earlier committed
 * state, so what it lost is a tail of each chain: a journal row that does not continue its chain
 * exactly (its chain_seq and prev_hash) means evidence was lost, and the store is not opened.
 */
final class JournalReplay {
    private JournalReplay() {
    }

    /** Inserts the journal's rows the store lacks in one transaction on {@code c}; returns how many. */
    static int replay(Path dataDir, Connection c) throws IOException, SQLException {
        List<EvidenceRow> rows = EvidenceJournal.read(dataDir);
        if (rows.isEmpty()) {
            return 0;
        }
        Map<String, HashChain> heads = new HashMap<>();
        int inserted = 0;
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        try (PreparedStatement insert = c.prepareStatement(EvidenceRow.INSERT)) {
            for (EvidenceRow row : rows) {
                HashChain head = heads.get(row.nodeId());
                if (head == null) {
                    head = EventReader.chainHead(c, row.nodeId());
                    heads.put(row.nodeId(), head);
                }
                if (row.chainSeq() <= head.headSeq()) {
                    continue; // stored already
                }
                if (row.chainSeq() != head.headSeq() + 1 || !row.prevHash().equals(head.headHash())) {
                    throw new IllegalStateException("the evidence journal (" + EvidenceJournal.FILE_NAME
                            + ") does not continue node " + row.nodeId() + "'s chain in the store: its row at"
                            + " chain_seq " + row.chainSeq() + " follows " + head.headSeq()
                            + "; evidence between them is lost. Keep the data directory for inspection.");
                }
                row.addTo(insert);
                head.advanceTo(new HashChain.Cursor(row.chainSeq() + row.recordCount() - 1, row.headHash()));
                inserted++;
            }
            insert.executeBatch();
            c.commit();
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(autoCommit);
        }
        return inserted;
    }

}
