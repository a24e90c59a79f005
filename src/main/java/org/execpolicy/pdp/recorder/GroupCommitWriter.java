package org.execpolicy.pdp.recorder;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
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
 * The recorder's single writer: takes what has queued, links it into the node's hash chain, makes
 * it durable, then completes the futures. On PostgreSQL a batch is stored in one transaction and
 * committed. On H2 a batch of evidence alone is appended to the journal and forced there
 * ({@link EvidenceIndex}), and H2 takes it a segment at a time; a batch that changes more (a registry
 * change and its record, which must commit together) waits until H2 holds everything journaled, then
 * is committed and forced in H2 itself. One force per batch instead of per append keeps durability
 * per decision cheap; a batch that cannot be forced fails like one that cannot be committed (503,
 * fail closed).
 */
final class GroupCommitWriter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GroupCommitWriter.class);

    static final int MAX_APPENDS_PER_BATCH = 256;
    /** How long the writer waits for work before, unhealthy, it probes the store. */
    private static final long IDLE_POLL_MS = 1000;
    /**
     * While appends are being prepared ({@link #expect()}: decisions in their rules), the writer holds
     * its batch open for them, up to this long, where a batch is a transaction (PostgreSQL): every
     * commit costs rewritten index pages and a flush whatever its size, so fewer, fuller batches spend
     * less CPU and leave less garbage. Nothing being prepared, the batch is written at once: a lone
     * caller never waits for company.
     */
    static final long GATHER_NANOS = 10_000_000;
    /**
     * ... and this long where a batch is a journal append (H2): its force costs the same for 5 decisions
     * as for 60, and H2 takes the rows a segment at a time whatever the batches. A batch
     * held open holds its callers' answers, and the clients wait for them before they ask again: at
     * 10 ms the two cores were 14-18% idle under the benchmark's 64 connections, at 0.5 ms 2-5% (10 s
     * runs: a median of 8,090 decisions a second against 7,350). What arrives while a batch is forced
     * is the next one.
     */
    static final long JOURNAL_GATHER_NANOS = 500_000;
    /** How often, while gathering, the writer looks whether anything is still being prepared. */
    private static final long GATHER_SLICE_NANOS = 200_000;
    /** Queued last by close(): everything before it is flushed, then the thread ends. */
    private static final PendingAppend STOP = new PendingAppend(List.of(), null, new CompletableFuture<>());

    private final Database db;
    private final long gatherNanos;
    private final StorageForce force;
    private final EvidenceIndex index; // null: every batch is committed in the store (PostgreSQL)
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

    GroupCommitWriter(Database db, StorageForce force, EvidenceIndex index, HashChain chain) {
        this(db, force, index, chain, index == null ? GATHER_NANOS : JOURNAL_GATHER_NANOS);
    }

    /** As above, gathering for {@code gatherNanos} while appends arrive together. */
    GroupCommitWriter(Database db, StorageForce force, EvidenceIndex index, HashChain chain, long gatherNanos) {
        this.gatherNanos = gatherNanos;
        this.db = db;
        this.force = force;
        this.index = index;
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
        return healthy && (index == null || index.failure() == null);
    }

    String lastFailure() {
        if (!healthy) {
            return lastFailure;
        }
        return index == null ? null : index.failure();
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
        joinUninterruptibly(thread);
    }

    /** Waits for {@code thread} to end even if interrupted (a flush must finish); keeps the interrupt flag. */
    static void joinUninterruptibly(Thread thread) {
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
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
                long wait = TimeUnit.MILLISECONDS.toNanos(IDLE_POLL_MS);
                first = queue.poll(index == null ? wait : Math.min(wait, index.nanosUntilDue()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                continue; // only STOP ends the writer
            }
            if (first == null) {
                if (!healthy) {
                    probe();
                }
                handOffIfDue();
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
            handOffIfDue();
        }
        if (index != null) {
            index.close();
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
        if (index != null && batch.stream().allMatch(p -> p.alongside() == null)) {
            journal(batch, start);
            return;
        }
        try {
            if (index != null) {
                index.awaitIndexed(); // the chain's order in the store is its order in the journal
            }
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
        completed(batch, start);
    }

    private void completed(List<PendingAppend> batch, long start) {
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

    /**
     * H2: links the batch, appends it to the journal and forces it there. An append whose event_id is
     * already recorded or journaled is refused alone, as the store's unique index refuses it in a commit.
     */
    private void journal(List<PendingAppend> batch, long start) {
        List<PendingAppend> accepted = new ArrayList<>(batch.size());
        List<EvidenceRow> rows = new ArrayList<>();
        HashChain.Cursor cursor = chain.cursor();
        try {
            String failing = index.failure();
            if (failing != null) { // fail closed while H2 cannot take what the journal holds
                throw new RecorderUnavailableException("flight recorder cannot store: " + failing, null);
            }
            Set<String> batchIds = new HashSet<>();
            Connection c = openConnection();
            try (PreparedStatement exists = c.prepareStatement(EvidenceIndex.EXISTS)) {
                for (PendingAppend pending : batch) {
                    String reused = reusedEventId(pending, batchIds, exists);
                    if (reused != null) {
                        pending.done().completeExceptionally(new RecordRejectedException(null, "/event_id",
                                "record rejected: event_id already recorded (" + reused + ")"));
                        continue;
                    }
                    accepted.add(pending);
                    for (EvidenceUnit unit : pending.units()) {
                        rows.add(link(cursor, unit));
                    }
                }
            } finally {
                // The lookups above are the connection's whole transaction here (auto-commit is off for
                // the registry's batches): left open, it lived as long as the node, and H2 kept state for
                // every lookup in it (38,000 TransactionMaps after two minutes of load, the heap at 590 MB).
                c.rollback();
            }
            if (!rows.isEmpty()) {
                index.append(rows); // before any answer: forced to the device
            }
            chain.advanceTo(cursor);
        } catch (SQLException | IOException | RuntimeException e) {
            dropConnection();
            fail(batch, e);
            return;
        }
        completed(accepted, start);
    }

    private String reusedEventId(PendingAppend pending, Set<String> batchIds, PreparedStatement exists)
            throws SQLException {
        for (EvidenceUnit unit : pending.units()) {
            if (!batchIds.add(unit.eventId()) || index.holds(unit.eventId(), exists)) {
                return unit.eventId();
            }
        }
        return null;
    }

    /** The unit's row, linked after {@code cursor}, which moves to the unit's last record. */
    private EvidenceRow link(HashChain.Cursor cursor, EvidenceUnit unit) {
        long first = cursor.seq() + 1;
        String prev = cursor.hash();
        unit.contentHashes().forEach(cursor::link);
        return EvidenceRow.linked(chain.nodeId(), first, prev, cursor.hash(), unit);
    }

    private void handOffIfDue() {
        if (index == null) {
            return;
        }
        try {
            index.handOffIfDue();
        } catch (IOException e) {
            healthy = false;
            lastFailure = "cannot close the evidence journal's segment: " + e.getMessage();
            LOG.warn(lastFailure, e);
        }
    }

    private void insertAndCommit(List<PendingAppend> batch) throws SQLException {
        Connection c = openConnection();
        HashChain.Cursor cursor = chain.cursor();
        try (PreparedStatement insert = c.prepareStatement(EvidenceRow.INSERT)) {
            for (PendingAppend pending : batch) {
                if (pending.alongside() != null) {
                    pending.alongside().run(c);
                }
                for (EvidenceUnit unit : pending.units()) {
                    link(cursor, unit).addTo(insert);
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
            Connection c = db.writerConnection();
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
