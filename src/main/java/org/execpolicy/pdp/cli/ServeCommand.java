package org.execpolicy.pdp.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.execpolicy.pdp.api.PdpServer;
import org.execpolicy.pdp.engine.RulesCompileException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Starts the PDP and serves until SIGTERM, then stops after the recorder has flushed. */
@Command(name = "serve", description = "Start the PDP HTTP server.")
final class ServeCommand implements Callable<Integer> {
    @Option(names = "--host", description = "Address to bind (default: ${DEFAULT-VALUE}).")
    String host = "127.0.0.1";

    @Option(names = "--port", description = "Port; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int port = 8080;

    @Option(names = "--data", description = "Data directory: the Flight Recorder database (default: ${DEFAULT-VALUE}).")
    Path data = Path.of("data");

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

    @Override
    public Integer call() throws InterruptedException {
        PdpServer.Options options;
        try {
            options = new PdpServer.Options(host, port, data, rules, watch)
                    .withRateLimit(rateLimit).withRequestTimeoutMs(requestTimeoutMs).withRetentionDays(retentionDays);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            return 2;
        }
        PdpServer server;
        try {
            server = PdpServer.start(options);
        } catch (RulesCompileException e) {
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
