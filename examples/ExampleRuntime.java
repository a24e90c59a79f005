import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Random;
import java.util.UUID;

/**
 * A pretend model runtime, end to end against a running PDP:
 *
 * <ol>
 *   <li>asks for a decision ({@code POST /v1/decisions}, layer_skip/approximate requested);</li>
 *   <li>"runs" a synthetic generation of N tokens with made-up per-layer exits;</li>
 *   <li>if the decision expects a trace, writes the hsk.layerwise_trace@0.1 artifact to a temporary
 *       file and uploads it to the reserved {@code trace_artifact_ref} ({@code PUT}, streamed from disk);</li>
 *   <li>reports what ran ({@code POST /v1/decisions/{id}/report}).</li>
 * </ol>
 *
 * It never puts token ids or text in the trace: the PDP would refuse it. Run it with the PDP's jar
 * on the class path (for Jackson), as a single-file program:
 *
 * <pre>java -cp target/pdp.jar examples/ExampleRuntime.java --url http://127.0.0.1:8080 --tokens 500</pre>
 *
 * Options: {@code --url U}, {@code --tokens N} (default 256), {@code --layers L} (default 32),
 * {@code --role R} (default worker), {@code --model M} (default llama-7b), {@code --trace-id T}
 * (default random), {@code --bearer TOKEN} (a runtime-scope token, when the PDP requires one),
 * {@code --ran MODE/EXACTNESS} (report this instead of what was granted: a violation, unless it is a
 * fallback to exact in the decision's fallback chain that says why),
 * {@code --downgrade-reason TEXT} (with {@code --ran}: report {@code downgraded: true} and this reason;
 * the PDP records a permitted fallback as a {@code runtime_downgrade}),
 * {@code --no-upload} (skip the trace: after the deadline it is recorded missing).
 * Progress goes to stderr; stdout gets one JSON object with what happened.
 */
public final class ExampleRuntime {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newHttpClient();
    private String url = "http://127.0.0.1:8080";
    private int tokens = 256;
    private int layers = 32;
    private String role = "worker";
    private String model = "llama-7b";
    private String traceId = "example-" + UUID.randomUUID();
    private String bearer;
    private String ran;
    private String downgradeReason;
    private boolean upload = true;

