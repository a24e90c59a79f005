package org.execpolicy.pdp.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.execpolicy.pdp.engine.Warmup;
import org.execpolicy.pdp.execution.TraceLimits;
import org.execpolicy.pdp.recorder.ScratchDirectory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole decision path rehearsed before a node listens: a second PDP on a scratch data directory
 * (H2, loopback, an ephemeral port, the same rules, no warm-up of its own) is given the synthetic
 * profile and waiver through the registry API, then answers the synthetic decisions over HTTP from
 * several clients until the JIT compiler has settled or the budget is spent. Everything a runtime's
 * request goes through is compiled before the first one arrives: Netty and Vert.x, access control,
 * request validation, the handlers, the rules, the records, the writer and the store. The JIT's
 * work is per class, not per instance, so the node that then listens runs the compiled code; the
 * scratch PDP and its directory are removed, and nothing reaches the node's Flight Recorder.
 * <p>
 * Answers are not judged: a governance author's rules may refuse the synthetic profile or decisions,
 * and a refusal is rehearsed as well as a grant. A rehearsal that cannot reach its scratch PDP ends
 * early with a warning; the node then starts colder, but it starts.
 */
final class HttpRehearsal {
    private static final Logger LOG = LoggerFactory.getLogger(HttpRehearsal.class);
    /** Clients in flight: enough for the writer to gather batches as under load. */
    private static final int CLIENTS = 64;
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(TIMEOUT).build();
    private final String base;
    private final Path dataDir;
    private final AtomicInteger refused = new AtomicInteger();

    private HttpRehearsal(PdpServer scratch, Path dataDir) {
        this.base = "http://127.0.0.1:" + scratch.port();
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
        try {
            PdpServer.Options scratch = new PdpServer.Options("127.0.0.1", 0, dir, options.rulesDir(), false, 0,
                    PdpServer.DEFAULT_REQUEST_TIMEOUT_MS, PdpServer.DEFAULT_RETENTION_DAYS, options.auth(), 0,
                    null, null, null);
            try (PdpServer server = PdpServer.start(scratch, clock, TraceLimits.defaults())) {
                HttpRehearsal rehearsal = new HttpRehearsal(server, dir);
                int sent = rehearsal.rehearse(clock, budget);
                if (rehearsal.refused.get() > 0) {
                    LOG.info("warm-up: {} rehearsed requests were not answered 2xx (the rules or the registry"
                            + " refused the synthetic profile or decisions)", rehearsal.refused.get());
                }
                return Math.max(0, sent - rehearsal.refused.get());
            }
        } catch (UncheckedIOException e) {
            LOG.warn("warm-up ended early: {}", e.getMessage());
            return 0;
        } finally {
            ScratchDirectory.delete(dir);
        }
    }

    private int rehearse(Clock clock, Duration budget) {
        String operator = AccessTokens.secretOf(dataDir, "operator");
        String runtime = AccessTokens.secretOf(dataDir, "runtime");
        ObjectNode waiver = ((ObjectNode) Warmup.waiver(Instant.now(clock))).deepCopy();
        waiver.remove("created_at"); // the server stamps it
        send("POST", "/v1/waivers", operator, waiver);
        JsonNode profile = Warmup.profile();
        send("PUT", "/v1/profiles/" + profile.path("profile_id").asText(), operator, profile);
        send("POST", "/v1/profiles/" + profile.path("profile_id").asText() + "/activate", operator, null);
        return Warmup.run(budget, CLIENTS, question -> send("POST", "/v1/decisions", runtime, question.request()));
    }

    private void send(String method, String path, String token, JsonNode body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(TIMEOUT)
                .header("authorization", "Bearer " + token);
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("content-type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(body.toString()));
        }
        HttpResponse<String> response;
        try {
            response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException("warm-up: " + method + " " + path + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("warm-up interrupted", e);
        }
        if (response.statusCode() / 100 != 2) {
            refused.incrementAndGet();
        }
    }
}
