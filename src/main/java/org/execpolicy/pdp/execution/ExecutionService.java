package org.execpolicy.pdp.execution;

import org.execpolicy.pdp.json.Sha256;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.execpolicy.pdp.engine.ReportEvaluation;
import org.execpolicy.pdp.engine.ReportRulesFailedException;
import org.execpolicy.pdp.engine.RuleEngine;
import org.execpolicy.pdp.model.ReportedRun;
import org.execpolicy.pdp.model.SecretRedactor;
import org.execpolicy.pdp.recorder.EvidenceStore;
import org.execpolicy.pdp.recorder.RecordSchemas;
import org.execpolicy.pdp.recorder.RecordRejectedException;
import org.execpolicy.pdp.recorder.TraceArtifacts;
import org.execpolicy.pdp.recorder.TraceDeadlineScan;
import org.execpolicy.pdp.recorder.TraceRetentionScan;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a runtime did with its decision (issue 5): the layer-wise trace it uploads to the reserved
 * reference, its runtime report, the violations they reveal, and the deadline after which a trace
 * that never came is recorded as missing. Everything is read from and written to the Flight
 * Recorder; the only other state is which uploads are in flight.
 * <p>
 * Each decision's evidence changes under one lock (striped by decision id), so that an upload,
 * a report and the deadline check never both see "nothing yet" and both write. Call from worker
 * threads: it blocks on files and JDBC.
 */
public final class ExecutionService {
    private static final Logger LOG = LoggerFactory.getLogger(ExecutionService.class);
    /** The record types of what a runtime did after its decision. */
    public static final Set<String> TYPES = Set.of(ExecutionRecords.ATTACHED, ExecutionRecords.MISSING,
            ExecutionRecords.REPORT, ExecutionRecords.VIOLATION, ExecutionRecords.DOWNGRADE, ExecutionRecords.PURGED);
    private static final int STRIPES = 64;
    private static final int SCAN_PAGE = 500;

    private final EvidenceStore recorder;
    private final TraceArtifacts store;
    private final TraceDeadlineScan scan;
    private final TraceRetentionScan retentionScan;
    private final Clock clock;
    private final TraceLimits limits;
    private final RuleEngine engine;
    private final SecretRedactor redactor;
    private final RecordSchemas schemas = new RecordSchemas();
    private final Set<String> uploading = ConcurrentHashMap.newKeySet();
    private final ReentrantLock[] stripes = new ReentrantLock[STRIPES];
    private final AtomicLong violations = new AtomicLong();
    private final AtomicLong deadlineChecks = new AtomicLong();
    /** Decisions older than this were all resolved by an earlier scan; EPOCH after a start. */
    private Instant resolvedBefore = Instant.EPOCH;

