package org.execpolicy.pdp.recorder;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.exception.FlywayValidateException;
import org.h2.jdbcx.JdbcDataSource;

/**
 * The PDP's store, migrated by Flyway at open: embedded H2 in the data directory (the default,
 * one node, nothing to install) or a shared PostgreSQL database (several nodes, SPEC 7). The same
 * migrations run on both. Callers take a connection per unit of work and close it.
 * <p>
 * H2 has no pool: an embedded H2 session opens in tens of microseconds, and H2's pool would keep
 * handing back a connection that broke when the store failed, where a new one recovers.
 * PostgreSQL goes through HikariCP, which tests a connection before handing it out, so a
 * restarted server is reconnected to without restarting the node.
 */
public final class Database implements AutoCloseable {

    /** The only place a PostgreSQL password is taken from: never a flag or the URL (SPEC 7). */
    public static final String PASSWORD_VARIABLE = "PDP_DATABASE_PASSWORD";
    private static final String POSTGRES_PREFIX = "jdbc:postgresql:";

    static {
        // H2's object cache looks every string and number bound to a statement up in a shared table, to
        // share equal ones: evidence rows are ids and hashes seen once, so it only hashed each of them
        // (2.7% of the CPU under decision load). Read once, when H2 first loads; an operator's -D wins.
        if (System.getProperty("h2.objectCache") == null) {
            System.setProperty("h2.objectCache", "false");
        }
    }

    private final DataSource dataSource;
    private final Path dataDir;
    private final boolean postgres;
    /** Once closed, never reopen the files by accident through the URL. */
    private volatile boolean closed;
    /** The evidence journals' indexes of the recorders writing to this H2 store (none on PostgreSQL). */
    private final List<EvidenceIndex> indexes = new CopyOnWriteArrayList<>();

    private Database(DataSource dataSource, Path dataDir, boolean postgres) {
        this.dataSource = dataSource;
        this.dataDir = dataDir;
        this.postgres = postgres;
    }

    /** The node's own directory (node id, keys, tokens by default; the H2 file in H2 mode). */
    public Path dataDir() {
        return dataDir;
    }

    /** True on a shared PostgreSQL database, false on the embedded H2 file. */
    public boolean shared() {
        return postgres;
    }

