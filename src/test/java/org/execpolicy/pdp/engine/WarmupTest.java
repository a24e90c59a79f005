package org.execpolicy.pdp.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.execpolicy.pdp.support.FixtureRules;
import org.junit.jupiter.api.Test;

/** The warm-up's machinery on a fixture ruleset: threads, the budget, failures. */
class WarmupTest {

    @Test
    void rehearses_on_one_thread_per_core_and_counts_every_decision() {
        DecisionPipeline pipeline = new DecisionPipeline(new RuleEngine(Ruleset.compile(FixtureRules.ONE_MODE)));
        Set<String> threads = ConcurrentHashMap.newKeySet();
        AtomicInteger decided = new AtomicInteger();

        int rehearsed = Warmup.run(Duration.ofMillis(1500), question -> {
            threads.add(Thread.currentThread().getName());
            assertThat(pipeline.decide(question).evaluation()).isNotNull();
            decided.incrementAndGet();
        });

        assertThat(rehearsed).isPositive().isEqualTo(decided.get());
        assertThat(threads).hasSize(Runtime.getRuntime().availableProcessors())
                .allSatisfy(name -> assertThat(name).startsWith("pdp-warmup-"));
    }

    @Test
    void waits_until_the_compile_queue_is_nearly_empty_in_two_readings_in_a_row() {
        // busy, busy, quiet, busy (the quiet run starts again), quiet, quiet: settled at the sixth reading
        int[] lengths = {60, 40, 1, 30, 2, 0, 0, 0};
        AtomicInteger readings = new AtomicInteger();
        Warmup.awaitSettled(Duration.ofSeconds(30), new AtomicBoolean(), () -> {
            int i = readings.getAndIncrement();
            return OptionalInt.of(lengths[Math.min(i, lengths.length - 1)]);
        });
        assertThat(readings.get()).isEqualTo(6);
    }

    @Test
    void a_compile_queue_that_stays_busy_holds_the_warm_up_to_its_budget() {
        AtomicInteger readings = new AtomicInteger();
        long start = System.nanoTime();
        Warmup.awaitSettled(Duration.ofMillis(2500), new AtomicBoolean(), () -> {
            readings.incrementAndGet();
            return OptionalInt.of(40);
        });
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(2_500_000_000L);
        assertThat(readings.get()).isGreaterThanOrEqualTo(4);
    }

    @Test
    void a_zero_budget_rehearses_nothing() {
        assertThat(Warmup.run(Duration.ZERO, question -> {
            throw new AssertionError("no decision expected");
        })).isZero();
    }

    @Test
    void a_failing_decision_ends_the_warm_up_and_is_thrown() {
        assertThatThrownBy(() -> Warmup.run(Duration.ofSeconds(20), question -> {
            throw new IllegalStateException("store down");
        })).isInstanceOf(IllegalStateException.class).hasMessage("store down");
    }
}
