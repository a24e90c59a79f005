package org.execpolicy.pdp.recorder;

import java.sql.Connection;
import java.sql.SQLException;
import org.h2.engine.SessionLocal;
import org.h2.jdbc.JdbcConnection;
import org.h2.mvstore.MVStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the H2 file near the size of its live data. H2 writes every commit as a new chunk and only
 * compacts from its own background writer, which WRITE_DELAY=0 (needed so that a commit reaches the
 * file before the answer) turns off; without compaction the file grew by 30 KB and more per decision.
 * Every {@link #EVERY_MS} this thread rewrites the live pages of chunks less than {@link #FILL_PERCENT}
 * full, at most {@link #MAX_BYTES} at a time, off the writer's thread. It reaches the store through
 * H2's engine classes (there is no SQL for it), so it is pinned to the H2 version in the pom.
 */
final class StoreCompaction implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StoreCompaction.class);
    static final long EVERY_MS = 2000;
    static final int FILL_PERCENT = 90;
    static final int MAX_BYTES = 8 << 20;

    private final Database db;
    private final Thread thread;
    private volatile boolean stopped;

    StoreCompaction(Database db) {
        this.db = db;
        this.thread = new Thread(this::run, "h2-compaction");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        while (!stopped) {
            try {
                synchronized (this) {
                    wait(EVERY_MS); // woken by close(); never interrupted: that would close H2's file channel
                }
                if (!stopped) {
                    compactOnce();
                }
            } catch (InterruptedException e) {
                return;
            } catch (SQLException | RuntimeException e) {
                if (!stopped) {
                    LOG.warn("store compaction failed (will try again): {}", e.toString());
                }
            }
        }
    }

    private void compactOnce() throws SQLException {
        try (Connection c = db.connection()) {
            MVStore store = ((SessionLocal) c.unwrap(JdbcConnection.class).getSession())
                    .getDatabase().getStore().getMvStore();
            store.compact(FILL_PERCENT, MAX_BYTES);
        }
    }

    /** Stops and waits for a compaction under way: it must not run into the database's shutdown. */
    @Override
    public void close() {
        stopped = true;
        synchronized (this) {
            notifyAll();
        }
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