    /**
     * Opens the store named by {@code databaseUrl}: null or blank for H2 in {@code dataDir}, else a
     * {@code jdbc:postgresql://HOST:PORT/DB?user=U} URL (password from {@value #PASSWORD_VARIABLE}).
     */
    public static Database open(Path dataDir, String databaseUrl) {
        if (databaseUrl == null || databaseUrl.isBlank()) {
            return open(dataDir);
        }
        if (!databaseUrl.startsWith(POSTGRES_PREFIX)) {
            throw new IllegalArgumentException("--database must be a jdbc:postgresql://HOST:PORT/DB?user=U URL"
                    + " (leave it out for the embedded H2 store in --data)");
        }
        if (databaseUrl.toLowerCase(java.util.Locale.ROOT).matches(".*[?&]password=.*")) {
            throw new IllegalArgumentException("--database must not carry a password: set " + PASSWORD_VARIABLE);
        }
        Path dir = PrivateFiles.directory(dataDir.toAbsolutePath().normalize());
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(databaseUrl);
        String password = System.getenv(PASSWORD_VARIABLE);
        if (password != null) {
            config.setPassword(password);
        }
        config.setPoolName("pdp-store");
        config.setMaximumPoolSize(10);
        // a stopped server must turn requests into 503 quickly, not hold them for Hikari's default 30 s
        config.setConnectionTimeout(2_000);
        config.setValidationTimeout(1_000);
        HikariDataSource pool = new HikariDataSource(config);
        Database db = new Database(pool, dir, true);
        try {
            // Flyway holds a PostgreSQL advisory lock while it migrates: nodes starting together wait for
            // each other, and the later ones find the schema current
            migrate(pool, "classpath:db/migration");
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
        return db;
    }

    /**
     * Opens (creating if needed) {@code dataDir/pdp.mv.db}, applies pending migrations and inserts
     * what the evidence journal holds beyond the store ({@link JournalReplay}).
     * DB_CLOSE_ON_EXIT=FALSE: H2 must not close itself from its own shutdown hook
     * before the recorder has flushed on SIGTERM. DB_CLOSE_DELAY=-1: the files
     * stay open between connections until {@link #close()}.
     * WRITE_DELAY=0: H2 runs no background writer, so every store of a chunk
     * is written by the thread that stores it; each commit of the recorder's is then
     * forced to the device ({@link H2Durability}). Evidence is durable before the
     * answer in the journal ({@link EvidenceJournal}), which H2 is not trusted to
     * replace. With a
     * write delay, H2's background writer stores and compacts the file on its own
     * thread. Two attempts at that failed the kill -9 test: forcing through
     * {@code CHECKPOINT} (it returns without storing when the background writer
     * moved the version meanwhile), and a journal of the recorder's own with H2
     * made durable every 2 s: after a kill -9, H2 reopened at a state older than
     * one it had been forced to, and the journal, emptied after that force, no
     * longer held the decisions in between (README, Known problems).
     * Without the background writer H2 compacts nothing while running: the
     * file reuses the space of chunks that no longer hold a live page.
     * A RETENTION_TIME below H2's 45 s is unsafe after a crash (h2database#4387,
     * "Double mark" on reopen). The store is then closed cleanly once and
     * reopened ({@link #closeCleanly}) before anything is served.
     * H2's own page size (4 KiB) is kept: 1 KiB pages held the heap at 200-400 MB and p99 near 1 s under
     * a soak (README, Benchmark).
     */
    public static Database open(Path dataDir) {
        Path dir = PrivateFiles.directory(dataDir.toAbsolutePath().normalize());
        JdbcDataSource dataSource = new JdbcDataSource();
        dataSource.setURL("jdbc:h2:file:" + dir.resolve("pdp") + ";DB_CLOSE_ON_EXIT=FALSE;DB_CLOSE_DELAY=-1;WRITE_DELAY=0");
        dataSource.setUser("sa");
        dataSource.setPassword("");
        Database db = new Database(dataSource, dir, false);
        try {
            migrate(dataSource, "classpath:db/migration", "classpath:db/h2");
            closeCleanly(dataSource);
            JournalReplay.replay(dir, dataSource); // on the cleanly reopened store
            PrivateFiles.ownerOnly(dir); // H2 has just created its files with the umask's mode
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
        return db;
    }

    /**
     * Closes the just-opened H2 store cleanly (SHUTDOWN); the next connection opens it again. After a
     * kill -9 the store opens from an unclean file; loading it right away and killing it again lost
     * answered decisions in 2 of 4 runs of a kill -9 test, and none in 4 runs with this clean close
     * first (README, Known problems). A clean close stores everything and marks the file clean.
     */
    private static void closeCleanly(JdbcDataSource dataSource) {
        try (Connection c = dataSource.getConnection(); Statement shutdown = c.createStatement()) {
            shutdown.execute("SHUTDOWN");
        } catch (SQLException e) {
            throw new RecorderUnavailableException("cannot close the H2 store cleanly after opening it: "
                    + e.getMessage(), e);
        }
    }

    /** Shared migrations are in db/migration; db/h2 holds H2's own tuning, versioned among them. */
    private static void migrate(DataSource dataSource, String... locations) {
        try {
            Flyway.configure()
                    .dataSource(dataSource)
                    .locations(locations)
                    .load()
                    .migrate();
        } catch (FlywayValidateException e) {
            // the migration history is not this build's: a pre-release store (rows per record in "events")
            throw new IllegalStateException("the store was written by a pre-release build whose"
                    + " evidence format this build does not read; start with a new --data directory or database ("
                    + e.getMessage().lines().findFirst().orElse("") + ")", e);
        }
    }

    /**
     * How the writer forces a committed batch onto the device. H2: {@link H2Durability}. PostgreSQL:
     * nothing to do here, its synchronous commit (the default, synchronous_commit = on) returns only
     * once the commit's WAL is flushed to disk, so a committed batch is already durable.
     */
    StorageForce storageForce() {
        if (postgres) {
            return connection -> { };
        }
        return new H2Durability();
    }

    /**
     * Makes what {@code connection} committed durable, for a change made outside the recorder's writer
     * (rules, snapshots, checkpoints, retention, traces) before anything that depends on it is answered.
     * PostgreSQL: already durable at commit.
     */
    public void sync(Connection connection) throws SQLException {
        if (!postgres) {
            H2Durability.sync(connection);
        }
    }

    /**
     * A new connection (auto-commit on); the caller closes it. On H2 it is handed out only once every
     * evidence row journaled before the call is in the store ({@link EvidenceIndex#awaitIndexed()}), so
     * whatever reads through it finds every record whose append has completed.
     *
     * @throws RecorderUnavailableException if the store cannot take the journaled evidence
     */
    public Connection connection() throws SQLException {
        for (EvidenceIndex index : indexes) {
            index.awaitIndexed();
        }
        return writerConnection();
    }

    /** A new connection that does not wait for journaled evidence: for the writer and the index only. */
    Connection writerConnection() throws SQLException {
        if (closed) {
            throw new SQLException("database is closed");
        }
        return dataSource.getConnection();
    }

    /** Makes {@link #connection()} wait for {@code index} until {@link #removeIndex}. */
    void addIndex(EvidenceIndex index) {
        indexes.add(index);
    }

    void removeIndex(EvidenceIndex index) {
        indexes.remove(index);
    }

    /** Closes the database files (H2) or the pool (PostgreSQL); connections still open fail afterwards. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (dataSource instanceof HikariDataSource pool) {
            pool.close();
            return;
        }
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("SHUTDOWN");
        } catch (SQLException e) {
            // Already closed or broken: nothing left to flush.
        }
    }
}
