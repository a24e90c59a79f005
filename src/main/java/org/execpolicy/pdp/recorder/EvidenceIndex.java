package org.execpolicy.pdp.recorder;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded H2 store's evidence path: durable in the journal ({@link EvidenceJournal}) before the
 * answer, queryable in H2 a segment at a time. H2 runs with {@code WRITE_DELAY=0}, where every commit
 * stores a chunk of its own that keeps the index pages it rewrote for as long as one of its pages is
 * live, which is forever for evidence: one commit a batch cost about 4.5 KB on disk a decision and a
 * heap that grew with the chunks. Here the writer only appends and forces a batch to the journal; an
 * index thread inserts a closed segment's rows (up to {@link #MAX_ROWS}, or {@link #INTERVAL_NANOS}
 * of them) in one transaction, commits and forces H2's file ({@link StorageForce}). The segment stays:
 * it is the durable copy, H2 the queryable one ({@link EvidenceJournal}).
 * <p>
 * Nothing reads around the index: every connection {@link Database#connection()} hands out first
 * waits, through {@link #awaitIndexed()}, until every row journaled before the call is in H2, so a
 * record is found as soon as its append has completed, as with one commit a batch.
 */
final class EvidenceIndex implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EvidenceIndex.class);

    /** How long rows wait in the journal before H2 receives them when nothing reads them sooner. */
    static final long INTERVAL_NANOS = 1_000_000_000L;
    /**
     * ... or how many: a segment is replayed whole at open and held in memory until indexed. At 4,096
     * rows and 3,000 decisions a second, H2's chunks were half dead pages (1.6 KB a decision in H2); at
     * 1,024 rows 94% live (0.86 KB). Likely, not shown: a larger transaction passes H2's auto-commit
     * memory, H2 stores chunks in the middle of it, and its later inserts supersede what they hold.
     */
    static final int MAX_ROWS = 1024;
    /** How long a reader waits for the index before it is answered that the store is unavailable. */
    private static final long AWAIT_MILLIS = 10_000;
    /** How long a failed segment waits before the index thread tries it again. */
    private static final long RETRY_MILLIS = 1_000;
    /** Prepared once a batch by the writer for {@link #holds}. */
    static final String EXISTS = "SELECT 1 FROM evidence WHERE event_id = ?";

    /** A closed segment, its rows, and how many rows were journaled up to its end. */
    private record Closed(EvidenceJournal.Segment segment, List<EvidenceRow> rows, long upTo) {
    }

    private static final Closed STOP = new Closed(null, List.of(), -1);

    private final Database db;
    private final StorageForce force;
    private final EvidenceJournal journal; // guarded by this
    private final long intervalNanos;
    private final BlockingQueue<Closed> closed = new LinkedBlockingQueue<>();
    /** Event ids journaled and not yet committed to H2, for the writer's duplicate check. */
    private final Set<String> unindexedIds = ConcurrentHashMap.newKeySet();
    private final Thread thread;

    private List<EvidenceRow> openRows = new ArrayList<>(); // guarded by this
    private long openSince; // guarded by this
    private long journaled; // guarded by this
    private final Object indexedMonitor = new Object();
    private long indexed; // guarded by indexedMonitor
    private volatile String failure; // why the last index attempt failed, until one succeeds
    private volatile boolean closing;
    private Connection connection; // index thread only

    EvidenceIndex(Database db, StorageForce force, EvidenceJournal journal) {
        this(db, force, journal, INTERVAL_NANOS);
    }

    /** As above, handing a segment to H2 once its first row is {@code intervalNanos} old (tests). */
    EvidenceIndex(Database db, StorageForce force, EvidenceJournal journal, long intervalNanos) {
        this.db = db;
        this.force = force;
        this.journal = journal;
        this.intervalNanos = intervalNanos;
        this.thread = new Thread(this::run, "flight-recorder-index");
        this.thread.setDaemon(true); // what it has not indexed stays in the journal for the next open
        this.thread.start();
    }

    /** Writer thread: appends a batch's rows to the journal and forces them; then they may be answered. */
    synchronized void append(List<EvidenceRow> rows) throws IOException {
        journal.append(rows);
        if (openRows.isEmpty()) {
            openSince = System.nanoTime();
        }
        openRows.addAll(rows);
        rows.forEach(r -> unindexedIds.add(r.eventId()));
        journaled += rows.size();
        if (openRows.size() >= MAX_ROWS) {
            handOff();
        }
    }

    /** Writer thread, between batches: hands the open segment to H2 once it is old enough. */
    synchronized void handOffIfDue() throws IOException {
        if (!openRows.isEmpty() && System.nanoTime() - openSince >= intervalNanos) {
            handOff();
        }
    }

    /** How long the writer may sleep before {@link #handOffIfDue()} has work. */
    synchronized long nanosUntilDue() {
        return openRows.isEmpty() ? Long.MAX_VALUE : Math.max(0, openSince + intervalNanos - System.nanoTime());
    }

    /** True if a record with this event_id is journaled or stored ({@code exists}: {@link #EXISTS}, prepared). */
    boolean holds(String eventId, PreparedStatement exists) throws SQLException {
        if (unindexedIds.contains(eventId)) {
            return true;
        }
        exists.setString(1, eventId);
        try (ResultSet rs = exists.executeQuery()) {
            return rs.next();
        }
    }

    /**
     * Returns once every row journaled before the call is committed and forced in H2: hands the open
     * segment over at once rather than at its time.
     *
     * @throws RecorderUnavailableException if H2 cannot take the rows (they stay in the journal)
     */
    void awaitIndexed() {
        long target;
        synchronized (this) {
            target = journaled;
            if (!openRows.isEmpty()) {
                try {
                    handOff();
                } catch (IOException e) {
                    throw new RecorderUnavailableException("cannot close the evidence journal's segment: "
                            + e.getMessage(), e);
                }
            }
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(AWAIT_MILLIS);
        synchronized (indexedMonitor) {
            while (indexed < target) {
                String why = failure;
                if (why != null) {
                    throw new RecorderUnavailableException("the store cannot take the journaled evidence: " + why, null);
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new RecorderUnavailableException("the store did not take the journaled evidence within "
                            + AWAIT_MILLIS + " ms", null);
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(indexedMonitor, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new RecorderUnavailableException("interrupted while waiting for the store", e);
                }
            }
        }
    }

    /** Why H2 could not take the last segment, while it cannot; null when it can. */
    String failure() {
        return failure;
    }

    /** Hands everything journaled to H2 and waits for it, then stops; what H2 refused stays journaled. */
    @Override
    public void close() {
        try {
            awaitIndexed();
        } catch (RecorderUnavailableException e) {
            LOG.warn("evidence left in the journal for the next open: {}", e.getMessage());
        }
        closing = true;
        closed.add(STOP);
        GroupCommitWriter.joinUninterruptibly(thread);
        synchronized (this) {
            try {
                journal.close();
            } catch (IOException e) {
                LOG.warn("closing the evidence journal failed", e);
            }
        }
    }

    private void handOff() throws IOException { // holding this
        EvidenceJournal.Segment segment = journal.rotate();
        closed.add(new Closed(segment, openRows, journaled));
        openRows = new ArrayList<>();
    }

    private void run() {
        while (true) {
            Closed next;
            try {
                next = closed.take();
            } catch (InterruptedException e) {
                continue; // only STOP ends the index thread
            }
            if (next == STOP) {
                break;
            }
            // a connection that broke since the last segment (the store was closed and reopened) is
            // replaced at once; only a store that refuses a fresh connection too is a failure
            while (!index(next, false) && !index(next, true) && !closing) {
                try {
                    Thread.sleep(RETRY_MILLIS);
                } catch (InterruptedException e) {
                    // try again at once
                }
            }
        }
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // closing anyway
            }
        }
    }

    /**
     * Inserts, commits and forces a closed segment's rows; false if H2 refused. A
     * first attempt ({@code report} false) on the kept connection fails quietly.
     */
    private boolean index(Closed segment, boolean report) {
        try {
            if (connection == null) {
                connection = db.writerConnection();
                connection.setAutoCommit(false);
            }
            try (PreparedStatement insert = connection.prepareStatement(EvidenceRow.INSERT)) {
                // a commit whose force failed is stored all the same: a retry adds only what follows it
                long stored = EventReader.chainHead(connection, segment.rows().get(0).nodeId()).headSeq();
                for (EvidenceRow row : segment.rows()) {
                    if (row.chainSeq() > stored) {
                        row.addTo(insert);
                    }
                }
                insert.executeBatch();
                connection.commit();
            }
            force.force(connection);
        } catch (SQLException | IOException | RuntimeException e) {
            dropConnection();
            if (!report) {
                return false;
            }
            failure = e.getMessage() == null ? e.toString() : e.getMessage();
            LOG.warn("H2 did not take journal segment {}; kept, tried again", segment.segment().file(), e);
            synchronized (indexedMonitor) {
                indexedMonitor.notifyAll(); // waiting readers learn of the failure
            }
            return false;
        }
        segment.rows().forEach(r -> unindexedIds.remove(r.eventId()));
        synchronized (indexedMonitor) {
            indexed = segment.upTo();
            failure = null;
            indexedMonitor.notifyAll();
        }
        return true;
    }

    private void dropConnection() {
        if (connection != null) {
            try {
                connection.rollback();
                connection.close();
            } catch (SQLException | RuntimeException ignored) {
                // broken already
            }
            connection = null;
        }
    }
}
