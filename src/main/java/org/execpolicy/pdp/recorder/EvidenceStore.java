package org.execpolicy.pdp.recorder;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.Writer;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The Flight Recorder as the rest of the PDP uses it: evidence appended durably (committed and forced
 * to the device before the future completes), read back, exported and verified. The rules engine
 * knows nothing of it (RoomsTest keeps it so); decisions, execution (traces and reports), the API and the CLI see
 * only this.
 * <p>
 * {@link FlightRecorder} is the implementation: records folded into units with their content hashes,
 * linked into one hash chain per node by a group-commit writer, over SQL. {@link Database} is the
 * engine under it: embedded H2 in the data directory (the default) or a shared PostgreSQL for
 * several nodes.
 */
public interface EvidenceStore extends AutoCloseable {

    /**
     * Stores the records all or nothing.
     *
     * @throws RecordRejectedException at once if any record is invalid (nothing is queued)
     * @return completes when committed and forced; completes exceptionally with
     *     {@link RecorderUnavailableException} if the store failed (nothing of this append is
     *     stored), or {@link RecordRejectedException} if an event_id was already recorded
     */
    CompletableFuture<Void> append(List<ObjectNode> records);

    /**
     * Says that an append is being prepared (a decision is in its rules): while any is, the writer
     * holds a batch open for it, up to its gathering window, so that decisions made together are
     * stored together. Close it once the append is made, or abandoned.
     */
    Expected expectAppend();

    /** An announced append; closing it more than once is harmless. */
    interface Expected extends AutoCloseable {
        @Override
        void close();
    }

    /** The rules of each loaded ruleset, which firing records refer to instead of repeating them. */
    RuleCatalog ruleCatalog();

    /** The registry snapshots and ruleset sources that decisions are replayed from. */
    ReplayStore replayStore();

    Optional<ObjectNode> event(String eventId);

    /** Newest first, paged by cursor. */
    EventPage events(EventQuery query);

    /** Every record of one decision (the decision and its rule firings), oldest first. */
    List<ObjectNode> eventsOfDecision(String decisionId);

    /**
     * SPEC 4 (v2): the `retention_checkpoint` that proves a record with this id was purged, if any (ids
     * are UUIDv7: one made before a checkpoint's cutoff and no longer stored was purged by it).
     */
    Optional<ObjectNode> retentionCheckpointCovering(String id);

    /** Writes the records with a timestamp in [since, until) as JSON Lines in chain order; nulls mean open ends. */
    long export(Instant since, Instant until, Writer out);

    /** The node whose chain this store writes. */
    String nodeId();

    /** Appends queued and not yet committed. */
    int queueDepth();

    /** Observes every successful group commit (for metrics); called on the writer thread, keep it quick. */
    void onCommit(CommitListener listener);

    /** Walks every hash chain of the whole store, telling {@code progress} how far each walk has come. */
    ChainReport verify(ChainVerifier.Progress progress);

    /**
     * Walks each chain from where the last incremental verification left it intact, a bounded number
     * of records a chain, and records how far it got, so repeated calls cost what is new.
     */
    ChainReport verifySinceLastMark();

    /** False after a failed commit until a later commit or an idle probe succeeds. */
    boolean healthy();

    /** While unhealthy: the store's own words for why the last commit failed. */
    Optional<String> lastFailure();

    /** Stops accepting appends, flushes what is queued. Does not close the Database. */
    @Override
    void close();
}
