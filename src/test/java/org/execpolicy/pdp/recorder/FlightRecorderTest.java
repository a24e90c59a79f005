package org.execpolicy.pdp.recorder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.execpolicy.pdp.recorder.Records.T0;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FlightRecorderTest {

    private static final RecordSchemas SCHEMAS = new RecordSchemas();

    @TempDir
    Path dataDir;
    private Database db;
    private FlightRecorder recorder;

    @BeforeEach
    void open() {
        db = Database.open(dataDir);
        recorder = new FlightRecorder(db, SCHEMAS);
    }

    @AfterEach
    void close() {
        recorder.close();
        db.close();
    }

    @Test
    void stores_a_decision_and_finds_it_by_id_type_and_decision() {
        ObjectNode decision = Records.execPolicy("d-1", "trace-1", T0);
        ObjectNode fired1 = Records.ruleFired("d-1", 1, T0);
        ObjectNode fired2 = Records.ruleFired("d-1", 2, T0);
        recorder.append(List.of(decision, fired1, fired2)).join();

        assertThat(recorder.event(decision.get("event_id").asText()).map(FlightRecorderTest::unchained)).contains(decision);
        assertThat(recorder.event("00000000-0000-0000-0000-000000000000")).isEmpty();
        assertThat(unchained(recorder.eventsOfDecision("d-1"))).containsExactly(decision, fired1, fired2);
        assertThat(unchained(recorder.events(query("policy_rule_fired", null, null, 10, null)).items()))
                .containsExactly(fired2, fired1);
        assertThat(unchained(recorder.events(query("llm_exec_policy", null, null, 10, null)).items()))
                .containsExactly(decision);
        assertThat(unchained(recorder.events(new EventQuery(null, "trace-1", null, null, null, 10, null)).items()))
                .containsExactly(decision);
        assertThat(recorder.healthy()).isTrue();
    }

    @Test
    void a_failing_commit_listener_does_not_fail_what_was_committed() {
        recorder.onCommit((appends, records, nanos) -> {
            throw new IllegalStateException("a broken metrics listener");
        });
        ObjectNode decision = Records.execPolicy("d-listener", "trace-listener", T0);

        recorder.append(List.of(decision)).join(); // completes normally

        assertThat(recorder.eventsOfDecision("d-listener")).hasSize(1);
        assertThat(recorder.healthy()).isTrue();
    }

    @Test
    void pages_newest_first_with_a_cursor() {
        List<ObjectNode> appended = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            ObjectNode record = Records.execPolicy("d-" + i, "trace-" + i, T0.plusSeconds(i));
            appended.add(record);
            recorder.append(List.of(record)).join();
        }

        List<ObjectNode> seen = new ArrayList<>();
        List<Integer> pageSizes = new ArrayList<>();
        Long cursor = null;
        do {
            EventPage page = recorder.events(query("llm_exec_policy", null, null, 10, cursor));
            seen.addAll(page.items());
            pageSizes.add(page.items().size());
            cursor = EventPage.decodeCursor(page.nextCursor());
        } while (cursor != null);

        assertThat(pageSizes).containsExactly(10, 10, 5);
        Collections.reverse(appended);
        assertThat(unchained(seen)).containsExactlyElementsOf(appended);
    }

    @Test
    void last_full_page_has_no_next_cursor() {
        for (int i = 0; i < 3; i++) {
            recorder.append(List.of(Records.ruleFired("d-1", i + 1, T0))).join();
        }
        assertThat(recorder.events(query(null, null, null, 3, null)).nextCursor()).isNull();
        assertThat(recorder.events(query(null, null, null, 2, null)).nextCursor()).isNotNull();
    }

    @Test
    void filters_by_since_inclusive_and_until_exclusive() {
        for (int i = 0; i < 5; i++) {
            recorder.append(List.of(Records.execPolicy("d-" + i, "t", T0.plus(Duration.ofMinutes(i))))).join();
        }
        List<ObjectNode> items = recorder.events(
                query(null, T0.plus(Duration.ofMinutes(1)), T0.plus(Duration.ofMinutes(3)), 100, null)).items();
        assertThat(items).extracting(r -> r.get("decision_id").asText()).containsExactly("d-2", "d-1");
    }

    @Test
    void rejects_the_whole_append_when_one_record_is_invalid() {
        ObjectNode valid = Records.execPolicy("d-1", "t", T0);
        ObjectNode invalid = Records.ruleFired("d-1", 1, T0).put("messages", "hello");
        assertThatThrownBy(() -> recorder.append(List.of(valid, invalid)))
                .isInstanceOf(RecordRejectedException.class)
                .hasMessageContaining("policy_rule_fired");
        assertThat(recorder.events(EventQuery.newest(10)).items()).isEmpty();
    }

    @Test
    void a_reused_event_id_fails_only_its_own_append() {
        ObjectNode first = Records.execPolicy("d-1", "t", T0);
        recorder.append(List.of(first)).join();

        ObjectNode fresh = Records.ruleFired("d-2", 1, T0);
        ObjectNode reused = Records.ruleFired("d-2", 2, T0).put("event_id", first.get("event_id").asText());
        CompletableFuture<Void> bad = recorder.append(List.of(fresh, reused));
        CompletableFuture<Void> good = recorder.append(List.of(Records.ruleFired("d-3", 1, T0)));

        assertThatThrownBy(bad::join).hasCauseInstanceOf(RecordRejectedException.class);
        good.join();
        assertThat(recorder.eventsOfDecision("d-2")).isEmpty(); // never half-stored
        assertThat(recorder.eventsOfDecision("d-3")).hasSize(1);
        assertThat(recorder.healthy()).isTrue();
    }

    @Test
    void many_threads_appending_concurrently_are_all_stored() throws Exception {
        int threads = 16;
        int appendsPerThread = 200;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<List<CompletableFuture<Void>>>> perThread = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                perThread.add(pool.submit(() -> {
                    List<CompletableFuture<Void>> futures = new ArrayList<>();
                    for (int i = 0; i < appendsPerThread; i++) {
                        String decisionId = "d-" + thread + "-" + i;
                        futures.add(recorder.append(List.of(
                                Records.execPolicy(decisionId, "t-" + thread, T0),
                                Records.ruleFired(decisionId, 1, T0))));
                    }
                    return futures;
                }));
            }
            List<CompletableFuture<Void>> all = new ArrayList<>();
            for (Future<List<CompletableFuture<Void>>> f : perThread) {
                all.addAll(f.get(30, TimeUnit.SECONDS));
            }
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
            assertThat(all).hasSize(threads * appendsPerThread).allMatch(f -> f.isDone() && !f.isCompletedExceptionally());
        } finally {
            pool.shutdownNow();
        }
        assertThat(count("SELECT SUM(record_count) FROM evidence")).isEqualTo(2L * threads * appendsPerThread);
        assertThat(count("SELECT COUNT(DISTINCT decision_id) FROM evidence")).isEqualTo((long) threads * appendsPerThread);
        assertThat(recorder.eventsOfDecision("d-7-123")).hasSize(2);
    }

    @Test
    void close_flushes_what_is_queued_and_records_survive_reopening() {
        List<CompletableFuture<Void>> futures = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            futures.add(recorder.append(List.of(Records.ruleFired("d-" + i, 1, T0))));
        }
        ObjectNode decision = Records.execPolicy("d-last", "t", T0);
        futures.add(recorder.append(List.of(decision)));
        recorder.close(); // without waiting for the futures first
        assertThat(futures).allMatch(f -> f.isDone() && !f.isCompletedExceptionally());
        assertThatThrownBy(() -> recorder.append(List.of(Records.ruleFired("d-x", 1, T0))).join())
                .hasCauseInstanceOf(RecorderUnavailableException.class);
        db.close();

        db = Database.open(dataDir);
        recorder = new FlightRecorder(db, SCHEMAS);
        assertThat(recorder.event(decision.get("event_id").asText()).map(FlightRecorderTest::unchained)).contains(decision);
        assertThat(count("SELECT SUM(record_count) FROM evidence")).isEqualTo(501L);
    }

    @Test
    void fails_closed_while_the_store_is_broken_and_recovers_by_itself() throws SQLException {
        execute("ALTER TABLE evidence RENAME TO evidence_away");
        CompletableFuture<Void> failed = recorder.append(List.of(Records.execPolicy("d-1", "t", T0)));
        assertThatThrownBy(failed::join).hasCauseInstanceOf(RecorderUnavailableException.class);
        assertThat(recorder.healthy()).isFalse();

        execute("ALTER TABLE evidence_away RENAME TO evidence");
        recorder.append(List.of(Records.execPolicy("d-2", "t", T0))).join();
        assertThat(recorder.healthy()).isTrue();
        assertThat(recorder.eventsOfDecision("d-1")).isEmpty();
        assertThat(recorder.eventsOfDecision("d-2")).hasSize(1);
    }

    @Test
    void an_empty_append_completes_at_once() {
        assertThat(recorder.append(List.of())).isCompleted();
    }

    @Test
    void cursors_are_opaque_and_checked() {
        assertThat(EventPage.decodeCursor(EventPage.encodeCursor(42))).isEqualTo(42L);
        assertThat(EventPage.decodeCursor(null)).isNull();
        assertThatThrownBy(() -> EventPage.decodeCursor("42")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EventQuery.newest(0)).isInstanceOf(IllegalArgumentException.class);
    }

    private static EventQuery query(String type, Instant since, Instant until, int limit, Long cursor) {
        return new EventQuery(type, null, null, since, until, limit, cursor);
    }

    private long count(String sql) {
        try (Connection c = db.connection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new CompletionException(e);
        }
    }

    private void execute(String sql) throws SQLException {
        try (Connection c = db.connection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    /** A stored record as it was appended: the recorder adds the hash chain fields. */
    private static ObjectNode unchained(ObjectNode stored) {
        ObjectNode copy = stored.deepCopy();
        copy.remove(List.of("node_id", "chain_seq", "prev_hash", "content_hash", "record_hash"));
        return copy;
    }

    private static List<ObjectNode> unchained(List<ObjectNode> stored) {
        return stored.stream().map(FlightRecorderTest::unchained).toList();
    }
}
