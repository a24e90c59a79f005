package org.execpolicy.pdp.recorder;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
import org.h2.engine.SessionLocal;
import org.h2.jdbc.JdbcConnection;
import org.h2.mvstore.MVStore;

/**
 * Compacts the embedded H2 file from the recorder's writer thread, between batches. H2's own
 * compaction runs in its background writer, which the store does without (WRITE_DELAY=0, see
 * {@link Database#open(java.nio.file.Path)}). Without it every batch's chunk keeps the few pages
 * of it that stay live (the newest rows, the last leaf of each index) and the file grows by all
 * it ever wrote. A run here moves the live pages of the sparsest chunks older than H2's retention
 * time into memory as changed pages; the next commit stores them in its own chunk, which the
 * writer forces like any other, and the emptied chunks' space is reused. Nothing is stored by a
 * thread the writer does not wait for, so the force still covers every answered batch.
 */
final class H2Compaction {
    /** Below this share of live bytes in the chunks, a run rewrites some. */
    static final int TARGET_FILL_RATE = 80;
    /** Live bytes one run may move: bounds the pause a busy writer takes between batches. */
    static final int BYTES_PER_RUN = 1 << 20;
    /** While idle the writer has time: it moves more per run. */
    static final int BYTES_PER_IDLE_RUN = 8 << 20;
    private static final long BUSY_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

    private long lastRun = System.nanoTime();

    /**
     * Runs a compaction if one is due: at most every 250 ms while batches keep coming, on every
     * call when {@code idle}. Returns whether it moved anything (then a commit must follow).
     */
    boolean runIfDue(Connection connection, boolean idle) throws SQLException {
        long now = System.nanoTime();
        if (!idle && now - lastRun < BUSY_INTERVAL_NANOS) {
            return false;
        }
        lastRun = now;
        MVStore store = mvStore(connection);
        return store != null && store.compact(TARGET_FILL_RATE, idle ? BYTES_PER_IDLE_RUN : BYTES_PER_RUN);
    }

    private static MVStore mvStore(Connection connection) throws SQLException {
        JdbcConnection h2 = connection.unwrap(JdbcConnection.class);
        if (h2.getSession() instanceof SessionLocal local) {
            return local.getDatabase().getStore().getMvStore();
        }
        return null; // a remote H2 session: its server compacts its own file
    }
}
