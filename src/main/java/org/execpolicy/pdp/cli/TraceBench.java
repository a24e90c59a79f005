package org.execpolicy.pdp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.execpolicy.pdp.api.AccessTokens;
import org.execpolicy.pdp.api.PdpServer;
import org.execpolicy.pdp.execution.TraceLimits;
import org.execpolicy.pdp.json.Json;

/**
 * `bench --trace-mb N`: one approximate decision, then a synthetic trace of about N MB uploaded to
 * its reference over HTTP. Prints the throughput (upload, check, store and record, end to end) and
 * the heap: in use after GC before and after, and the highest in use (garbage included) while the
 * trace streams. The client runs in the same JVM and streams the file too.
 */
final class TraceBench {
    private static final long MIB = 1024L * 1024;

    private TraceBench() {
    }

    static int run(Path rules, int traceMb, PrintWriter out) throws Exception {
        Path data = Files.createTempDirectory("pdp-trace-bench-");
        TraceLimits limits = TraceLimits.defaults().withMaxBytes(Math.max(TraceLimits.DEFAULT_MAX_BYTES, (traceMb + 1) * MIB));
        Path trace = Files.createTempFile("pdp-trace-bench-", ".jsonl");
        try (PdpServer server = PdpServer.start(new PdpServer.Options("127.0.0.1", 0, data, rules, false),
                Clock.systemUTC(), limits)) {
            String url = "http://127.0.0.1:" + server.port();
            HttpClient http = HttpClient.newHttpClient();
            grantApproximate(http, url, AccessTokens.secretOf(data, "operator"));
            JsonNode decision = Json.MAPPER.readTree(send(http, HttpRequest.newBuilder(URI.create(url + "/v1/decisions"))
                    .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString("""
                            {"trace_id":"bench-trace","role":"worker","task_type":"chat","model_id":"m-7b","backend":"local"}""")),
                    200));
            long records = writeTrace(trace, decision, traceMb * MIB);
            long bytes = Files.size(trace);

            long heapBefore = usedHeapAfterGc();
            MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
            AtomicLong peak = new AtomicLong();
            AtomicBoolean sampling = new AtomicBoolean(true);
            Thread sampler = new Thread(() -> {
                while (sampling.get()) {
                    peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                    try {
                        Thread.sleep(10);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "heap-sampler");
            sampler.start();
            long start = System.nanoTime();
            String attached = send(http, HttpRequest.newBuilder(URI.create(url + decision.path("trace_artifact_ref").asText()))
                    .header("content-type", "application/x-ndjson").PUT(HttpRequest.BodyPublishers.ofFile(trace)), 201);
            double seconds = (System.nanoTime() - start) / 1e9;
            sampling.set(false);
            sampler.join();
            long heapAfter = usedHeapAfterGc();

            out.printf("trace bytes=%d (%.1f MB) records=%d upload+check+store+record seconds=%.2f throughput=%.1f MB/s%n",
                    bytes, bytes / 1e6, records, seconds, bytes / 1e6 / seconds);
            out.printf("heap_used_after_gc_mb before=%.1f after=%.1f; heap_used_peak_while_streaming_mb=%.1f "
                            + "(garbage included); max_heap_mb=%.0f%n", heapBefore / 1048576.0, heapAfter / 1048576.0,
                    peak.get() / 1048576.0, Runtime.getRuntime().maxMemory() / 1048576.0);
            out.println("attached: sha256=" + Json.MAPPER.readTree(attached).path("trace_artifact_sha256").asText());
            return 0;
        } finally {
            Files.deleteIfExists(trace);
        }
    }

    /** Header, then token records until the file is about {@code size} bytes. */
    private static long writeTrace(Path file, JsonNode decision, long size) throws Exception {
        long records = 0;
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            ObjectNode header = Json.object();
            header.put("trace_id", decision.path("trace_id").asText()).put("model_id", "m-7b");
            header.set("effective_exec_policy", decision.get("effective_policy"));
            header.put("created_at", "2026-11-25T12:00:00Z").put("tokenizer_id", "m-7b-tokenizer");
            out.write(header.toString());
            out.write('\n');
            long written = header.toString().length() + 1;
            while (written < size) {
                String line = "{\"token_index\":" + records + ",\"t_ms\":" + (records * 11) + ",\"exit_layer\":"
                        + (16 + records % 16) + ",\"skip_ratio\":0.25,\"spec_accept\":" + (records % 4 != 0)
                        + ",\"decode_ms\":10.5}\n";
                out.write(line);
                written += line.length();
                records++;
            }
        }
        return records;
    }

    private static void grantApproximate(HttpClient http, String url, String operatorToken) throws Exception {
        send(http, HttpRequest.newBuilder(URI.create(url + "/v1/waivers")).header("content-type", "application/json")
                .header("authorization", "Bearer " + operatorToken).POST(HttpRequest.BodyPublishers.ofString("""
                        {"waiver_id":"wv-bench","check_waived":"approximate_execution","scope":{"roles":["worker"]},
                         "justification":"bench","approver":"bench","expires_at":"%s"}""".formatted(
                                Instant.now().plus(Duration.ofDays(30)).truncatedTo(ChronoUnit.SECONDS)))), 201);
        StringBuilder assignments = new StringBuilder();
        for (String role : new String[] {"frontend", "orchestrator", "validator"}) {
            assignments.append("\"").append(role).append("\":{\"primary_model_id\":\"m-7b\",\"local_only\":true},");
        }
        send(http, HttpRequest.newBuilder(URI.create(url + "/v1/profiles/bench")).header("content-type", "application/json")
                .header("authorization", "Bearer " + operatorToken).PUT(HttpRequest.BodyPublishers.ofString(
                        "{\"schema_version\":\"hsk.work_profile@0.6\",\"governance\":{\"automation_level\":\"HYBRID\",\"allow_cloud_escalation\":false},\"profile_id\":\"bench\",\"name\":\"bench\","
                                + "\"model_assignments\":{" + assignments + "\"worker\":{\"primary_model_id\":\"m-7b\","
                                + "\"local_only\":true,\"compute\":{\"speed_preset\":\"fast_approx\",\"approximate\":"
                                + "{\"allowed\":true,\"waiver_ref\":\"wv-bench\"}}}}}")), 201);
        send(http, HttpRequest.newBuilder(URI.create(url + "/v1/profiles/bench/activate"))
                .header("content-type", "application/json").header("authorization", "Bearer " + operatorToken)
                .POST(HttpRequest.BodyPublishers.ofString("{}")), 200);
    }

    private static String send(HttpClient http, HttpRequest.Builder request, int expected) throws Exception {
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != expected) {
            throw new IllegalStateException(request.build().uri() + " answered " + response.statusCode() + ": "
                    + response.body());
        }
        return response.body();
    }

    private static long usedHeapAfterGc() {
        System.gc();
        Runtime runtime = Runtime.getRuntime();
        return runtime.totalMemory() - runtime.freeMemory();
    }
}
