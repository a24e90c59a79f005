package org.execpolicy.pdp.recorder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.execpolicy.pdp.recorder.Records.T0;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The writer's gathering window, made long (2 s) so that the test does not race it: after a batch of
 * several appends the next batch waits for more; after a lone append, the next is written at once.
 */
class GroupCommitGatheringTest {
    private static final long WINDOW_NANOS = TimeUnit.SECONDS.toNanos(2);

    @TempDir
    Path dataDir;
    private Database db;
    private UnitCodec codec;
    private GroupCommitWriter writer;
    /** Appends per committed batch, in commit order (the listener runs after the futures complete). */
    private final BlockingQueue<Integer> batches = new LinkedBlockingQueue<>();
    private final CountDownLatch forceHeld = new CountDownLatch(1);
    private final CountDownLatch releaseForce = new CountDownLatch(1);
    private volatile boolean holdNextForce;

    @BeforeEach
    void open() {
        db = Database.open(dataDir);
        codec = new UnitCodec(new RuleCatalog(db));
        StorageForce force = connection -> {
            if (holdNextForce) {
                holdNextForce = false;
                forceHeld.countDown();
                await(releaseForce);
            }
        };
        writer = new GroupCommitWriter(db, force, new HashChain("gathering", 0, null), WINDOW_NANOS);
        writer.onCommit((appends, records, nanos) -> batches.add(appends));
    }

    @AfterEach
    void close() {
        writer.close();
        db.close();
    }

    @Test
    void after_a_batch_of_several_the_next_append_waits_for_company() throws Exception {
        twoAppendsInOneBatch();

        CompletableFuture<Void> first = append("d-3");
        Thread.sleep(100); // well inside the window
        assertThat(first).as("gathering").isNotDone();
        CompletableFuture<Void> second = append("d-4");

        CompletableFuture.allOf(first, second).get(10, TimeUnit.SECONDS);
        assertThat(nextBatch()).as("d-3 and d-4 in one batch").isEqualTo(2);
    }

    @Test
    void after_a_lone_append_the_next_is_written_at_once() throws Exception {
        append("d-1").get(10, TimeUnit.SECONDS);
        assertThat(nextBatch()).isEqualTo(1);

        // within a second, where the 2 s window would have held it
        append("d-2").get(1, TimeUnit.SECONDS);
        assertThat(nextBatch()).isEqualTo(1);
    }

    /** Batch 1 holds d-1 in its force while d-2 and d-2b queue: they are written as batch 2. */
    private void twoAppendsInOneBatch() throws Exception {
        holdNextForce = true;
        CompletableFuture<Void> lone = append("d-1");
        assertThat(forceHeld.await(10, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<Void> a = append("d-2");
        CompletableFuture<Void> b = append("d-2b");
        releaseForce.countDown();
        CompletableFuture.allOf(lone, a, b).get(10, TimeUnit.SECONDS);
        assertThat(nextBatch()).isEqualTo(1);
        assertThat(nextBatch()).isEqualTo(2);
    }

    private Integer nextBatch() throws InterruptedException {
        return batches.poll(10, TimeUnit.SECONDS);
    }

    private CompletableFuture<Void> append(String decisionId) {
        return writer.submit(codec.encode(List.of(Records.execPolicy(decisionId, "trace", T0))), null);
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
