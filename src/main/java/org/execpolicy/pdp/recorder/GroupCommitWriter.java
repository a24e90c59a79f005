package org.execpolicy.pdp.recorder;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The recorder's single writer: takes what has queued, links it into the node's hash chain, stores
 * it in one transaction, commits, forces the batch to the storage device, then completes the
 * futures. One commit and one force per batch instead of per append keep durability per decision
 * cheap; a batch that cannot be forced fails like one that cannot be committed (503, fail closed).
 */
final class GroupCommitWriter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GroupCommitWriter.class);

    static final int MAX_APPENDS_PER_BATCH = 256;
    /** How long the writer waits for work before, unhealthy, it probes the store. */
    private static final long IDLE_POLL_MS = 1000;
    /**
     * While appends are being prepared ({@link #expect()}: decisions in their rules), the writer holds
     * its batch open for them, up to this long: every batch costs a chunk of rewritten index pages and
     * a force, whatever its size, so fewer, fuller batches spend less CPU and leave less garbage in the
     * file (and, on H2, fewer chunks whose bookkeeping stays in memory). Under the benchmark's load
     * batches held 18 decisions against 6.5 when the writer gathered for 1 ms after a batch of several,
     * at 5.0 instead of 8.0 KB on disk a decision and no fewer decisions a second. Nothing being
     * prepared, the batch is written at once: a lone caller never waits for company.
     */
    static final long GATHER_NANOS = 10_000_000;
    /** How often, while gathering, the writer looks whether anything is still being prepared. */
    private static final long GATHER_SLICE_NANOS = 200_000;
    private static final String INSERT = "INSERT INTO evidence (node_id, chain_seq, record_count, prev_hash,"
            + " head_hash, event_id, type, ts, trace_id, decision_id, trace_reserved, body)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    /** Queued last by close(): everything before it is flushed, then the thread ends. */
    private static final PendingAppend STOP = new PendingAppend(List.of(), null, new CompletableFuture<>());

    private final Database db;
    private final long gatherNanos;
    private final StorageForce force;
    private final HashChain chain; // writer thread only
    private final BlockingQueue<PendingAppend> queue = new LinkedBlockingQueue<>();
    /** Appends hold the read side so none can slip in behind STOP. */
    private final ReadWriteLock gate = new ReentrantReadWriteLock();
    private final Thread thread;
    private boolean closed; // guarded by gate's write lock
    private volatile boolean healthy = true;
    private volatile String lastFailure; // why the last commit failed, while unhealthy
    private volatile CommitListener listener = (appends, records, nanos) -> { };
    private Connection connection; // writer thread only
    /** Appends announced and not yet made ({@link #expect()}). */
    private final AtomicInteger preparing = new AtomicInteger();

    GroupCommitWriter(Database db, StorageForce force, HashChain chain) {
        this(db, force, chain, GATHER_NANOS);
    }

    /** As above, gathering for {@code gatherNanos} while appends arrive together. */
    GroupCommitWriter(Database db, StorageForce force, HashChain chain, long gatherNanos) {
        this.gatherNanos = gatherNanos;
        this.db = db;
        this.force = force;
        this.chain = chain;
        this.thread = new Thread(this::run, "flight-recorder-writer");
        // Daemon so a forgotten close() cannot keep the JVM alive; unacknowledged
        // appends were never promised durable.
        this.thread.setDaemon(true);
        this.thread.start();
    }

    CompletableFuture<Void> submit(List<EvidenceUnit> units, SqlWork alongside) {
        PendingAppend pending = new PendingAppend(units, alongside, new CompletableFuture<>());
        gate.readLock().lock();
        try {
            if (closed) {
                return CompletableFuture.failedFuture(
                        new RecorderUnavailableException("flight recorder is closed", null));
            }
            queue.add(pending);
        } finally {
            gate.readLock().unlock();
        }
        return pending.done();
    }

    /** Announces an append: the writer gathers for it until the returned handle is closed. */
    EvidenceStore.Expected expect() {
        preparing.incrementAndGet();
        AtomicBoolean open = new AtomicBoolean(true);
        return () -> {
            if (open.compareAndSet(true, false)) {
                preparing.decrementAndGet();
            }
        };
    }

    boolean healthy() {
        return healthy;
    }

    String lastFailure() {
        return healthy ? null : lastFailure;
    }

    int queueDepth() {
        return queue.size();
    }

    void onCommit(CommitListener listener) {
        this.listener = listener;
    }

    /** Stops accepting, flushes everything queued, then waits for the thread to end. */
    @Override
    public void close() {
        gate.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            queue.add(STOP);
        } finally {
            gate.writeLock().unlock();
        }
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true; // finish the flush anyway; restore the flag after
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        List<PendingAppend> batch = new ArrayList<>(MAX_APPENDS_PER_BATCH);
        boolean stopping = false;
        while (!stopping) {
            PendingAppend first;
            try {
                first = queue.poll(IDLE_POLL_MS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                continue; // only STOP ends the writer
            }
            if (first == null) {
                if (!healthy) {
                    probe();
                }
                continue;
            }
            batch.add(first);
            queue.drainTo(batch, MAX_APPENDS_PER_BATCH - 1);
            gather(batch);
            stopping = batch.remove(STOP);
            if (!batch.isEmpty()) {
                try {
                    write(batch);
                } catch (Throwable unexpected) { // e.g. OutOfMemoryError: never leave a caller waiting
                    fail(batch, unexpected);
                }
            }
            batch.clear();
        }
        dropConnection();
        try {
            force.close();
        } catch (IOException e) {
            LOG.warn("closing the storage sync failed", e);
        }
    }

    /**
     * Adds to {@code batch} what arrives while appends are being prepared, within the gathering window,
     * up to its maximum or STOP. An announced append is queued before its announcement is closed, so
     * once nothing is being prepared the last drain takes it.
     */
    private void gather(List<PendingAppend> batch) {
        long deadline = System.nanoTime() + gatherNanos;
        long left;
        // STOP is queued last of all (close() shuts the gate first), so once taken it ends the batch
        while (batch.size() < MAX_APPENDS_PER_BATCH && batch.get(batch.size() - 1) != STOP
                && (left = deadline - System.nanoTime()) > 0) {
            if (preparing.get() == 0) {
                queue.drainTo(batch, MAX_APPENDS_PER_BATCH - batch.size());
                return;
            }
            PendingAppend next;
            try {
                next = queue.poll(Math.min(left, GATHER_SLICE_NANOS), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                return; // write what is gathered
            }
            if (next != null) {
                batch.add(next);
                queue.drainTo(batch, MAX_APPENDS_PER_BATCH - batch.size());
            }
        }
    }

    private void write(List<PendingAppend> batch) {
        long start = System.nanoTime();
        try {
            insertAndCommit(batch);
            force.force(connection); // before any answer: committed is not yet on the device
        } catch (SQLException | IOException | RuntimeException e) {
            if ((isConstraintViolation(e) || e instanceof ChangeRefusedException) && batch.size() > 1) {
                // One bad append (a reused event_id, a refused registry change) must not fail the others:
                // retry one by one.
                batch.forEach(p -> write(List.of(p)));
            } else {
                fail(batch, e);
            }
            return;
        }
        healthy = true;
        batch.forEach(p -> p.done().complete(null));
        try { // after the futures: a committed batch is never reported failed because of a listener
            listener.committed(batch.size(), batch.stream().flatMap(p -> p.units().stream())
                            .mapToInt(EvidenceUnit::recordCount).sum(),
                    System.nanoTime() - start);
        } catch (RuntimeException e) {
            LOG.warn("commit listener failed", e);
        }
    }

    private void insertAndCommit(List<PendingAppend> batch) throws SQLException {
        Connection c = openConnection();
        HashChain.Cursor cursor = chain.cursor();
        try (PreparedStatement insert = c.prepareStatement(INSERT)) {
            for (PendingAppend pending : batch) {
                if (pending.alongside() != null) {
                    pending.alongside().run(c);
                }
                for (EvidenceUnit unit : pending.units()) {
                    long first = cursor.seq() + 1;
                    String prev = cursor.hash();
                    unit.contentHashes().forEach(cursor::link);
                    insert.setString(1, chain.nodeId());
                    insert.setLong(2, first);
                    insert.setInt(3, unit.recordCount());
                    insert.setString(4, prev);
                    insert.setString(5, cursor.hash());
                    insert.setString(6, unit.eventId());
                    insert.setString(7, unit.type());
                    insert.setObject(8, unit.ts());
                    insert.setString(9, unit.traceId());
                    insert.setString(10, unit.decisionId());
                    insert.setBoolean(11, unit.traceReserved());
                    insert.setBytes(12, unit.body());
                    insert.addBatch();
                }
            }
            insert.executeBatch();
            c.commit();
            chain.advanceTo(cursor); // only a committed link may be the next one's prev_hash
        } catch (SQLException | RuntimeException e) {
            rollbackOrDrop(c);
            throw e;
        }
    }

    private void fail(List<PendingAppend> batch, Throwable e) {
        RuntimeException failure;
        if (e instanceof ChangeRefusedException refused) {
            healthy = true; // the store works; the change's own check refused it
            failure = refused;
        } else if (isConstraintViolation(e)) {
            healthy = true; // the store works; the append reused an event_id
            failure = new RecordRejectedException(null, "/event_id",
                    "record rejected: event_id already recorded (" + e.getMessage() + ")");
        } else {
            healthy = false;
            lastFailure = e.getMessage();
            failure = new RecorderUnavailableException("flight recorder could not commit: " + e.getMessage(), e);
        }
        batch.stream().filter(p -> !p.done().isDone()).forEach(p -> p.done().completeExceptionally(failure));
    }

    /** While unhealthy and idle: a cheap read so healthy() recovers without traffic. */
    private void probe() {
        try {
            Connection c = openConnection();
            try (Statement s = c.createStatement()) {
                s.executeQuery("SELECT COUNT(*) FROM evidence WHERE seq < 0").close();
            }
            c.commit();
            healthy = true;
        } catch (SQLException | RuntimeException e) {
            dropConnection();
        }
    }

    private Connection openConnection() throws SQLException {
        if (connection == null) {
            Connection c = db.connection();
            c.setAutoCommit(false);
            connection = c;
        }
        return connection;
    }

    /** Keep a working connection; replace a broken one on the next batch. */
    private void rollbackOrDrop(Connection c) {
        try {
            c.rollback();
            if (c.isValid(1)) {
                return;
            }
        } catch (SQLException | RuntimeException ignored) {
            // fall through: the connection is unusable
        }
        dropConnection();
    }

    private void dropConnection() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException | RuntimeException ignored) {
                // already broken
            }
            connection = null;
        }
    }

    private static boolean isConstraintViolation(Throwable e) {
        // SQLSTATE class 23 = integrity constraint violation, in H2 and PostgreSQL alike.
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql) {
                for (SQLException s = sql; s != null; s = s.getNextException()) {
                    if (s.getSQLState() != null && s.getSQLState().startsWith("23")) {
                        return true;
                    }
                }
            }
        }
        return false;
    }
}