    public ExecutionService(EvidenceStore recorder, TraceArtifacts store, TraceDeadlineScan scan,
                           TraceRetentionScan retentionScan, Clock clock, TraceLimits limits, RuleEngine engine,
                           SecretRedactor redactor) {
        this.engine = engine;
        this.redactor = redactor;
        this.recorder = recorder;
        this.retentionScan = retentionScan;
        this.store = store;
        this.scan = scan;
        this.clock = clock;
        this.limits = limits;
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new ReentrantLock();
        }
    }

    /** An upload that was admitted: its decision and the file its bytes go to. */
    public record Upload(String decisionId, ObjectNode decision, Path file) {
    }

    /**
     * A recorded report: the report, the executed `llm_exec_policy` record, the report rules' firings, and
     * what they concluded: a violation or a permitted downgrade (each null when not).
     */
    public record Reported(ObjectNode report, ObjectNode executed, List<ObjectNode> firings, ObjectNode violation,
                           ObjectNode downgrade) {
    }

    /**
     * Sorts the records of a decision that are not the decision and its own firings: the runtime's
     * evidence (trace, report, violation, downgrade), the executed `llm_exec_policy` record and the report
     * rules' firings. A reader of a decision takes the decided record and the firings without a stage.
     */
    public static boolean isExecutionRecord(JsonNode record) {
        return TYPES.contains(record.path("type").asText()) || ExecutionRecords.isReportFiring(record)
                || (ExecutionRecords.DECISION.equals(record.path("type").asText()) && !ExecutionRecords.isDecided(record));
    }

    /** Whether a record is the decided `llm_exec_policy` (not the executed one a report adds). */
    public static boolean isDecision(JsonNode record) {
        return ExecutionRecords.isDecided(record);
    }

    /** Whether a record is one of the decision's own rule firings (not a report's). */
    public static boolean isDecisionFiring(JsonNode record) {
        return ExecutionRecords.FIRED.equals(record.path("type").asText()) && !ExecutionRecords.isReportFiring(record);
    }

    /**
     * Whether the rules expect a trace upload for this `llm_exec_policy` record (`trace_expected`, set by
     * trace.drl). Records written before that field existed said so only by reserving trace_artifact_ref.
     */
    public static boolean expectsTrace(ObjectNode decision) {
        JsonNode expected = decision.get("trace_expected");
        return expected != null ? expected.asBoolean(false) : decision.hasNonNull("trace_artifact_ref");
    }

    public TraceLimits limits() {
        return limits;
    }

    /** Violations recorded since start (the metric reads it). */
    public long violationsRecorded() {
        return violations.get();
    }

    /** Trace deadline checks completed since start (a test waits on it instead of sleeping). */
    public long deadlineChecksDone() {
        return deadlineChecks.get();
    }

    /**
     * Admits an upload before any byte of it is read.
     *
     * @throws ExecutionRefusedException UNKNOWN when the decision does not exist or expects no trace
     *     (trace_expected false); CONFLICT when its trace is attached, recorded missing, or being uploaded
     */
    public Upload beginUpload(String decisionId) {
        if (!uploading.add(decisionId)) {
            throw ExecutionRefusedException.conflict("a trace for decision '" + decisionId + "' is being uploaded");
        }
        try {
            // read once the upload is claimed: an upload that completes meanwhile is then seen
            List<ObjectNode> records = recorder.eventsOfDecision(decisionId);
            ObjectNode decision = decisionOf(records, decisionId);
            if (!expectsTrace(decision)) {
                throw ExecutionRefusedException.unknown("decision '" + decisionId + "' expects no trace (trace_expected "
                        + "false, trace_artifact_null_reason: " + decision.path("trace_artifact_null_reason").asText()
                        + ")");
            }
            refuseIfResolved(records, decisionId);
            return new Upload(decisionId, decision, store.newUpload());
        } catch (RuntimeException e) {
            uploading.remove(decisionId);
            throw e;
        }
    }

    /**
     * Checks the uploaded file line by line, stores it under its SHA-256 and records
     * `layerwise_trace_attached`. Whatever happens, the upload is over afterwards; on any refusal
     * nothing is kept.
     *
     * @return the attached record, once durable
     */
    public ObjectNode completeUpload(Upload upload) throws IOException {
        boolean kept = false;
        String sha256 = null;
        try {
            MessageDigest digest = Sha256.newDigest();
            TraceReader.Result trace;
            try (InputStream in = new DigestInputStream(
                    new BufferedInputStream(Files.newInputStream(upload.file()), 1 << 16), digest)) {
                TraceReader.Expected expected = new TraceReader.Expected(upload.decision().path("trace_id").asText(),
                        upload.decision().path("model_id").asText(), upload.decision().path("effective_policy_hash").asText());
                trace = TraceReader.read(in, expected);
            }
            sha256 = Sha256.hex(digest);
            long bytes = Files.size(upload.file());
            ReentrantLock lock = lockOf(upload.decisionId());
            lock.lock();
            try {
                refuseIfResolved(recorder.eventsOfDecision(upload.decisionId()), upload.decisionId());
                kept = store.keep(upload.file(), sha256);
                ObjectNode attached = ExecutionRecords.attached(upload.decision(), sha256, bytes, trace, now());
                recorder.append(List.of(attached)).join();
                kept = false; // named by a durable record now
                return attached;
            } finally {
                lock.unlock();
            }
        } finally {
            if (kept) { // stored, but its record could not be appended: nothing may name it, so nothing keeps it
                store.forget(sha256);
            }
            store.discard(upload.file());
            uploading.remove(upload.decisionId());
        }
    }

    /** Ends an upload that was cut short (too large, idle, connection lost): nothing is kept. */
    public void abortUpload(Upload upload) {
        try {
            store.discard(upload.file());
        } finally {
            uploading.remove(upload.decisionId());
        }
    }

    /**
     * The stored artifact of a decision, read from the store every node shares: a trace uploaded through
     * another node is found here too.
     *
     * @throws ExecutionRefusedException UNKNOWN when there is none; PURGED (410) when retention deleted it
     *     (`trace_purged`) or the decision's records (`retention_checkpoint`)
     */
    public TraceArtifacts.Stored trace(String decisionId) {
        List<ObjectNode> records = recorder.eventsOfDecision(decisionId);
        if (records.stream().noneMatch(ExecutionRecords::isDecided)) { // its records may have been purged
            recorder.retentionCheckpointCovering(decisionId).ifPresent(checkpoint -> {
                throw ExecutionRefusedException.purged("decision '" + decisionId + "' and its trace were purged by "
                        + "retention (records before " + checkpoint.path("cutoff").asText() + ")", checkpoint);
            });
        }
        decisionOf(records, decisionId);
        Optional<ObjectNode> purged = find(records, ExecutionRecords.PURGED);
        if (purged.isPresent()) { // SPEC 4 (v2): 410 with the proof, never a bare 404
            throw ExecutionRefusedException.purged("the trace of decision '" + decisionId + "' was purged by retention "
                    + "(--trace-retention-days " + purged.get().path("trace_retention_days").asLong() + ")", purged.get());
        }
        ObjectNode attached = find(records, ExecutionRecords.ATTACHED)
                .orElseThrow(() -> ExecutionRefusedException.unknown("no trace is attached to decision '" + decisionId + "'"));
        String sha256 = attached.path("trace_artifact_sha256").asText();
        return store.find(sha256).orElseThrow(() -> new IllegalStateException(
                "trace " + sha256 + " of decision " + decisionId + " is recorded but not in the store"));
    }

    /** One chunk of a stored artifact, in order from 0 to {@code chunks - 1}: served a chunk at a time. */
    public byte[] traceChunk(TraceArtifacts.Stored artifact, int chunkNo) {
        return store.chunk(artifact, chunkNo);
    }

    /**
     * Records a runtime report (SPEC 5, v2), judged by report.drl: the `llm_exec_report`, the decision's
     * second `llm_exec_policy` record (phase executed), the rules' firings (`policy_rule_fired`, stage
     * report) and what they concluded: an `exec_policy_violation`, a `runtime_downgrade`, or neither.
     * All in one append; nothing when the report is refused. The downgrade_reason passes the secret
     * redactor first.
     *
     * @param body a report already validated against openapi.yaml (shape); ranges are the record schema's
     * @throws ExecutionRefusedException UNKNOWN decision, CONFLICT for a second report, INVALID for
     *     metrics out of range (naming the field)
     */
    public Reported report(String decisionId, ObjectNode body) {
        ReentrantLock lock = lockOf(decisionId);
        lock.lock();
        try {
            List<ObjectNode> records = recorder.eventsOfDecision(decisionId);
            ObjectNode decision = decisionOf(records, decisionId);
            if (find(records, ExecutionRecords.REPORT).isPresent()) {
                throw ExecutionRefusedException.conflict("decision '" + decisionId + "' was already reported");
            }
            Instant now = now();
            String reason = body.hasNonNull("downgrade_reason")
                    ? redactor.redact(body.get("downgrade_reason").asText()) : null;
            ObjectNode report = ExecutionRecords.report(decision, body, reason, now);
            try {
                schemas.validate(report); // the ranges, checked whether or not the recorder checks every record
            } catch (RecordRejectedException e) {
                throw ExecutionRefusedException.invalid(e.location(), "out of range: " + reason(e));
            }
            ReportEvaluation judged = engine.evaluateReport(ReportedRun.of(decision, report,
                    find(records, ExecutionRecords.MISSING).isPresent()));
            List<String> kinds = judged.outcome().getViolations();
            ObjectNode violation = kinds.isEmpty() ? null : ExecutionRecords.violation(decision, report, kinds, now);
            ObjectNode downgrade = judged.outcome().isPermittedDowngrade()
                    ? ExecutionRecords.downgrade(decision, report, judged.rulesetDigest(), now) : null;
            String traceSha256 = find(records, ExecutionRecords.ATTACHED)
                    .map(attached -> attached.path("trace_artifact_sha256").asText()).orElse(null);
            ObjectNode executed = ExecutionRecords.executed(decision, report, traceSha256, now);
            List<ObjectNode> firings = ExecutionRecords.reportFirings(decision, report, judged.firings(),
                    judged.rulesetDigest(), now);
            List<ObjectNode> append = new ArrayList<>();
            append.add(report);
            append.add(executed);
            append.addAll(firings);
            if (violation != null) {
                append.add(violation);
            }
            if (downgrade != null) {
                append.add(downgrade);
            }
            try {
                recorder.append(append).join();
            } catch (RecordRejectedException e) {
                if (!ExecutionRecords.REPORT.equals(e.type())) {
                    throw e;
                }
                throw ExecutionRefusedException.invalid(e.location(), "out of range: " + reason(e));
            }
            if (violation != null) {
                violationRecorded();
            }
            return new Reported(report, executed, firings, violation, downgrade);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Trace retention (SPEC 4, v2): for every trace attached longer ago than {@link TraceLimits#retention()},
     * records `trace_purged` and then deletes the artifact (evidence first: once the record is durable, deleting
     * cannot lose the proof; an artifact whose record could not be appended stays for the next run). Reads its
     * work from the records, so it survives restarts.
     *
     * @return how many traces were purged
     */
    public synchronized int purgeTraces() {
        Instant cutoff = clock.instant().minus(limits.retention());
        int purged = 0;
        long afterSeq = 0;
        List<TraceRetentionScan.Due> page;
        do {
            page = retentionScan.due(cutoff, afterSeq, SCAN_PAGE);
            for (TraceRetentionScan.Due due : page) {
                afterSeq = due.seq();
                ObjectNode attached = due.attached();
                ReentrantLock lock = lockOf(attached.path("decision_id").asText());
                lock.lock();
                try {
                    recorder.append(List.of(ExecutionRecords.purged(attached, cutoff, limits.retention(), now()))).join();
                    // content-addressed: the same bytes attached to a decision still kept keep their file
                    String sha256 = attached.path("trace_artifact_sha256").asText();
                    if (!retentionScan.attachedSince(attached.path("trace_id").asText(), sha256, cutoff)) {
                        store.forget(sha256);
                    }
                    purged++;
                } finally {
                    lock.unlock();
                }
            }
        } while (page.size() == SCAN_PAGE);
        if (purged > 0) {
            LOG.info("trace retention: purged {} trace(s) attached before {}", purged, cutoff);
        }
        return purged;
    }

    /**
     * Records `layerwise_trace_missing` for every decision that reserved a trace artifact (trace.drl:
     * approximate execution) whose trace did not come within the deadline, and a violation when
     * report.drl, judging the decision's report again with the trace missing, concludes one. Reads the candidates from the records: after a restart
     * the first check looks at all of them.
     *
     * @return how many traces were recorded missing
     */
    public synchronized int checkDeadlines() {
        Instant cutoff = clock.instant().minus(limits.deadline());
        // a decision is stored a moment after its timestamp (at most STORE_LAG): look that far behind the last
        Instant nextResolvedBefore = cutoff.minus(TraceDeadlineScan.STORE_LAG);
        int missing = 0;
        long afterSeq = 0;
        List<TraceDeadlineScan.Unresolved> page;
        do {
            page = scan.unresolved(resolvedBefore, cutoff, afterSeq, SCAN_PAGE);
            for (TraceDeadlineScan.Unresolved candidate : page) {
                afterSeq = candidate.seq();
                // the scan returns only decisions stored with trace_reserved, which the recorder sets
                // from this record's trace_artifact_ref: no second check of it here
                ObjectNode decision = candidate.decision();
                if (uploading.contains(decision.path("decision_id").asText())) {
                    Instant decided = Instant.parse(decision.path("timestamp").asText());
                    nextResolvedBefore = decided.isBefore(nextResolvedBefore) ? decided : nextResolvedBefore;
                    continue; // the upload decides; look again next time
                }
                if (recordMissing(decision)) {
                    missing++;
                }
            }
        } while (page.size() == SCAN_PAGE);
        resolvedBefore = nextResolvedBefore.isBefore(resolvedBefore) ? resolvedBefore : nextResolvedBefore;
        deadlineChecks.incrementAndGet();
        if (missing > 0) {
            LOG.info("trace deadline: {} approximate decision(s) got no trace within {}", missing, limits.deadline());
        }
        return missing;
    }

    private boolean recordMissing(ObjectNode decision) {
        String decisionId = decision.path("decision_id").asText();
        ReentrantLock lock = lockOf(decisionId);
        lock.lock();
        try {
            List<ObjectNode> records = recorder.eventsOfDecision(decisionId);
            if (uploading.contains(decisionId) || find(records, ExecutionRecords.ATTACHED).isPresent()
                    || find(records, ExecutionRecords.MISSING).isPresent()) {
                return false;
            }
            Instant now = now();
            List<ObjectNode> append = new ArrayList<>();
            append.add(ExecutionRecords.missing(decision, limits.deadline(), now));
            boolean violated = false;
            Optional<ObjectNode> report = find(records, ExecutionRecords.REPORT);
            if (report.isPresent()) {
                // The report came before the deadline: report.drl judges it again, now knowing the trace is
                // missing, and what it concludes beyond what was recorded at report time is recorded now,
                // with the firings that concluded it (policy lives in the rules, not here).
                ReportEvaluation judged;
                try {
                    judged = engine.evaluateReport(ReportedRun.of(decision, report.get(), true));
                } catch (ReportRulesFailedException e) { // counted as a rule error; the trace is missing all the same
                    recorder.append(append).join();
                    return true;
                }
                Set<String> recordedBefore = new HashSet<>();
                find(records, ExecutionRecords.VIOLATION)
                        .ifPresent(v -> v.path("violations").forEach(kind -> recordedBefore.add(kind.asText())));
                List<String> kinds = judged.outcome().getViolations().stream()
                        .filter(kind -> !recordedBefore.contains(kind)).toList();
                if (!kinds.isEmpty()) {
                    append.addAll(ExecutionRecords.reportFirings(decision, report.get(), judged.firings(),
                            judged.rulesetDigest(), now));
                    append.add(ExecutionRecords.violation(decision, report.get(), kinds, now));
                    violated = true;
                }
            }
            recorder.append(append).join();
            if (violated) {
                violationRecorded();
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    private void violationRecorded() {
        violations.incrementAndGet();
    }

    private static void refuseIfResolved(List<ObjectNode> records, String decisionId) {
        if (find(records, ExecutionRecords.ATTACHED).isPresent()) {
            throw ExecutionRefusedException.conflict("a trace is already attached to decision '" + decisionId + "'");
        }
        if (find(records, ExecutionRecords.MISSING).isPresent()) {
            throw ExecutionRefusedException.conflict("the trace deadline of decision '" + decisionId
                    + "' has passed: it is recorded as missing (layerwise_trace_missing)");
        }
    }

    /** The decided `llm_exec_policy` record: never the executed one a report adds (SPEC 4, v2). */
    private static ObjectNode decisionOf(List<ObjectNode> records, String decisionId) {
        return records.stream().filter(ExecutionRecords::isDecided).findFirst()
                .orElseThrow(() -> ExecutionRefusedException.unknown("no decision '" + decisionId + "'"));
    }

    private static Optional<ObjectNode> find(List<ObjectNode> records, String type) {
        return records.stream().filter(r -> type.equals(r.path("type").asText())).findFirst();
    }

    /** The schema's words for the first failure, without the record-internal schema path. */
    private static String reason(RecordRejectedException e) {
        String message = e.getMessage();
        int at = message.indexOf("': ");
        String text = at < 0 ? message : message.substring(at + 3);
        int schemaPath = text.indexOf(" (#");
        return schemaPath < 0 ? text : text.substring(0, schemaPath);
    }

    private ReentrantLock lockOf(String decisionId) {
        return stripes[Math.floorMod(decisionId.hashCode(), STRIPES)];
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }
}
