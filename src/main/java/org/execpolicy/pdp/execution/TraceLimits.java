package org.execpolicy.pdp.execution;

import java.time.Duration;

/**
 * Limits of layer-wise trace evidence: the largest trace accepted, how long an approximate
 * decision may wait for its trace before a `layerwise_trace_missing` record says it never came,
 * and how often that deadline is checked.
 */
public record TraceLimits(long maxBytes, Duration deadline, Duration checkEvery, Duration retention) {
    /** SPEC 4 (v2, spec 11.5): trace artifacts are kept this long after they were attached. */
    public static final Duration DEFAULT_RETENTION = Duration.ofDays(7);

    public TraceLimits(long maxBytes, Duration deadline, Duration checkEvery) {
        this(maxBytes, deadline, checkEvery, DEFAULT_RETENTION);
    }

    public static final long DEFAULT_MAX_BYTES = 64L * 1024 * 1024;
    public static final Duration DEFAULT_DEADLINE = Duration.ofMinutes(15);
    public static final Duration DEFAULT_CHECK_EVERY = Duration.ofMinutes(1);

    public TraceLimits {
        if (maxBytes < 1) {
            throw new IllegalArgumentException("the trace size limit must be positive, was " + maxBytes);
        }
        if (deadline.isNegative() || deadline.isZero()) {
            throw new IllegalArgumentException("the trace deadline must be positive, was " + deadline);
        }
        if (retention.isNegative() || retention.isZero()) {
            throw new IllegalArgumentException("the trace retention must be positive, was " + retention);
        }
        if (checkEvery.isNegative() || checkEvery.isZero()) {
            throw new IllegalArgumentException("the deadline check period must be positive, was " + checkEvery);
        }
    }

    public static TraceLimits defaults() {
        return new TraceLimits(DEFAULT_MAX_BYTES, DEFAULT_DEADLINE, DEFAULT_CHECK_EVERY);
    }

    public TraceLimits withMaxBytes(long bytes) {
        return new TraceLimits(bytes, deadline, checkEvery, retention);
    }

    public TraceLimits withDeadline(Duration after) {
        return new TraceLimits(maxBytes, after, checkEvery, retention);
    }

    public TraceLimits withCheckEvery(Duration period) {
        return new TraceLimits(maxBytes, deadline, period, retention);
    }

    public TraceLimits withRetention(Duration kept) {
        return new TraceLimits(maxBytes, deadline, checkEvery, kept);
    }
}