    public static void main(String[] args) throws Exception {
        ExampleRuntime runtime = new ExampleRuntime();
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--url" -> { runtime.url = value; i++; }
                case "--tokens" -> { runtime.tokens = Integer.parseInt(value); i++; }
                case "--layers" -> { runtime.layers = Integer.parseInt(value); i++; }
                case "--role" -> { runtime.role = value; i++; }
                case "--model" -> { runtime.model = value; i++; }
                case "--trace-id" -> { runtime.traceId = value; i++; }
                case "--bearer" -> { runtime.bearer = value; i++; }
                case "--ran" -> { runtime.ran = value; i++; }
                case "--downgrade-reason" -> { runtime.downgradeReason = value; i++; }
                case "--no-upload" -> runtime.upload = false;
                default -> {
                    System.err.println("unknown option " + args[i]);
                    System.exit(2);
                }
            }
        }
        ObjectNode outcome = runtime.run();
        System.out.println(JSON.writeValueAsString(outcome));
        System.exit(outcome.path("ok").asBoolean() ? 0 : 1);
    }

    ObjectNode run() throws Exception {
        ObjectNode outcome = JSON.createObjectNode();
        // 1. the decision
        ObjectNode request = JSON.createObjectNode();
        request.put("trace_id", traceId).put("role", role).put("task_type", "chat").put("model_id", model)
                .put("backend", "local");
        request.putObject("runtime").putArray("supported_modes").add("standard").add("spec_decode").add("layer_skip");
        request.putObject("settings").putObject("exec_policy").put("mode", "layer_skip").put("exactness", "approximate")
                .putObject("layer_skip").put("schedule", "adaptive").put("skip_ratio", 0.25);
        Reply decided = send("POST", "/v1/decisions", "application/json", HttpRequest.BodyPublishers.ofString(
                JSON.writeValueAsString(request)));
        if (decided.status() != 200) {
            return failed(outcome, "decision", decided);
        }
        JsonNode decision = JSON.readTree(decided.body());
        String decisionId = decision.path("decision_id").asText();
        String mode = decision.path("mode").asText();
        String exactness = decision.path("exactness").asText();
        System.err.printf("decision %s: %s/%s, trace expected: %s%n", decisionId, mode, exactness,
                decision.path("trace_expected").asBoolean());
        outcome.put("decision_id", decisionId).put("trace_id", traceId).put("mode", mode).put("exactness", exactness)
                .set("trace_artifact_ref", decision.get("trace_artifact_ref"));

        // 2. the generation, and its trace when one is expected
        Generation generation = new Generation(tokens, layers, new Random(traceId.hashCode()));
        JsonNode ref = decision.get("trace_artifact_ref");
        if (ref != null && !ref.isNull() && upload) {
            Path trace = Files.createTempFile("trace-", ".jsonl");
            try {
                String sha256 = generation.writeTrace(trace, traceId, model, decision.get("effective_policy"));
                System.err.printf("uploading %d bytes to %s%n", Files.size(trace), ref.asText());
                Reply uploaded = send("PUT", ref.asText(), "application/x-ndjson", HttpRequest.BodyPublishers.ofFile(trace));
                outcome.put("upload_status", uploaded.status()).put("local_sha256", sha256);
                if (uploaded.status() != 201) {
                    return failed(outcome, "upload", uploaded);
                }
                JsonNode attached = JSON.readTree(uploaded.body());
                outcome.set("trace_artifact_sha256", attached.get("trace_artifact_sha256"));
                outcome.set("record_count", attached.get("record_count"));
            } finally {
                Files.deleteIfExists(trace);
            }
        }

        // 3. the report of what ran
        String[] actual = ran == null ? new String[] {mode, exactness} : ran.split("/", 2);
        ObjectNode report = generation.report(actual[0], actual[1]);
        if (ran != null && downgradeReason != null) { // SPEC 5: a runtime that falls back says so, and why
            report.put("downgraded", true).put("downgrade_reason", downgradeReason);
        }
        Reply reported = send("POST", "/v1/decisions/" + decisionId + "/report", "application/json",
                HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(report)));
        outcome.put("report_status", reported.status());
        if (reported.status() != 201) {
            return failed(outcome, "report", reported);
        }
        JsonNode answer = JSON.readTree(reported.body());
        JsonNode violation = answer.get("violation");
        JsonNode downgrade = answer.get("runtime_downgrade");
        outcome.set("violation", violation);
        outcome.set("runtime_downgrade", downgrade);
        System.err.println(violation != null && !violation.isNull() ? "reported: VIOLATION " + violation.path("violations")
                : downgrade != null && !downgrade.isNull() ? "reported: a permitted runtime downgrade"
                : "reported: ran as granted");
        return outcome.put("ok", true);
    }

    private static ObjectNode failed(ObjectNode outcome, String step, Reply reply) {
        System.err.printf("%s refused: %d %s%n", step, reply.status(), reply.body());
        outcome.put("ok", false).put("failed_step", step).put("status", reply.status());
        try {
            outcome.set("problem", JSON.readTree(reply.body()));
        } catch (IOException e) {
            outcome.put("problem", reply.body());
        }
        return outcome;
    }

    private record Reply(int status, String body) {
    }

    private Reply send(String method, String path, String contentType, HttpRequest.BodyPublisher body)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url + path))
                .header("content-type", contentType).method(method, body);
        if (bearer != null) {
            request.header("authorization", "Bearer " + bearer);
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(response.statusCode(), response.body());
    }

    /** A made-up generation: per token, the layer it exited at and how long it took. */
    private static final class Generation {
        private final int[] exitLayers;
        private final double[] tMs;
        private final double[] decodeMs;

        Generation(int tokens, int layers, Random random) {
            exitLayers = new int[tokens];
            tMs = new double[tokens];
            decodeMs = new double[tokens];
            double clock = 40; // prefill
            for (int i = 0; i < tokens; i++) {
                exitLayers[i] = layers / 2 + random.nextInt(layers - layers / 2);
                decodeMs[i] = 8 + random.nextInt(400) / 100.0;
                clock += decodeMs[i];
                tMs[i] = Math.round(clock * 100) / 100.0;
            }
        }

        /** Writes the header and one record per token, and answers the file's SHA-256. */
        String writeTrace(Path file, String traceId, String model, JsonNode effectivePolicy) throws Exception {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
                ObjectNode header = JSON.createObjectNode();
                header.put("trace_id", traceId).put("model_id", model).set("effective_exec_policy", effectivePolicy);
                header.put("created_at", Instant.now().toString()).put("tokenizer_id", model + "-tokenizer");
                out.write(JSON.writeValueAsString(header));
                out.write('\n');
                for (int i = 0; i < exitLayers.length; i++) {
                    // token_index, timing and exits only: never the token itself
                    ObjectNode record = JSON.createObjectNode();
                    record.put("token_index", i).put("t_ms", tMs[i]).put("exit_layer", exitLayers[i])
                            .put("skip_ratio", 0.25).put("decode_ms", decodeMs[i]);
                    out.write(JSON.writeValueAsString(record));
                    out.write('\n');
                }
            }
            return HexFormat.of().formatHex(sha256.digest(Files.readAllBytes(file)));
        }

        ObjectNode report(String mode, String exactness) {
            ObjectNode report = JSON.createObjectNode();
            report.put("mode", mode).put("exactness", exactness).put("token_count", exitLayers.length);
            double total = exitLayers.length == 0 ? 40 : tMs[exitLayers.length - 1];
            report.putObject("timings").put("total_ms", total).put("prefill_ms", 40).put("decode_ms", total - 40);
            if (exitLayers.length > 0) {
                int deepest = 0;
                double sum = 0;
                for (int layer : exitLayers) {
                    deepest = Math.max(deepest, layer);
                    sum += layer;
                }
                // SPEC 5: an object from exit layer (as a string) to a token count, at most 64 keys; a model
                // deeper than 64 layers groups them, each group keyed by its first layer
                int width = Math.max(1, (deepest + 64) / 64);
                java.util.TreeMap<Integer, Long> counts = new java.util.TreeMap<>();
                for (int layer : exitLayers) {
                    counts.merge(layer / width * width, 1L, Long::sum);
                }
                ObjectNode histogram = report.put("mean_exit_layer", Math.round(sum / exitLayers.length * 100) / 100.0)
                        .putObject("exit_layer_histogram");
                counts.forEach((layer, count) -> histogram.put(Integer.toString(layer), count));
            }
            return report;
        }
    }
}
