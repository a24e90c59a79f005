package org.execpolicy.pdp.recorder;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.exception.FlywayValidateException;
import org.h2.jdbcx.JdbcDataSource;

/**
 * The embedded H2 store in the data directory, migrated by Flyway at open.
 * Callers take a fresh connection per unit of work and close it. No pool: an
 * embedded H2 session opens in tens of microseconds, and H2's pool would keep
 * handing back a connection that broke when the store failed, where a new
 * one recovers.
 */
public final class Database implements AutoCloseable {

    private final JdbcDataSource dataSource;
    private final Path dataDir;
    /** Once closed, never reopen the files by accident through the URL. */
    private volatile boolean closed;

    private Database(JdbcDataSource dataSource, Path dataDir) {
        this.dataSource = dataSource;
        this.dataDir = dataDir;
    }

    public Path dataDir() {
        return dataDir;
    }

    /**
     * Opens (creating if needed) {@code dataDir/pdp.mv.db} and applies pending migrations.
     * DB_CLOSE_ON_EXIT=FALSE: H2 must not close itself from its own shutdown hook
     * before the recorder has flushed on SIGTERM. DB_CLOSE_DELAY=-1: the files
     * stay open between connections until {@link #close()}. H2 keeps commits in
     * memory for its WRITE_DELAY (500 ms) and compacts the file from its own
     * background writer, rewriting chunks less than 95% full
     * (AUTO_COMPACT_FILL_RATE); the recorder's writer makes each batch durable
     * itself before any answer ({@link FileSync}: CHECKPOINT writes it to the
     * file, then fdatasync). Compacting from outside H2's writer (its MVStore
     * API, with WRITE_DELAY=0) lost committed chunks on kill -9 in
     * ServeProcessIT; a RETENTION_TIME below H2's 45 s is unsafe after a crash.
     */
    public static Database open(Path dataDir) {
        Path dir = PrivateFiles.directory(dataDir.toAbsolutePath().normalize());
        JdbcDataSource dataSource = new JdbcDataSource();
        dataSource.setURL("jdbc:h2:file:" + dir.resolve("pdp") + ";DB_CLOSE_ON_EXIT=FALSE;DB_CLOSE_DELAY=-1;WRITE_DELAY=500"
                + ";AUTO_COMPACT_FILL_RATE=95");
        dataSource.setUser("sa");
        dataSource.setPassword("");
        Database db = new Database(dataSource, dir);
        try {
            Flyway.configure()
                    .dataSource(dataSource)
                    .locations("classpath:db/migration")
                    .load()
                    .migrate();
            PrivateFiles.ownerOnly(dir); // H2 has just created its files with the umask's mode
        } catch (FlywayValidateException e) {
            db.close();
            // the migration history is not this build's: a pre-release store (rows per record in "events")
            throw new IllegalStateException("data directory " + dir + " was written by a pre-release build whose"
                    + " evidence format this build does not read; start with a new --data directory ("
                    + e.getMessage().lines().findFirst().orElse("") + ")", e);
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
        return db;
    }

    /** How to force a committed batch onto the device: see {@link FileSync}. */
    StorageForce storageForce() {
        return new FileSync(dataDir.resolve("pdp.mv.db"));
    }

    /** A new connection (auto-commit on); the caller closes it. */
    public Connection connection() throws SQLException {
        if (closed) {
            throw new SQLException("database is closed");
        }
        return dataSource.getConnection();
    }

    /** Closes the database files; connections still open fail afterwards. Close the recorder first. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("SHUTDOWN");
        } catch (SQLException e) {
            // Already closed or broken: nothing left to flush.
        }
    }
}
