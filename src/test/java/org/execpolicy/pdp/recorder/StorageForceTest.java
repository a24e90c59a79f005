package org.execpolicy.pdp.recorder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.execpolicy.pdp.recorder.Records.T0;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Durable before the answer (SPEC section 4): a batch is forced to the device after its commit and
 * before any of its appends completes; a force that fails fails the batch (503 upstream), never silently.
 */
class StorageForceTest {
    @TempDir
    Path dataDir;

    @Test
    void no_append_completes_before_its_batch_is_forced_and_each_batch_is_forced_once() throws Exception {
        CountDownLatch forceMayFinish = new CountDownLatch(1);
        CountDownLatch forcing = new CountDownLatch(1);
        AtomicInteger forces = new AtomicInteger();
        StorageForce force = connection -> {
            forces.incrementAndGet();
            forcing.countDown();
            try {
                forceMayFinish.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        try (Database db = Database.open(dataDir);
             FlightRecorder recorder = new FlightRecorder(db, null, "node-test", force)) {
            CompletableFuture<Void> first = recorder.append(List.of(Records.execPolicy("d-0", "t", T0)));
            assertThat(forcing.await(10, TimeUnit.SECONDS)).as("the batch is being forced").isTrue();
            assertThat(first).as("committed but not forced: not answered yet").isNotDone();
            List<CompletableFuture<Void>> queued = new ArrayList<>();
            for (int i = 1; i <= 50; i++) {
                queued.add(recorder.append(List.of(Records.execPolicy("d-" + i, "t", T0))));
            }
            forceMayFinish.countDown();
            first.get(10, TimeUnit.SECONDS);
            CompletableFuture.allOf(queued.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
            assertThat(forces.get()).as("one force per batch: 51 appends, at most 51 batches, at least 2")
                    .isBetween(2, 51);
        }
    }

    @Test
    void a_batch_that_cannot_be_forced_fails_closed_and_the_recorder_is_unhealthy() {
        AtomicInteger calls = new AtomicInteger();
        StorageForce failing = connection -> {
            if (calls.incrementAndGet() == 1) {
                throw new IOException("fdatasync: Input/output error");
            }
        };
        try (Database db = Database.open(dataDir);
             FlightRecorder recorder = new FlightRecorder(db, null, "node-test", failing)) {
            CompletableFuture<Void> append = recorder.append(List.of(Records.execPolicy("d-1", "t", T0)));
            assertThatThrownBy(append::join).hasCauseInstanceOf(RecorderUnavailableException.class)
                    .hasMessageContaining("Input/output error");
            assertThat(recorder.healthy()).isFalse();

            recorder.append(List.of(Records.execPolicy("d-2", "t", T0))).join();
            assertThat(recorder.healthy()).as("a later batch forced: healthy again").isTrue();
        }
    }
}
