package org.execpolicy.pdp.cli;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.execpolicy.pdp.api.AuthMode;
import org.execpolicy.pdp.api.PdpServer;
import org.execpolicy.pdp.engine.RulesCompileException;
import org.execpolicy.pdp.execution.TraceLimits;
import org.execpolicy.pdp.engine.Warmup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Starts the PDP and serves until SIGTERM, then stops after the recorder has flushed. */
@Command(name = "serve", mixinStandardHelpOptions = true, description = "Start the PDP HTTP server.")
final class ServeCommand implements Callable<Integer> {
    @Option(names = "--host", description = "Address to bind (default: ${DEFAULT-VALUE}).")
    String host = "127.0.0.1";

    @Option(names = "--port", description = "Port; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int port = 8080;

    @Option(names = "--data", description = "Data directory: the Flight Recorder database (default: ${DEFAULT-VALUE}).")
    Path data = Path.of("data");

    @Option(names = "--database", paramLabel = "URL",
            description = "Store evidence and the registry in a shared PostgreSQL database "
                    + "(jdbc:postgresql://HOST:PORT/DB?user=U; password only from PDP_DATABASE_PASSWORD) instead of "
                    + "the embedded H2 store in --data; several nodes on one database are one PDP.")
    String database;

    @Option(names = "--node-id", paramLabel = "ID",
            description = "Name of this node's hash chain (default: the one persisted in --data, created on first start).")
    String nodeId;

    @Option(names = "--tokens", paramLabel = "FILE",
            description = "Access token file, the same for every node (default: DATA/tokens.json, created if missing).")
    Path tokens;

    @Option(names = "--rules", description = "Directory of the DRL rules (default: ${DEFAULT-VALUE}).")
    Path rules = Path.of("rules");

    @Option(names = "--watch", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Reload the rules when their directory changes (default: ${DEFAULT-VALUE}).")
    boolean watch;

    @Option(names = "--rate-limit", paramLabel = "N",
            description = "Requests per second allowed per client (bearer token, else remote address); "
                    + "more are answered 429 with Retry-After. 0 turns it off (default: ${DEFAULT-VALUE}).")
    int rateLimit = 0;

    @Option(names = "--request-timeout-ms", paramLabel = "MS",
            description = "Time a request may take before it is answered 504; 0 turns it off (default: ${DEFAULT-VALUE}).")
    long requestTimeoutMs = PdpServer.DEFAULT_REQUEST_TIMEOUT_MS;

    @Option(names = "--retention-days", paramLabel = "N",
            description = "Days the Flight Recorder keeps records; a daily purge leaves a retention_checkpoint "
                    + "so the rest still verifies (default: ${DEFAULT-VALUE}).")
    int retentionDays = PdpServer.DEFAULT_RETENTION_DAYS;

    @Option(names = "--auth", paramLabel = "MODE",
            description = "loopback: reads and runtime calls need no token; required: every /v1 call needs a token "
                    + "of its scope. Writes always need an operator token; a non-loopback --host forces required "
                    + "(default: ${DEFAULT-VALUE}).")
    String auth = "loopback";

    @Option(names = "--trace-deadline-minutes", paramLabel = "N",
            description = "Minutes an approximate decision's runtime has to upload its trace before a "
                    + "layerwise_trace_missing record says it never came (default: ${DEFAULT-VALUE}).")
    long traceDeadlineMinutes = TraceLimits.DEFAULT_DEADLINE.toMinutes();

    @Option(names = "--trace-retention-days", paramLabel = "N",
            description = "Days a trace artifact is kept after it was attached; then its file is deleted and a "
                    + "trace_purged record says so, and GET /v1/traces/{id} answers 410 (default: ${DEFAULT-VALUE}).")
    long traceRetentionDays = TraceLimits.DEFAULT_RETENTION.toDays();

    @Option(names = "--trace-max-mb", paramLabel = "N",
            description = "Largest trace upload accepted, in MiB; larger is answered 413 and nothing is kept "
                    + "(default: ${DEFAULT-VALUE}).")
    long traceMaxMb = TraceLimits.DEFAULT_MAX_BYTES / (1024 * 1024);

    @Option(names = "--warmup-ms", paramLabel = "MS",
            description = "Longest time spent on rehearsed decisions (nothing stored) before listening and (up to "
                    + "20000) before a reloaded ruleset serves, so the first requests are as fast as later ones; ends "
                    + "sooner once the JIT compilers have next to nothing queued; 0 = off (default: ${DEFAULT-VALUE}).")
    long warmupMs = Warmup.BUDGET.toMillis();

    @Override
    public Integer call() throws InterruptedException {
        PdpServer.Options options;
        TraceLimits traces;
        try {
            options = new PdpServer.Options(host, port, data, rules, watch)
                    .withRateLimit(rateLimit).withRequestTimeoutMs(requestTimeoutMs).withRetentionDays(retentionDays)
                    .withAuth(AuthMode.parse(auth)).withWarmupMs(warmupMs)
                    .withStore(database, nodeId, tokens);
            traces = TraceLimits.defaults().withDeadline(Duration.ofMinutes(traceDeadlineMinutes))
                    .withMaxBytes(Math.multiplyExact(traceMaxMb, 1024L * 1024))
                    .withRetention(Duration.ofDays(traceRetentionDays));
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            return 2;
        }
        PdpServer server;
        try {
            server = PdpServer.start(options, Clock.systemUTC(), traces);
        } catch (RulesCompileException e) {
            System.err.println(e.getMessage());
            return 2;
        } catch (IllegalArgumentException e) { // a --database that is not a PostgreSQL URL, or carries a password
            System.err.println(e.getMessage());
            return 2;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "pdp-shutdown"));
        System.out.println("listening on http://" + host + ":" + server.port());
        System.out.flush();
        stopped.await();
        return 0;
    }
}
