package org.execpolicy.pdp.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * For `bench --reloads N`: changes a copy of the rules and reloads the running
 * PDP N times, spread over the measured run, and reports how each went.
 */
final class Reloads {
    private final CompletableFuture<List<long[]>> done;

    private Reloads(CompletableFuture<List<long[]>> done) {
        this.done = done;
    }

    static Reloads start(HttpClient http, String url, String operatorToken, Path rulesCopy, int count, int seconds) {
        long gapMillis = seconds * 1000L / (count + 1);
        return new Reloads(CompletableFuture.supplyAsync(() -> {
            List<long[]> outcomes = new ArrayList<>(); // {status, millis}
            for (int i = 1; i <= count; i++) {
                sleep(gapMillis);
                touch(rulesCopy.resolve("presets.drl"), i);
                long start = System.nanoTime();
                int status = post(http, url + "/v1/rules/reload", operatorToken);
                outcomes.add(new long[] {status, (System.nanoTime() - start) / 1_000_000});
            }
            return outcomes;
        }));
    }

    /** Prints the reload figures; true when every reload answered 200. */
    boolean finishAndPrint(PrintWriter out) {
        List<long[]> outcomes = done.join();
        long failed = outcomes.stream().filter(o -> o[0] != 200).count();
        double averageMs = outcomes.stream().mapToLong(o -> o[1]).average().orElse(0);
        long maxMs = outcomes.stream().mapToLong(o -> o[1]).max().orElse(0);
        out.printf("reloads=%d reload_failed=%d reload_ms avg=%.0f max=%d%n",
                outcomes.size(), failed, averageMs, maxMs);
        return failed == 0;
    }

    /** A comment line changes the digest without changing the policy. */
    private static void touch(Path file, int i) {
        try {
            Files.writeString(file, "// bench reload " + i + "\n", StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int post(HttpClient http, String url, String operatorToken) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url)).header("authorization", "Bearer " + operatorToken)
                            .POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
