package org.execpolicy.pdp.recorder;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.execpolicy.pdp.model.RecordEnvelope;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The append-only evidence store ({@link EvidenceStore}) over SQL. Appends are encoded into units and their content hashes computed
 * in the caller's thread ({@link UnitCodec}), then linked into the node's hash chain and made durable
 * (committed and forced to the device) by one writer thread with group commit; a decision may be
 * answered only once its append's future has completed.
 * <p>
 * Records the product builds are valid by construction (every record type is checked against its JSON
 * Schema by the tests), so schemas are not paid for per record at run time: give {@code schemas}
 * only to check every append (the test suite does, see {@link #checkingRecords()}).
 * <p>
 * The future completes on the writer thread: attach only quick callbacks
 * there, or hop to your own executor (e.g. the Vert.x context) first.
 * Query methods block on JDBC; call them from worker threads.
 */
public final class FlightRecorder implements EvidenceStore {

    /** System property that makes every recorder check every record against its schema (tests). */
    public static final String CHECK_RECORDS_PROPERTY = "pdp.recorder.check-records";

    private final RecordSchemas schemas; // null: records are not checked at run time
    private final RuleCatalog rules;
    private final UnitCodec codec;
    private final GroupCommitWriter writer;
    private final EvidenceIndex index; // H2 only
    private final EventReader reader;
    private final ChainVerifier verifier;
    private final Database db;
    private final ReplayStore replayStore;
    private final String nodeId;
    private final Clock clock;

    /** Chains records under the node id kept in the data directory; checks records if {@link #checkingRecords()}. */
    public FlightRecorder(Database db) {
        this(db, checkingRecords() ? new RecordSchemas() : null, NodeIdentity.of(db.dataDir()));
    }

    /**
     * Chains records under {@code nodeId} (null: the id kept in the data directory); checks records if
     * {@link #checkingRecords()}.
     */
    public static FlightRecorder forNode(Database db, String nodeId, Clock clock) {
        return new FlightRecorder(db, checkingRecords() ? new RecordSchemas() : null,
                nodeId == null ? NodeIdentity.of(db.dataDir()) : nodeId, db.storageForce(), clock);
    }

    /** Checks every append against {@code schemas} (null: none), under the data directory's node id. */
    public FlightRecorder(Database db, RecordSchemas schemas) {
        this(db, schemas, NodeIdentity.of(db.dataDir()));
    }

    public FlightRecorder(Database db, RecordSchemas schemas, String nodeId) {
        this(db, schemas, nodeId, db.storageForce(), Clock.systemUTC());
    }

    /** As above, forcing each committed batch to the device with {@code force}. */
    FlightRecorder(Database db, RecordSchemas schemas, String nodeId, StorageForce force) {
        this(db, schemas, nodeId, force, Clock.systemUTC());
    }

    /** As above, timing its own records (verification marks, stored sources) by {@code clock}. */
    FlightRecorder(Database db, RecordSchemas schemas, String nodeId, StorageForce force, Clock clock) {
        this(db, schemas, nodeId, force, EvidenceJournal.Sync.FDATASYNC, clock);
    }

    /** As above; on H2, forcing each batch in the evidence journal with {@code journalSync}. */
    FlightRecorder(Database db, RecordSchemas schemas, String nodeId, StorageForce force,
                   EvidenceJournal.Sync journalSync, Clock clock) {
        this.schemas = schemas;
        this.rules = new RuleCatalog(db);
        this.codec = new UnitCodec(rules);
        this.reader = new EventReader(db, codec);
        this.verifier = new ChainVerifier(db, codec);
        this.db = db;
        this.replayStore = new ReplayStore(db, clock);
        this.nodeId = nodeId;
        this.clock = clock;
        this.index = db.shared() ? null : openIndex(db, force, journalSync);
        this.writer = new GroupCommitWriter(db, force, index, reader.chainHead(nodeId));
        if (index != null) {
            db.addIndex(index);
        }
    }

    private static EvidenceIndex openIndex(Database db, StorageForce force, EvidenceJournal.Sync sync) {
        try {
            return new EvidenceIndex(db, force, EvidenceJournal.open(db.dataDir(), sync));
        } catch (java.io.IOException e) {
            throw new RecorderUnavailableException("cannot open the evidence journal in " + db.dataDir() + ": "
                    + e.getMessage(), e);
        }
    }

    /** True when {@value #CHECK_RECORDS_PROPERTY} is set: every append is checked against the schemas. */
    public static boolean checkingRecords() {
        return Boolean.getBoolean(CHECK_RECORDS_PROPERTY);
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
    @Override
    public CompletableFuture<Void> append(List<ObjectNode> records) {
        return append(records, null);
    }

    @Override
    public Expected expectAppend() {
        return writer.expect();
    }

    /** As {@link #append(List)}, with {@code alongside} run in the same transaction (registry changes). */
    CompletableFuture<Void> append(List<ObjectNode> records, SqlWork alongside) {
        Set<String> eventIds = new HashSet<>();
        for (ObjectNode record : records) {
            if (schemas != null) {
                schemas.validate(record);
            }
            if (!eventIds.add(record.path("event_id").asText())) {
                String type = record.path("type").asText();
                throw new RecordRejectedException(type, "/event_id",
                        type + " record rejected at '/event_id': repeated in the same append");
            }
        }
        List<EvidenceUnit> units = codec.encode(records);
        if (units.isEmpty() && alongside == null) {
            return CompletableFuture.completedFuture(null);
        }
        return writer.submit(units, alongside);
    }

    /** The rules of each loaded ruleset, which firing records refer to instead of repeating them. */
    @Override
    public RuleCatalog ruleCatalog() {
        return rules;
    }

    /** The registry snapshots and ruleset sources that decisions are replayed from. */
    @Override
    public ReplayStore replayStore() {
        return replayStore;
    }

    @Override
    public Optional<ObjectNode> event(String eventId) {
        return reader.event(eventId);
    }

    /**
     * SPEC 4 (v2): the `retention_checkpoint` that proves a record with this id was purged, if any. Event
     * and decision ids are UUIDv7, which carry the millisecond they were made: an id made before a
     * checkpoint's cutoff that is no longer stored was purged by it. Empty for an id that is not a
     * UUIDv7 or is younger than every cutoff (then it never existed: a 404).
     */
    @Override
    public Optional<ObjectNode> retentionCheckpointCovering(String id) {
        Instant made;
        try {
            java.util.UUID uuid = java.util.UUID.fromString(id);
            if (uuid.version() != 7) {
                return Optional.empty();
            }
            made = Instant.ofEpochMilli(uuid.getMostSignificantBits() >>> 16);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        // newest first: the latest checkpoint whose cutoff is past the id's time
        return reader.latestOfType("retention_checkpoint").stream()
                .filter(checkpoint -> made.isBefore(Instant.parse(checkpoint.path("cutoff").asText())))
                .findFirst();
    }

    /** Newest first, paged by cursor. */
    @Override
    public EventPage events(EventQuery query) {
        return reader.events(query);
    }

    /** Every record of one decision (the decision and its rule firings), oldest first. */
    @Override
    public List<ObjectNode> eventsOfDecision(String decisionId) {
        return reader.eventsOfDecision(decisionId);
    }

    /** Writes the records with a timestamp in [since, until) as JSON Lines in chain order; nulls mean open ends. */
    @Override
    public long export(Instant since, Instant until, java.io.Writer out) {
        return new ChainExporter(db, codec).export(since, until, out);
    }

    /** The clock the recorder stamps its own records with (injected; tests move it). */
    public Clock clock() {
        return clock;
    }

    /** The node whose chain this recorder writes. */
    @Override
    public String nodeId() {
        return nodeId;
    }

    /** Appends queued and not yet committed. */
    @Override
    public int queueDepth() {
        return writer.queueDepth();
    }

    /** Observes every successful group commit (for metrics); called on the writer thread, keep it quick. */
    @Override
    public void onCommit(CommitListener listener) {
        writer.onCommit(listener);
    }

    /** Most records one incremental verification checks per node: it must answer within a request's time. */
    public static final long INCREMENTAL_MAX_RECORDS = 200_000;

    /** Walks the hash chains of the whole store (blocking; call from a worker thread). */
    public ChainReport verify() {
        return verify((node, checked) -> { });
    }

    /** As {@link #verify()}, telling {@code progress} how far each chain's walk has come, now and then. */
    @Override
    public ChainReport verify(ChainVerifier.Progress progress) {
        return verifier.verify(progress);
    }

    /**
     * Walks each chain from where the last incremental verification left it intact (its
     * {@code chain_verified} record), at most {@link #INCREMENTAL_MAX_RECORDS} a chain, and records how
     * far it got as a new {@code chain_verified} record, so repeated calls cost what is new. A break is
     * reported and not marked. {@link #verify()} re-verifies everything.
     */
    @Override
    public ChainReport verifySinceLastMark() {
        Map<String, ChainVerifier.Start> marks = new HashMap<>();
        reader.latestOfType("chain_verified").forEach(mark -> marks.putIfAbsent(mark.path("verified_node_id").asText(),
                new ChainVerifier.Start(mark.path("through_seq").asLong() + 1, mark.path("through_hash").asText())));
        ChainReport report = verifier.verify(marks::get, INCREMENTAL_MAX_RECORDS, (node, checked) -> { });
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        List<ObjectNode> newMarks = report.chains().stream()
                .filter(chain -> chain.firstBroken() == null && chain.recordsChecked() > 0)
                .map(chain -> {
                    ObjectNode mark = RecordEnvelope.of("chain_verified", "system", now);
                    mark.put("verified_node_id", chain.nodeId());
                    mark.put("from_seq", chain.fromSeq());
                    mark.put("through_seq", chain.headSeq());
                    mark.put("through_hash", chain.headHash());
                    mark.put("records_checked", chain.recordsChecked());
                    return mark;
                }).toList();
        append(newMarks).join();
        return report;
    }

    /** False after a failed commit until a later commit or an idle probe succeeds. */
    @Override
    public boolean healthy() {
        return writer.healthy();
    }

    /** While unhealthy: the store's own words for why the last commit failed. */
    @Override
    public Optional<String> lastFailure() {
        return Optional.ofNullable(writer.lastFailure());
    }

    /** Stops accepting appends, flushes what is queued, stops the writer. Does not close the Database. */
    @Override
    public void close() {
        writer.close();
        if (index != null) {
            db.removeIndex(index);
        }
    }
}
