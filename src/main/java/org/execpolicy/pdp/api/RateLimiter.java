package org.execpolicy.pdp.api;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Requests per second per client, as a token bucket per client: each holds up to {@code perSecond}
 * tokens and gains {@code perSecond} a second; a request takes one, or is answered 429
 * {@code rate_limited} with {@code Retry-After} (whole seconds until a token is back).
 *
 * <p>The client is the name of the caller's valid token ({@link Authentication} has checked it),
 * else the remote address: a made-up token is no client of its own, so inventing one per request
 * gains nothing. Memory is bounded: a bucket idle long enough to be full again is the same as
 * none and is evicted by {@link #evictIdle()}; at most {@code maxClients} buckets are kept, and
 * clients beyond that share one overflow bucket until idle ones are evicted. Health probes and
 * metrics scrapes are not limited.
 */
final class RateLimiter implements Handler<RoutingContext> {
    static final int MAX_CLIENTS = 10_000;
    static final long SWEEP_EVERY_MS = 10_000;
    private static final String OVERFLOW = "\u0000overflow";
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final int perSecond;
    private final int maxClients;
    private final LongSupplier nanoClock;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    RateLimiter(int perSecond, int maxClients, LongSupplier nanoClock) {
        if (perSecond <= 0) {
            throw new IllegalArgumentException("requests per second must be positive: " + perSecond);
        }
        this.perSecond = perSecond;
        this.maxClients = maxClients;
        this.nanoClock = nanoClock;
    }

    @Override
    public void handle(RoutingContext ctx) {
        String path = ctx.normalizedPath(); // as routed: "/health/../v1/events" is not a health probe
        if (path != null && (path.startsWith("/health/") || path.equals("/metrics"))) {
            ctx.next();
            return;
        }
        String client = Authentication.holder(ctx).map(holder -> "token:" + holder.name())
                .orElseGet(() -> addressKey(ctx));
        long waitNanos = acquire(client);
        if (waitNanos == 0) {
            ctx.next();
        } else {
            refuse(ctx, waitNanos, "more than " + perSecond + " requests per second from this client");
        }
    }

    /** The client as its remote address. */
    static String addressKey(RoutingContext ctx) {
        return "addr:" + (ctx.request().remoteAddress() == null ? null : ctx.request().remoteAddress().hostAddress());
    }

    /** 429 {@code rate_limited} with {@code Retry-After} in whole seconds until a token is back. */
    static void refuse(RoutingContext ctx, long waitNanos, String why) {
        long retryAfter = Math.max(1, (waitNanos + NANOS_PER_SECOND - 1) / NANOS_PER_SECOND);
        ctx.response().putHeader("retry-after", Long.toString(retryAfter));
        Problems.send(ctx, 429, "rate_limited", why + "; retry after " + retryAfter + " s", List.of());
    }

    /** Takes a token for the client: 0 when granted, else the nanoseconds until one is back. */
    long acquire(String client) {
        long now = nanoClock.getAsLong();
        Bucket bucket = buckets.get(client);
        if (bucket == null) {
            if (buckets.size() >= maxClients) {
                evictIdle();
            }
            bucket = buckets.size() >= maxClients
                    ? buckets.computeIfAbsent(OVERFLOW, k -> new Bucket(perSecond, now))
                    : buckets.computeIfAbsent(client, k -> new Bucket(perSecond, now));
        }
        return bucket.take(now, perSecond);
    }

    /** Drops the buckets that have refilled completely: forgetting them changes nothing. */
    void evictIdle() {
        long now = nanoClock.getAsLong();
        buckets.values().removeIf(bucket -> bucket.isFullAt(now, perSecond));
    }

    int clients() {
        return buckets.size();
    }

    /** Tokens, scaled by one second in nanoseconds so that refill is exact integer arithmetic. */
    private static final class Bucket {
        private long scaledTokens;
        private long updatedAt;

        Bucket(int capacity, long now) {
            this.scaledTokens = capacity * NANOS_PER_SECOND;
            this.updatedAt = now;
        }

        synchronized long take(long now, int perSecond) {
            refill(now, perSecond);
            if (scaledTokens >= NANOS_PER_SECOND) {
                scaledTokens -= NANOS_PER_SECOND;
                return 0;
            }
            // each nanosecond adds perSecond scaled units
            return (NANOS_PER_SECOND - scaledTokens + perSecond - 1) / perSecond;
        }

        synchronized boolean isFullAt(long now, int perSecond) {
            refill(now, perSecond);
            return scaledTokens >= perSecond * NANOS_PER_SECOND;
        }

        private void refill(long now, int perSecond) {
            long elapsed = Math.max(0, now - updatedAt);
            long capacity = perSecond * NANOS_PER_SECOND;
            // elapsed beyond one second refills any bucket; cap before multiplying to avoid overflow
            long gained = elapsed >= NANOS_PER_SECOND ? capacity : elapsed * perSecond;
            scaledTokens = Math.min(capacity, scaledTokens + gained);
            updatedAt = now;
        }
    }
}
