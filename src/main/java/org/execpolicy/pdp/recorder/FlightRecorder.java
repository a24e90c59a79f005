package org.execpolicy.pdp.recorder;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The append-only evidence store. Appends are validated in the caller's
 * thread, then made durable by one writer thread with group commit; a
 * decision may be answered only once its append's future has completed.
 * <p>
 * The future completes on the writer thread: attach only quick callbacks
 * there, or hop to your own executor (e.g. the Vert.x context) first.
 * Query methods block on JDBC; call them from worker threads.
 */
public final class FlightRecorder implements AutoCloseable {

    private final RecordSchemas schemas;
    private final GroupCommitWriter writer;
    private final EventReader reader;
    private final ChainVerifier verifier;
    private final Database db;
    private final ReplayStore replayStore;

    /** Chains records under the node id kept in the data directory. */
    public FlightRecorder(Database db, RecordSchemas schemas) {
        this(db, schemas, NodeIdentity.of(db.dataDir()));
    }

    public FlightRecorder(Database db, RecordSchemas schemas, String nodeId) {
        this.schemas = schemas;
        this.reader = new EventReader(db);
        this.verifier = new ChainVerifier(db);
        this.db = db;
        this.replayStore = new ReplayStore(db);
        this.writer = new GroupCommitWriter(db, reader.chainHead(nodeId));
    }

    /**
     * Stores the records all or nothing.
     *
     * @throws RecordRejectedException at once if any record is invalid (nothing is queued)
     * @return completes when committed; completes exceptionally with
     *     {@link RecorderUnavailableException} if the store failed (nothing of
     *     this append is stored), or {@link RecordRejectedException} if an
     *     event_id was already recorded
     */
    public CompletableFuture<Void> append(List<ObjectNode> records) {
        return append(records, null);
    }

    /** As {@link #append(List)}, with {@code alongside} run in the same transaction (registry changes). */
    CompletableFuture<Void> append(List<ObjectNode> records, SqlWork alongside) {
        List<EventRow> rows = new ArrayList<>(records.size());
        Set<String> eventIds = new HashSet<>();
        for (ObjectNode record : records) {
            schemas.validate(record);
            EventRow row = EventRow.of(record);
            if (!eventIds.add(row.eventId())) {
                throw new RecordRejectedException(row.type(), "/event_id",
                        row.type() + " record rejected at '/event_id': repeated in the same append");
            }
            rows.add(row);
        }
        if (rows.isEmpty() && alongside == null) {
            return CompletableFuture.completedFuture(null);
        }
        return writer.submit(List.copyOf(rows), alongside);
    }

    /** The registry snapshots and ruleset sources that decisions are replayed from. */
    public ReplayStore replayStore() {
        return replayStore;
    }

    public Optional<ObjectNode> event(String eventId) {
        return reader.event(eventId);
    }

    /** Newest first, paged by cursor. */
    public EventPage events(EventQuery query) {
        return reader.events(query);
    }

    /** Every record of one decision (the decision and its rule firings), oldest first. */
    public List<ObjectNode> eventsOfDecision(String decisionId) {
        return reader.eventsOfDecision(decisionId);
    }

    /** Writes the records with a timestamp in [since, until) as JSON Lines in chain order; nulls mean open ends. */
    public long export(java.time.Instant since, java.time.Instant until, java.io.Writer out) {
        return new ChainExporter(db).export(since, until, out);
    }

    /** Appends queued and not yet committed. */
    public int queueDepth() {
        return writer.queueDepth();
    }

    /** Observes every successful group commit (for metrics); called on the writer thread, keep it quick. */
    public void onCommit(CommitListener listener) {
        writer.onCommit(listener);
    }

    /** Walks the hash chains of the whole store (blocking; call from a worker thread). */
    public ChainReport verify() {
        return verifier.verify();
    }

    /** False after a failed commit until a later commit or an idle probe succeeds. */
    public boolean healthy() {
        return writer.healthy();
    }

    /** While unhealthy: the store's own words for why the last commit failed. */
    public Optional<String> lastFailure() {
        return Optional.ofNullable(writer.lastFailure());
    }

    /** Stops accepting appends, flushes what is queued, stops the writer. Does not close the Database. */
    @Override
    public void close() {
        writer.close();
    }
}
