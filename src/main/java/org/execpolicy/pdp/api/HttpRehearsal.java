package org.execpolicy.pdp.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.execpolicy.pdp.engine.Warmup;
import org.execpolicy.pdp.execution.TraceLimits;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole decision path rehearsed before a node listens: a second PDP on a scratch data directory
 * (H2, loopback, an ephemeral port, the same rules, no warm-up of its own) is given the synthetic
 * profile and waiver through the registry API, then answers the synthetic decisions over HTTP, as
 * many in flight as under the benchmark's load, until the JIT compiler has settled or the budget is
 * spent. Everything a runtime's request goes through is compiled before the first one arrives:
 * Netty and Vert.x, access control, request validation, the handlers, the rules, the records, the
 * writer and the store. The JIT's work is per class, not per instance, so the node that then
 * listens runs the compiled code; the scratch PDP and its directory are removed, and nothing
 * reaches the node's Flight Recorder.
 * <p>
 * The clients are asynchronous (Vert.x), not a thread each: a blocking client spent the cores the
 * rehearsal is for, and got through too few decisions (under 5,000 in 20 s) for the JIT's
 * thresholds of the per-decision code. Answers are not judged: a governance author's rules may
 * refuse the synthetic profile or decisions, and a refusal is rehearsed as well as a grant. A
 * rehearsal that cannot reach its scratch PDP ends early with a warning; the node then starts
 * colder, but it starts.
 */
final class HttpRehearsal {
    private static final Logger LOG = LoggerFactory.getLogger(HttpRehearsal.class);
    /** Requests in flight, as the benchmark's wrk keeps (-c64): the writer gathers batches as under load. */
    private static final int IN_FLIGHT = 64;
    /**
     * Decisions rehearsed at least (within the budget) before a quiet compiler may end the rehearsal:
     * C2 compiles a method after some thousands of calls, so the JIT is quiet early on only because
     * the per-decision code has not been called often enough yet (a rehearsal that stopped after 4,400
     * decisions left C2 compiling the codec, the rules and H2 through the first minute of load).
     */
    private static final int MIN_DECISIONS = 12_000;
    private static final long TIMEOUT_MS = 30_000;

    private final HttpClientAgent client;
    private final int port;
    private final Path dataDir;
    private final AtomicInteger answered = new AtomicInteger();
    private final AtomicInteger refused = new AtomicInteger();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    private HttpRehearsal(Vertx vertx, int port, Path dataDir) {
        this.client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
                new PoolOptions().setHttp1MaxSize(IN_FLIGHT));
        this.port = port;
        this.dataDir = dataDir;
    }

    /**
     * Rehearses for up to {@code budget} (zero: not at all) in a scratch directory of {@code options}'
     * data directory; returns how many rehearsed decisions were answered 2xx.
     */
    static int run(PdpServer.Options options, Clock clock, Duration budget) {
        if (budget.isZero() || budget.isNegative()) {
            return 0;
        }
        Path dir = ScratchDirectory.create(options.dataDir());
        LOG.info("warm-up: rehearsing decisions on a scratch PDP in {} (removed after)", dir);
        Vertx vertx = Vertx.vertx();
        try {
            PdpServer.Options scratch = new PdpServer.Options("127.0.0.1", 0, dir, options.rulesDir(), false, 0,
                    PdpServer.DEFAULT_REQUEST_TIMEOUT_MS, PdpServer.DEFAULT_RETENTION_DAYS, options.auth(), 0,
                    null, null, null);
            try (PdpServer server = PdpServer.start(scratch, clock, TraceLimits.defaults())) {
                HttpRehearsal rehearsal = new HttpRehearsal(vertx, server.port(), dir);
                rehearsal.rehearse(clock, budget);
                if (rehearsal.failure.get() != null) {
                    LOG.warn("warm-up ended early: {}", rehearsal.failure.get().toString());
                }
                if (rehearsal.refused.get() > 0) {
                    LOG.info("warm-up: {} rehearsed requests were not answered 2xx (the rules or the registry"
                            + " refused the synthetic profile or decisions)", rehearsal.refused.get());
                }
                return rehearsal.answered.get();
            }
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().join();
            ScratchDirectory.delete(dir);
        }
    }

    private void rehearse(Clock clock, Duration budget) {
        String operator = AccessTokens.secretOf(dataDir, "operator");
        ObjectNode waiver = ((ObjectNode) Warmup.waiver(Instant.now(clock))).deepCopy();
        waiver.remove("created_at"); // the server stamps it
        JsonNode profile = Warmup.profile();
        String profilePath = "/v1/profiles/" + profile.path("profile_id").asText();
        try {
            send(HttpMethod.POST, "/v1/waivers", operator, Buffer.buffer(waiver.toString()))
                    .compose(s -> send(HttpMethod.PUT, profilePath, operator, Buffer.buffer(profile.toString())))
                    .compose(s -> send(HttpMethod.POST, profilePath + "/activate", operator, null))
                    .toCompletionStage().toCompletableFuture().join();
        } catch (CompletionException e) {
            failure.set(e.getCause());
            return;
        }
        String runtime = AccessTokens.secretOf(dataDir, "runtime");
        List<Buffer> bodies = bodies();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger next = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(IN_FLIGHT);
        for (int i = 0; i < IN_FLIGHT; i++) {
            decide(bodies, runtime, next, stop, done);
        }
        long deadline = System.nanoTime() + budget.toNanos();
        Warmup.awaitSettled(budget, stop);
        while (!stop.get() && answered.get() + refused.get() < MIN_DECISIONS && System.nanoTime() < deadline) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        stop.set(true);
        try {
            done.await(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The synthetic requests, each also without its {@code settings}: a runtime's plain request takes the
     * validation fast path ({@link DecisionRequestShape}), one with settings the full validator.
     */
    private static List<Buffer> bodies() {
        List<Buffer> bodies = new ArrayList<>();
        for (JsonNode request : Warmup.requests()) {
            bodies.add(Buffer.buffer(request.toString()));
            if (request.has("settings")) {
                ObjectNode plain = ((ObjectNode) request).deepCopy();
                plain.remove("settings");
                bodies.add(Buffer.buffer(plain.toString()));
            }
        }
        return bodies;
    }

    /** One client: sends a decision, and the next once it is answered, until told to stop or a send fails. */
    private void decide(List<Buffer> bodies, String token, AtomicInteger next, AtomicBoolean stop,
                        CountDownLatch done) {
        if (stop.get()) {
            done.countDown();
            return;
        }
        Buffer body = bodies.get(Math.floorMod(next.getAndIncrement(), bodies.size()));
        send(HttpMethod.POST, "/v1/decisions", token, body).onComplete(result -> {
            if (result.failed()) {
                failure.compareAndSet(null, result.cause());
                stop.set(true);
            } else if (result.result()) {
                answered.incrementAndGet();
            }
            decide(bodies, token, next, stop, done);
        });
    }

    /** Completes with whether the answer was 2xx; fails only when no answer came. */
    private Future<Boolean> send(HttpMethod method, String path, String token, Buffer body) {
        RequestOptions request = new RequestOptions().setMethod(method).setHost("127.0.0.1").setPort(port)
                .setURI(path).setTimeout(TIMEOUT_MS).putHeader("authorization", "Bearer " + token);
        if (body != null) {
            request.putHeader("content-type", "application/json");
        }
        return client.request(request)
                .compose(req -> body == null ? req.send() : req.send(body))
                .compose(response -> response.body().map(ignored -> {
                    boolean ok = response.statusCode() / 100 == 2;
                    if (!ok) {
                        refused.incrementAndGet();
                    }
                    return ok;
                }));
    }
}
