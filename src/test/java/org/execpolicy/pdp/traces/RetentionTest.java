package org.execpolicy.pdp.traces;

import static org.assertj.core.api.Assertions.assertThat;
import static org.execpolicy.pdp.traces.Evidence.approximateDecision;
import static org.execpolicy.pdp.traces.Evidence.eventually;
import static org.execpolicy.pdp.traces.Evidence.jsonl;
import static org.execpolicy.pdp.traces.Evidence.records;
import static org.execpolicy.pdp.traces.Evidence.trace;
import static org.execpolicy.pdp.traces.Evidence.upload;
import static org.execpolicy.pdp.traces.TraceUploadTest.assertProblem;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.execpolicy.pdp.api.ResponseContract;
import org.execpolicy.pdp.execution.TraceLimits;
import org.execpolicy.pdp.recorder.Database;
import org.execpolicy.pdp.recorder.FlightRecorder;
import org.execpolicy.pdp.recorder.Retention;
import org.execpolicy.pdp.support.RunningPdp;
import org.execpolicy.pdp.support.SettableClock;
import org.junit.jupiter.api.Test;

/**
 * SPEC 4 Retention (v2): what retention purged answers 410 with the proof, never a bare 404. It runs on the
 * fixture ruleset {@code waiver-gate} ({@link Evidence#start}), which grants the approximate decisions whose
 * traces are purged under the test's own waiver, whatever the shipped rules/ grant.
 */
class RetentionTest {

    @Test
    void a_trace_older_than_the_trace_retention_is_purged_with_proof_and_answers_410() throws Exception {
        Path data = Files.createTempDirectory("pdp-trace-retention-");
        SettableClock clock = new SettableClock();
        TraceLimits limits = TraceLimits.defaults().withCheckEvery(Duration.ofMillis(100))
                .withRetention(Duration.ofDays(7));
        try (RunningPdp pdp = Evidence.start(data, clock, limits)) {
            Evidence.grantApproximateToWorker(pdp);
            JsonNode old = approximateDecision(pdp);
            String oldId = old.path("decision_id").asText();
            assertThat(upload(pdp, old, jsonl(trace(old, 3))).status()).isEqualTo(201);
            String oldSha = records(pdp, "layerwise_trace_attached", oldId).get(0).path("trace_artifact_sha256").asText();
            Path oldFile = pdp.dataDir().resolve("traces/sha256/" + oldSha + ".jsonl");
            assertThat(pdp.get("/v1/traces/" + oldId).status()).isEqualTo(200);

            clock.advance(Duration.ofDays(6));
            JsonNode young = approximateDecision(pdp);
            String youngId = young.path("decision_id").asText();
            assertThat(upload(pdp, young, jsonl(trace(young, 3))).status()).isEqualTo(201);
            clock.advance(Duration.ofDays(2)); // old: attached 8 days ago; young: 2 days ago

            List<JsonNode> purged = eventually(() -> records(pdp, "trace_purged", oldId), r -> !r.isEmpty());

            JsonNode proof = purged.get(0);
            assertThat(proof.path("reason").asText()).isEqualTo("purged_by_retention");
            assertThat(proof.path("trace_artifact_sha256").asText()).isEqualTo(oldSha);
            assertThat(proof.path("trace_retention_days").asInt()).isEqualTo(7);
            // the cutoff is the injected clock's now minus 7 days: after the old attachment, before the young one
            Instant cutoff = Instant.parse(proof.path("cutoff").asText());
            assertThat(cutoff).isAfter(Instant.parse(proof.path("attached_at").asText()));
            assertThat(cutoff).isBefore(Instant.parse(records(pdp, "layerwise_trace_attached", youngId).get(0)
                    .path("timestamp").asText()));
            assertThat(oldFile).doesNotExist();
            RunningPdp.Reply gone = pdp.get("/v1/traces/" + oldId);
            assertProblem(gone, 410, null);
            assertThat(gone.json().path("reason").asText()).isEqualTo("purged_by_retention");
            assertThat(gone.json().path("checkpoint").path("event_id").asText()).isEqualTo(proof.path("event_id").asText());
            RunningPdp.Reply view = pdp.get("/v1/decisions/" + oldId);
            assertThat(view.json().path("trace_status").asText()).isEqualTo("purged");
            assertThat(new ResponseContract().violations("getDecision", view)).as("openapi.yaml knows purged").isEmpty();
            // the young trace is kept, and purged once only
            assertThat(pdp.get("/v1/traces/" + youngId).status()).isEqualTo(200);
            assertThat(records(pdp, "trace_purged", youngId)).isEmpty();
            assertThat(records(pdp, "trace_purged", oldId)).hasSize(1);
        }
    }

    @Test
    void a_decision_purged_by_record_retention_answers_410_with_its_checkpoint() throws Exception {
        Path data = Files.createTempDirectory("pdp-retention-");
        String decisionId;
        String eventId;
        try (RunningPdp pdp = Evidence.start(data)) {
            JsonNode decision = Evidence.exactDecision(pdp);
            decisionId = decision.path("decision_id").asText();
            eventId = decision.path("event_id").asText();
        }
        // what the retention schedule does daily, with a cutoff after the decision
        try (Database db = Database.open(data); FlightRecorder recorder = new FlightRecorder(db)) {
            assertThat(new Retention(db, recorder).purgeOlderThan(Instant.now().plus(Duration.ofMillis(1)))).isNotEmpty();
        }

        try (RunningPdp pdp = Evidence.start(data)) {
            for (String path : List.of("/v1/decisions/" + decisionId, "/v1/events/" + eventId,
                    "/v1/traces/" + decisionId)) {
                RunningPdp.Reply reply = pdp.get(path);
                assertProblem(reply, 410, null);
                assertThat(reply.json().path("reason").asText()).as(path).isEqualTo("purged_by_retention");
                assertThat(reply.json().path("checkpoint").path("type").asText()).isEqualTo("retention_checkpoint");
            }
            // an id that was never recorded (younger than every cutoff) is still a plain 404
            JsonNode fresh = Evidence.exactDecision(pdp);
            String unknown = fresh.path("decision_id").asText().substring(0, 24) + "ffffffffffff";
            assertProblem(pdp.get("/v1/decisions/" + unknown), 404, null);
            assertProblem(pdp.get("/v1/decisions/not-a-uuid"), 404, null);
        }
    }
}
