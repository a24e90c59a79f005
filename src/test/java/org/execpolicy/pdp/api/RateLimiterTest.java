package org.execpolicy.pdp.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The token bucket per client, on a clock the test moves. */
class RateLimiterTest {
    static final long MS = 1_000_000L;
    final AtomicLong now = new AtomicLong(1_000 * MS);

    @Test
    void a_client_gets_n_requests_at_once_then_waits_for_the_next_token() {
        RateLimiter limiter = new RateLimiter(4, 100, now::get);

        for (int i = 0; i < 4; i++) {
            assertThat(limiter.acquire("a")).isZero();
        }
        assertThat(limiter.acquire("a")).isEqualTo(250 * MS);
        now.addAndGet(100 * MS);
        assertThat(limiter.acquire("a")).isEqualTo(150 * MS);
        now.addAndGet(150 * MS);
        assertThat(limiter.acquire("a")).isZero();
        assertThat(limiter.acquire("a")).isEqualTo(250 * MS);
    }

    @Test
    void clients_have_their_own_buckets() {
        RateLimiter limiter = new RateLimiter(1, 100, now::get);

        assertThat(limiter.acquire("a")).isZero();
        assertThat(limiter.acquire("a")).isPositive();
        assertThat(limiter.acquire("b")).isZero();
    }

    @Test
    void a_long_idle_client_has_a_full_bucket_and_no_more() {
        RateLimiter limiter = new RateLimiter(2, 100, now::get);
        limiter.acquire("a");
        now.addAndGet(3_600_000 * MS);

        assertThat(limiter.acquire("a")).isZero();
        assertThat(limiter.acquire("a")).isZero();
        assertThat(limiter.acquire("a")).isPositive();
    }

    @Test
    void refilled_buckets_are_evicted_and_busy_ones_kept() {
        RateLimiter limiter = new RateLimiter(10, 100, now::get);
        limiter.acquire("idle");
        now.addAndGet(2_000 * MS);
        limiter.acquire("busy");

        limiter.evictIdle();

        assertThat(limiter.clients()).isEqualTo(1);
        // the bucket kept is busy's own, one token used: 9 more now, not a fresh burst of 10
        for (int i = 0; i < 9; i++) {
            assertThat(limiter.acquire("busy")).as("token %d of the 9 left", i + 1).isZero();
        }
        assertThat(limiter.clients()).as("busy kept its bucket, idle got none back").isEqualTo(1);
        assertThat(limiter.acquire("busy")).as("the 11th in the same instant").isEqualTo(100 * MS);
        assertThat(limiter.clients()).isEqualTo(1);
    }

    @Test
    void memory_is_bounded_clients_beyond_the_bound_share_one_bucket() {
        RateLimiter limiter = new RateLimiter(1, 3, now::get);
        for (int i = 0; i < 3; i++) {
            assertThat(limiter.acquire("c" + i)).isZero();
        }

        assertThat(limiter.acquire("x1")).isZero();
        assertThat(limiter.acquire("x2")).as("x2 shares the overflow bucket with x1").isPositive();
        assertThat(limiter.clients()).isEqualTo(4);

        now.addAndGet(5_000 * MS);
        assertThat(limiter.acquire("x3")).as("idle buckets are evicted to make room").isZero();
        assertThat(limiter.clients()).isEqualTo(1);
    }

    @Test
    void a_rate_must_be_positive() {
        assertThatThrownBy(() -> new RateLimiter(0, 10, now::get)).isInstanceOf(IllegalArgumentException.class);
    }
}
