package org.execpolicy.pdp.recorder;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import org.h2.engine.SessionLocal;
import org.h2.jdbc.JdbcConnection;
import org.h2.mvstore.FileStore;
import org.h2.mvstore.MVStore;

/**
 * Durability for the embedded H2 store. H2 runs with a write delay ({@link Database#open(Path)}): a
 * commit is in memory, and H2's background writer stores the file a chunk at a time and compacts it.
 * So a batch of evidence is made durable through the journal ({@link EvidenceJournal}): appended and
 * forced there, one fdatasync. Every {@link #CHECKPOINT_NANOS}, and for a batch that changed more than
 * evidence (a registry change), the writer makes H2's own file durable ({@link #sync}) and empties the
 * journal.
 * <p>
 * {@link #sync} does not rely on {@code CHECKPOINT}: with a write delay, H2's {@code MVStore.commit()}
 * returns without storing when its background writer moved the version meanwhile, and that store may
 * still be on H2's serialisation and save threads. It commits, then waits until both have no work
 * left (the H2 API for running a file operation after every pending write), then forces the file.
 */
final class H2Durability implements StorageForce {
    /** How long the journal grows before H2's file is made durable and the journal emptied. */
    static final long CHECKPOINT_NANOS = 2_000_000_000L;
    /** ... or how large: the journal is replayed at open, so it stays small. */
    static final long CHECKPOINT_BYTES = 64L << 20;

    private final Path dataDir;
    private final long checkpointNanos;
    private EvidenceJournal journal; // writer thread only, opened on first use
    private long lastCheckpoint = System.nanoTime();

    H2Durability(Path dataDir) {
        this(dataDir, CHECKPOINT_NANOS);
    }

    /** As above, making H2's file durable every {@code checkpointNanos} (tests). */
    H2Durability(Path dataDir, long checkpointNanos) {
        this.dataDir = dataDir;
        this.checkpointNanos = checkpointNanos;
    }

    @Override
    public void force(Connection connection, List<EvidenceRow> rows, boolean onlyEvidence)
            throws IOException, SQLException {
        if (journal == null) {
            journal = EvidenceJournal.open(dataDir);
        }
        if (onlyEvidence) {
            journal.append(rows);
        }
        if (!onlyEvidence || System.nanoTime() - lastCheckpoint >= checkpointNanos
                || journal.size() >= CHECKPOINT_BYTES) {
            sync(connection);
            // the writer commits its batches in order, so all the journal holds was committed before the sync
            journal.clear();
            lastCheckpoint = System.nanoTime();
        }
    }

    /**
     * Makes everything committed so far durable in the store's file; any thread, any connection. The
     * force is H2's own, on H2's channel: closing a channel of ours on the file would release H2's lock
     * on it (POSIX drops a process's locks on a file when any of its descriptors is closed), and a
     * second process could then open the store.
     */
    static void sync(Connection connection) throws SQLException {
        MVStore store = ((SessionLocal) connection.unwrap(JdbcConnection.class).getSession())
                .getDatabase().getStore().getMvStore();
        store.commit();
        FileStore<?> file = store.getFileStore();
        file.executeFileStoreOperation(file::sync);
    }

    @Override
    public void close() throws IOException {
        if (journal != null) {
            journal.close();
        }
    }
}
