package org.execpolicy.pdp.cli;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.execpolicy.pdp.api.AccessTokens;
import org.execpolicy.pdp.api.PdpServer;
import org.execpolicy.pdp.engine.RuleSource;
import org.execpolicy.pdp.engine.Ruleset;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Decisions per second over HTTP with N concurrent clients, against a PDP it
 * starts itself (fresh data directory) or one given by --url. Prints figures;
 * asserts nothing.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Measure decisions per second over HTTP and print the figures.")
final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--url", description = "A running PDP; default: start one on a free port with a fresh data directory.")
    String url;

    @Option(names = "--rules", description = "Rules for the PDP it starts (default: ${DEFAULT-VALUE}).")
    Path rules = Path.of("rules");

    @Option(names = "--clients", description = "Concurrent clients (default: ${DEFAULT-VALUE}).")
    int clients = 16;

    @Option(names = "--seconds", description = "Measured duration after a warm-up of the same length (default: ${DEFAULT-VALUE}).")
    int seconds = 10;

    @Option(names = "--reloads", description = "Reload the rules this many times during the measured run "
            + "(a copy of --rules, changed before each reload); default: ${DEFAULT-VALUE}.")
    int reloads = 0;

    @Option(names = "--trace-mb", paramLabel = "N",
            description = "Instead of decisions: upload one synthetic trace of about N MB to a PDP it starts, and "
                    + "print MB/s and the heap while it streams (default: ${DEFAULT-VALUE} = off).")
    int traceMb = 0;

    private static final String BODY = """
            {"trace_id":"%s","role":"worker","task_type":"chat","model_id":"m-7b","backend":"local",
             "runtime":{"supported_modes":["standard","spec_decode","layer_skip"]},
             "settings":{"temperature":0.7,"exec_policy":{"mode":"layer_skip","exactness":"approximate",
               "budgets":{"max_total_ms":2000},"layer_skip":{"schedule":"adaptive","skip_ratio":0.3}}}}""";

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (traceMb > 0) {
            return TraceBench.run(rules, traceMb, out);
        }
        PdpServer server = null;
        Path served = rules;
        String operatorToken = null;
        if (url == null) {
            printCompileTimes(out);
            served = reloads > 0 ? copyOf(rules) : rules;
            Path data = Files.createTempDirectory("pdp-bench-");
            server = PdpServer.start(new PdpServer.Options("127.0.0.1", 0, data, served, false)
                    .withWarmupMs(org.execpolicy.pdp.engine.Warmup.BUDGET.toMillis()));
            operatorToken = AccessTokens.secretOf(data, "operator");
            url = "http://127.0.0.1:" + server.port();
        } else if (reloads > 0) {
            spec.commandLine().getErr().println("--reloads needs the PDP bench starts itself (no --url)");
            return 2;
        }
        try {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            run(http, seconds); // warm-up: JIT, connection pool, H2 caches
            long heapBefore = usedHeapAfterGc();
            Reloads reloading = reloads > 0 ? Reloads.start(http, url, operatorToken, served, reloads, seconds) : null;
            Result result = run(http, seconds);
            out.printf("clients=%d seconds=%d decisions=%d failed=%d throughput=%.0f decisions/s "
                            + "latency_ms p50=%.2f p99=%.2f max=%.2f%n",
                    clients, seconds, result.ok, result.failed, result.ok / (double) seconds,
                    result.percentile(50), result.percentile(99), result.percentile(100));
            boolean reloadsOk = reloading == null || reloading.finishAndPrint(out);
            if (server != null) {
                out.printf("heap_used_after_gc_mb before=%.1f after=%.1f%n",
                        heapBefore / 1048576.0, usedHeapAfterGc() / 1048576.0);
            }
            return result.failed == 0 && reloadsOk ? 0 : 1;
        } finally {
            if (server != null) {
                server.close();
            }
        }
    }

    /** Heap in use once garbage is collected: what the PDP (and this client) really keep. */
    private static long usedHeapAfterGc() {
        System.gc();
        Runtime runtime = Runtime.getRuntime();
        return runtime.totalMemory() - runtime.freeMemory();
    }

    /**
     * Cold (first in this JVM) and warm compile of the ruleset, as a start and a reload pay them. The
     * warm one compiles the files with a newline added to the last: an edit, as a reload compiles it
     * (the same files again would be the last compiled ruleset, reused without compiling).
     */
    private void printCompileTimes(PrintWriter out) {
        List<RuleSource> sources = Ruleset.sourcesOf(rules);
        long cold = System.nanoTime();
        Ruleset ruleset = Ruleset.compile(sources);
        long warm = System.nanoTime();
        Ruleset.compile(edited(sources));
        long end = System.nanoTime();
        out.printf("ruleset %s: %d rules in %d files, compile_ms cold=%.0f warm=%.0f%n",
                ruleset.digest().substring(0, 12), ruleset.rules().size(), ruleset.files().size(),
                (warm - cold) / 1e6, (end - warm) / 1e6);
    }

    private static List<RuleSource> edited(List<RuleSource> sources) {
        List<RuleSource> edited = new ArrayList<>(sources);
        RuleSource last = edited.remove(edited.size() - 1);
        byte[] bytes = Arrays.copyOf(last.bytes(), last.bytes().length + 1);
        bytes[bytes.length - 1] = '\n';
        edited.add(new RuleSource(last.name(), bytes));
        return edited;
    }

    private static Path copyOf(Path rulesDir) throws IOException {
        Path copy = Files.createTempDirectory("pdp-bench-rules-");
        try (Stream<Path> files = Files.list(rulesDir)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Files.copy(file, copy.resolve(file.getFileName()));
            }
        }
        return copy;
    }

    private Result run(HttpClient http, int durationSeconds) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(durationSeconds).toNanos();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<Future<long[]>> futures = new ArrayList<>();
        AtomicLong failed = new AtomicLong();
        for (int c = 0; c < clients; c++) {
            futures.add(pool.submit(() -> {
                long[] latencies = new long[1 << 16];
                int n = 0;
                while (System.nanoTime() < end) {
                    HttpRequest request = HttpRequest.newBuilder(URI.create(url + "/v1/decisions"))
                            .header("content-type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(BODY.formatted(UUID.randomUUID())))
                            .build();
                    long start = System.nanoTime();
                    int status = http.send(request, HttpResponse.BodyHandlers.ofString()).statusCode();
                    if (status != 200) {
                        failed.incrementAndGet();
                        continue;
                    }
                    if (n == latencies.length) {
                        latencies = Arrays.copyOf(latencies, n * 2);
                    }
                    latencies[n++] = System.nanoTime() - start;
                }
                return Arrays.copyOf(latencies, n);
            }));
        }
        List<long[]> all = new ArrayList<>();
        for (Future<long[]> future : futures) {
            all.add(future.get());
        }
        pool.shutdown();
        long[] merged = all.stream().flatMapToLong(Arrays::stream).sorted().toArray();
        return new Result(merged.length, failed.get(), merged);
    }

    private record Result(long ok, long failed, long[] sortedNanos) {
        double percentile(int p) {
            if (sortedNanos.length == 0) {
                return 0;
            }
            int index = (int) Math.min(sortedNanos.length - 1, Math.ceil(p / 100.0 * sortedNanos.length) - 1);
            return sortedNanos[Math.max(0, index)] / 1e6;
        }
    }
}
