package org.execpolicy.pdp.recorder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.execpolicy.pdp.recorder.Records.T0;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The writer's gathering window, made long (20 s) so that the test does not race it: while an append
 * is announced (a decision in its rules) the batch waits for it; with nothing announced an append is
 * written at once.
 */
class GroupCommitGatheringTest {
    private static final long WINDOW_NANOS = TimeUnit.SECONDS.toNanos(20);

    @TempDir
    Path dataDir;
    private Database db;
    private UnitCodec codec;
    private GroupCommitWriter writer;
    /** Appends per committed batch, in commit order (the listener runs after the futures complete). */
    private final BlockingQueue<Integer> batches = new LinkedBlockingQueue<>();

    @BeforeEach
    void open() {
        db = Database.open(dataDir);
        codec = new UnitCodec(new RuleCatalog(db));
        writer = new GroupCommitWriter(db, connection -> { }, null, new HashChain("gathering", 0, null), WINDOW_NANOS);
        writer.onCommit((appends, records, nanos) -> batches.add(appends));
    }

    @AfterEach
    void close() {
        writer.close();
        db.close();
    }

    @Test
    void an_append_waits_for_the_one_being_prepared_and_both_are_one_batch() throws Exception {
        EvidenceStore.Expected preparing = writer.expect();
        CompletableFuture<Void> first = append("d-1");
        awaitTaken(); // the writer has d-1 in hand: without holding it would write it alone now
        CompletableFuture<Void> second = append("d-2");
        preparing.close();

        CompletableFuture.allOf(first, second).get(10, TimeUnit.SECONDS);
        // had d-1 not been held for what was being prepared, it would have been a batch of its own
        assertThat(nextBatch()).as("d-1 and d-2 in one batch").isEqualTo(2);
    }

    @Test
    void an_announced_append_that_is_abandoned_releases_the_batch() throws Exception {
        EvidenceStore.Expected abandoned = writer.expect();
        CompletableFuture<Void> first = append("d-1");
        abandoned.close();
        abandoned.close(); // twice is harmless: it must not release another's announcement

        // within a few seconds, where the 20 s window would have held it
        first.get(5, TimeUnit.SECONDS);
        assertThat(nextBatch()).isEqualTo(1);
        CompletableFuture<Void> second;
        CompletableFuture<Void> third;
        try (EvidenceStore.Expected other = writer.expect()) {
            second = append("d-2");
            awaitTaken();
            third = append("d-3");
        }
        CompletableFuture.allOf(second, third).get(10, TimeUnit.SECONDS);
        assertThat(nextBatch()).as("held for the other announcement, not released by the abandoned one")
                .isEqualTo(2);
    }

    @Test
    void with_nothing_being_prepared_each_append_is_written_at_once() throws Exception {
        append("d-1").get(5, TimeUnit.SECONDS);
        assertThat(nextBatch()).isEqualTo(1);

        append("d-2").get(5, TimeUnit.SECONDS);
        assertThat(nextBatch()).isEqualTo(1);
    }

    /** Waits until the writer has taken every queued append (into the batch it is gathering). */
    private void awaitTaken() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (writer.queueDepth() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertThat(writer.queueDepth()).isZero();
    }

    private Integer nextBatch() throws InterruptedException {
        return batches.poll(10, TimeUnit.SECONDS);
    }

    private CompletableFuture<Void> append(String decisionId) {
        return writer.submit(codec.encode(List.of(Records.execPolicy(decisionId, "trace", T0))), null);
    }
}
