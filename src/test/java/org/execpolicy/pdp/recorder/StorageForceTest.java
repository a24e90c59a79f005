package org.execpolicy.pdp.recorder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.execpolicy.pdp.recorder.Records.T0;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Durable before the answer (SPEC section 4): on H2 a batch is forced to the evidence journal before
 * any of its appends completes; a force that fails fails the batch (503 upstream), never silently.
 * H2 takes journaled rows only through a forced commit, and while it cannot, nothing is answered.
 */
class StorageForceTest {
    private static final StorageForce H2 = new H2Durability();

    @TempDir
    Path dataDir;

    @Test
    void no_append_completes_before_its_batch_is_forced_and_each_batch_is_forced_once() throws Exception {
        CountDownLatch forceMayFinish = new CountDownLatch(1);
        CountDownLatch forcing = new CountDownLatch(1);
        AtomicInteger forces = new AtomicInteger();
        EvidenceJournal.Sync sync = channel -> {
            forces.incrementAndGet();
            forcing.countDown();
            try {
                forceMayFinish.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            channel.force(false);
        };
        try (Database db = Database.open(dataDir);
             FlightRecorder recorder = new FlightRecorder(db, null, "node-test", H2, sync, Clock.systemUTC())) {
            CompletableFuture<Void> first = recorder.append(List.of(Records.execPolicy("d-0", "t", T0)));
            try {
                assertThat(forcing.await(10, TimeUnit.SECONDS)).as("the batch is being forced").isTrue();
                assertThat(first).as("written but not forced: not answered yet").isNotDone();
            } finally {
                forceMayFinish.countDown();
            }
            List<CompletableFuture<Void>> queued = new ArrayList<>();
            for (int i = 1; i <= 50; i++) {
                queued.add(recorder.append(List.of(Records.execPolicy("d-" + i, "t", T0))));
            }
            first.get(10, TimeUnit.SECONDS);
            CompletableFuture.allOf(queued.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
            assertThat(forces.get()).as("one force per batch: 51 appends, at most 51 batches, at least 2")
                    .isBetween(2, 51);
            assertThat(recorder.eventsOfDecision("d-50")).hasSize(1);
        }
    }

    @Test
    void a_batch_that_cannot_be_forced_fails_closed_and_is_not_found() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        EvidenceJournal.Sync failing = channel -> {
            if (calls.incrementAndGet() == 1) {
                throw new IOException("fdatasync: Input/output error");
            }
            channel.force(false);
        };
        try (Database db = Database.open(dataDir);
             FlightRecorder recorder = new FlightRecorder(db, null, "node-test", H2, failing, Clock.systemUTC())) {
            CompletableFuture<Void> append = recorder.append(List.of(Records.execPolicy("d-1", "t", T0)));
            assertThatThrownBy(append::join).hasCauseInstanceOf(RecorderUnavailableException.class)
                    .hasMessageContaining("Input/output error");
            assertThat(recorder.healthy()).isFalse();

            recorder.append(List.of(Records.execPolicy("d-2", "t", T0))).join();
            assertThat(recorder.healthy()).as("a later batch forced: healthy again").isTrue();
            assertThat(recorder.eventsOfDecision("d-1")).as("the failed batch was cut from the journal").isEmpty();
            assertThat(recorder.verify().intact()).as("d-2 took the failed batch's chain position").isTrue();
        }
        List<String> journaled = new ArrayList<>();
        for (EvidenceJournal.Segment segment : EvidenceJournal.segments(dataDir)) {
            EvidenceJournal.read(segment).forEach(row -> journaled.add(row.decisionId()));
        }
        assertThat(journaled).as("the unforced entry is gone from the file, not only unanswered").containsExactly("d-2");
    }

    @Test
    void while_h2_cannot_take_the_journal_reads_and_appends_fail_closed_and_nothing_is_lost() throws Exception {
        AtomicBoolean h2Fails = new AtomicBoolean(true);
        StorageForce flaky = connection -> {
            if (h2Fails.get()) {
                throw new SQLException("No space left on device");
            }
            H2.force(connection);
        };
        try (Database db = Database.open(dataDir);
             FlightRecorder recorder = new FlightRecorder(db, null, "node-test", flaky,
                     EvidenceJournal.Sync.FDATASYNC, Clock.systemUTC())) {
            recorder.append(List.of(Records.execPolicy("d-1", "t", T0))).join(); // forced in the journal
            assertThatThrownBy(() -> recorder.eventsOfDecision("d-1"))
                    .isInstanceOf(RecorderUnavailableException.class).hasMessageContaining("No space left");
            assertThat(recorder.healthy()).isFalse();
            assertThatThrownBy(recorder.append(List.of(Records.execPolicy("d-2", "t", T0)))::join)
                    .hasCauseInstanceOf(RecorderUnavailableException.class);

            h2Fails.set(false); // the index thread tries the segment again
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!recorder.healthy() && System.nanoTime() < deadline) {
                Thread.sleep(20); // polls for the retry; asserts presence below, not absence
            }
            assertThat(recorder.healthy()).isTrue();
            assertThat(recorder.eventsOfDecision("d-1")).hasSize(1);
            assertThat(recorder.eventsOfDecision("d-2")).isEmpty();
        }
    }
}
