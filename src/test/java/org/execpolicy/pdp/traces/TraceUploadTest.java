package org.execpolicy.pdp.traces;

import static org.assertj.core.api.Assertions.assertThat;
import static org.execpolicy.pdp.traces.Evidence.approximateDecision;
import static org.execpolicy.pdp.traces.Evidence.exactDecision;
import static org.execpolicy.pdp.traces.Evidence.jsonl;
import static org.execpolicy.pdp.traces.Evidence.records;
import static org.execpolicy.pdp.traces.Evidence.sha256;
import static org.execpolicy.pdp.traces.Evidence.trace;
import static org.execpolicy.pdp.traces.Evidence.traceFiles;
import static org.execpolicy.pdp.traces.Evidence.upload;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.util.List;
import org.execpolicy.pdp.execution.TraceLimits;
import org.execpolicy.pdp.support.RunningPdp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * PUT and GET /v1/traces/{decision_id} against a real server: what is stored, what is refused and left behind.
 * It runs on the fixture ruleset {@code waiver-gate} ({@link Evidence#start}): the approximate decision whose
 * trace is uploaded is granted under the test's own waiver, whatever the shipped rules/ grant.
 */
class TraceUploadTest {
    /** Small, so that an over-limit trace is cheap to send. */
    static final long LIMIT = 64 * 1024;

    static RunningPdp pdp;

    @BeforeAll
    static void start() throws Exception {
        pdp = Evidence.start(Files.createTempDirectory("pdp-traces-"), Clock.systemUTC(),
                TraceLimits.defaults().withMaxBytes(LIMIT));
        Evidence.grantApproximateToWorker(pdp);
    }

    @AfterAll
    static void stop() {
        pdp.close();
    }

    @Test
    void an_approximate_decisions_trace_is_stored_by_its_sha256_and_attached_to_the_decision() throws Exception {
        JsonNode decision = approximateDecision(pdp);
        String body = jsonl(trace(decision, 100));
        String decisionId = decision.path("decision_id").asText();

        RunningPdp.Reply reply = upload(pdp, decision, body);

        assertThat(reply.status()).as(reply.body()).isEqualTo(201);
        JsonNode attached = reply.json();
        assertThat(attached.path("type").asText()).isEqualTo("layerwise_trace_attached");
        assertThat(attached.path("trace_artifact_sha256").asText()).isEqualTo(sha256(body));
        assertThat(attached.path("record_count").asLong()).isEqualTo(100);
        assertThat(attached.path("byte_count").asLong()).isEqualTo(body.getBytes(StandardCharsets.UTF_8).length);
        JsonNode summary = attached.get("summary");
        assertThat(summary.path("mean_exit_layer").asDouble()).isEqualTo(25.34); // 20 + i % 12 over 100 tokens
        assertThat(summary.path("exit_layer_bucket_width").asInt()).isEqualTo(1);
        assertThat(summary.get("exit_layer_histogram").size()).isEqualTo(32); // layers 0..31
        assertThat(summary.get("exit_layer_histogram").get(20).asLong()).isEqualTo(9); // i % 12 == 0, i < 100
        assertThat(summary.path("mean_skip_ratio").asDouble()).isEqualTo(0.25);
        assertThat(summary.path("speculative_accept_rate").asDouble()).isEqualTo(0.75);
        // the content-addressed artifact in the store, the recorded evidence, the decision's view and the download agree
        assertThat(Evidence.storedArtifacts(pdp)).contains(sha256(body));
        assertThat(records(pdp, "layerwise_trace_attached", decisionId)).singleElement()
                .satisfies(r -> assertThat(r.path("trace_artifact_sha256").asText()).isEqualTo(sha256(body)));
        JsonNode view = pdp.get("/v1/decisions/" + decisionId).json();
        assertThat(view.path("trace_artifact_sha256").asText()).isEqualTo(sha256(body));
        assertThat(view.path("trace_status").asText()).isEqualTo("attached");
        RunningPdp.Reply download = pdp.get(decision.path("trace_artifact_ref").asText());
        assertThat(download.status()).isEqualTo(200);
        assertThat(download.contentType()).startsWith("application/x-ndjson");
        assertThat(sha256(download.body())).isEqualTo(sha256(body));
    }

    @Test
    void before_its_trace_arrives_the_decision_shows_it_expected_and_no_sha256() {
        JsonNode decision = approximateDecision(pdp);

        JsonNode view = pdp.get("/v1/decisions/" + decision.path("decision_id").asText()).json();

        assertThat(decision.path("trace_expected").asBoolean()).isTrue();
        assertThat(view.path("trace_status").asText()).isEqualTo("expected");
        assertThat(view.get("trace_artifact_sha256").isNull()).isTrue();
        assertThat(pdp.get(decision.path("trace_artifact_ref").asText()).status()).isEqualTo(404);
    }

    @ParameterizedTest
    @ValueSource(strings = {"token_id", "token_ids", "token", "text", "token_text"})
    void a_trace_carrying_token_ids_or_text_is_refused_and_leaves_no_file(String field) {
        JsonNode decision = approximateDecision(pdp);
        List<ObjectNode> lines = trace(decision, 10);
        lines.get(3).put(field, 1234);
        List<String> before = traceFiles(pdp);

        RunningPdp.Reply reply = upload(pdp, decision, jsonl(lines));

        assertProblem(reply, 422, "/3/" + field);
        assertThat(reply.json().path("detail").asText()).contains("never carries token ids or token text");
        assertThat(traceFiles(pdp)).containsExactlyInAnyOrderElementsOf(before);
        assertThat(records(pdp, "layerwise_trace_attached", decision.path("decision_id").asText())).isEmpty();
        assertThat(pdp.get(decision.path("trace_artifact_ref").asText()).status()).isEqualTo(404);
        // refused, not spent: the runtime may still upload a clean trace
        assertThat(upload(pdp, decision, jsonl(trace(decision, 10))).status()).isEqualTo(201);
    }

    @Test
    void token_text_in_the_header_is_refused_too() {
        JsonNode decision = approximateDecision(pdp);
        List<ObjectNode> lines = trace(decision, 2);
        lines.get(0).put("text", "the prompt");

        RunningPdp.Reply reply = upload(pdp, decision, jsonl(lines));

        assertProblem(reply, 422, "/0/text");
        assertThat(reply.body()).doesNotContain("the prompt");
    }

    @Test
    void a_field_outside_the_format_is_refused() {
        JsonNode decision = approximateDecision(pdp);
        List<ObjectNode> lines = trace(decision, 5);
        lines.get(5).put("logits", 0.5);

        assertProblem(upload(pdp, decision, jsonl(lines)), 422, "/5/logits");
    }

    @Test
    void records_out_of_order_or_with_a_gap_are_refused() {
        JsonNode decision = approximateDecision(pdp);
        List<ObjectNode> gap = trace(decision, 5);
        gap.get(3).put("token_index", 3); // the third record must be 2
        List<ObjectNode> backwards = trace(decision, 5);
        backwards.get(4).put("t_ms", 1.0);
        List<ObjectNode> noLayer = trace(decision, 5);
        noLayer.get(2).remove("exit_layer");
        List<ObjectNode> ratio = trace(decision, 5);
        ratio.get(2).put("skip_ratio", 1.5);

        assertProblem(upload(pdp, decision, jsonl(gap)), 422, "/3/token_index");
        assertProblem(upload(pdp, decision, jsonl(backwards)), 422, "/4/t_ms");
        assertProblem(upload(pdp, decision, jsonl(noLayer)), 422, "/2/exit_layer");
        assertProblem(upload(pdp, decision, jsonl(ratio)), 422, "/2/skip_ratio");
        assertThat(records(pdp, "layerwise_trace_attached", decision.path("decision_id").asText())).isEmpty();
    }

    @Test
    void layers_used_stands_in_for_exit_layer() {
        JsonNode decision = approximateDecision(pdp);
        List<ObjectNode> lines = trace(decision, 3);
        lines.subList(1, 4).forEach(r -> {
            r.remove("exit_layer");
            r.put("layers_used", 24);
        });

        RunningPdp.Reply reply = upload(pdp, decision, jsonl(lines));

        assertThat(reply.status()).as(reply.body()).isEqualTo(201);
        assertThat(reply.json().path("summary").get("mean_exit_layer").isNull()).isTrue();
    }

    @Test
    void layers_used_may_list_the_layers_that_ran_each_in_range() {
        JsonNode listed = approximateDecision(pdp);
        List<ObjectNode> lines = trace(listed, 2);
        lines.subList(1, 3).forEach(r -> {
            r.remove("exit_layer");
            r.putArray("layers_used").add(0).add(1).add(5);
        });
        JsonNode outOfRange = approximateDecision(pdp);
        List<ObjectNode> bad = trace(outOfRange, 2);
        bad.get(2).remove("exit_layer");
        bad.get(2).putArray("layers_used").add(0).add(-1);

        assertThat(upload(pdp, listed, jsonl(lines)).status()).isEqualTo(201);
        assertProblem(upload(pdp, outOfRange, jsonl(bad)), 422, "/2/layers_used/1");
    }

    @Test
    void a_header_for_another_trace_or_policy_is_refused() {
        JsonNode decision = approximateDecision(pdp);
        List<ObjectNode> otherTrace = trace(decision, 2);
        otherTrace.get(0).put("trace_id", "someone-else");
        List<ObjectNode> otherPolicy = trace(decision, 2);
        ((ObjectNode) otherPolicy.get(0).get("effective_exec_policy")).put("mode", "early_exit");
        List<ObjectNode> policyAsText = trace(decision, 2);
        policyAsText.get(0).put("effective_exec_policy", decision.get("effective_policy").toString());

        assertProblem(upload(pdp, decision, jsonl(otherTrace)), 422, "/0/trace_id");
        assertProblem(upload(pdp, decision, jsonl(otherPolicy)), 422, "/0/effective_exec_policy");
        assertThat(upload(pdp, decision, jsonl(policyAsText)).status()).isEqualTo(201);
    }

    @Test
    void what_is_not_json_lines_is_a_bad_request() {
        JsonNode decision = approximateDecision(pdp);
        List<ObjectNode> lines = trace(decision, 3);
        String twoOnOneLine = jsonl(lines).replaceFirst("\n", "");
        String pretty = lines.get(0).toPrettyString() + "\n";

        assertProblem(upload(pdp, decision, "{\"trace_id\": \n"), 400, "/0");
        assertProblem(upload(pdp, decision, twoOnOneLine), 400, "/1");
        assertProblem(upload(pdp, decision, pretty), 400, "/0");
        assertProblem(upload(pdp, decision, ""), 422, "/0");
    }

    @Test
    void a_second_upload_to_the_same_reference_is_a_conflict() {
        JsonNode decision = approximateDecision(pdp);
        assertThat(upload(pdp, decision, jsonl(trace(decision, 3))).status()).isEqualTo(201);
        List<String> before = traceFiles(pdp);

        RunningPdp.Reply second = upload(pdp, decision, jsonl(trace(decision, 4)));

        assertProblem(second, 409, null);
        assertThat(traceFiles(pdp)).containsExactlyInAnyOrderElementsOf(before);
        assertThat(records(pdp, "layerwise_trace_attached", decision.path("decision_id").asText())).hasSize(1);
    }

    @Test
    void a_trace_over_the_size_limit_is_refused_and_leaves_no_file() {
        JsonNode decision = approximateDecision(pdp);
        String big = jsonl(trace(decision, 2_000)); // about 140 KB, over the 64 KiB limit
        assertThat((long) big.length()).isGreaterThan(LIMIT);
        List<String> before = traceFiles(pdp);

        RunningPdp.Reply declared = upload(pdp, decision, big);
        // chunked: no content-length to refuse it by, so the count of streamed bytes does
        RunningPdp.Reply streamed = pdp.send(HttpRequest.newBuilder(
                        URI.create(pdp.baseUrl() + decision.path("trace_artifact_ref").asText()))
                .header("content-type", "application/x-ndjson")
                .PUT(HttpRequest.BodyPublishers.ofInputStream(
                        () -> new ByteArrayInputStream(big.getBytes(StandardCharsets.UTF_8)))));

        assertProblem(declared, 413, null);
        assertProblem(streamed, 413, null);
        assertThat(traceFiles(pdp)).containsExactlyInAnyOrderElementsOf(before);
        assertThat(upload(pdp, decision, jsonl(trace(decision, 5))).status()).isEqualTo(201);
    }

    @Test
    void uploads_need_a_reserved_reference_and_the_ndjson_content_type() {
        JsonNode exact = exactDecision(pdp);
        JsonNode approximate = approximateDecision(pdp);

        assertProblem(upload(pdp, "/v1/traces/no-such-decision", "{}\n"), 404, null);
        assertProblem(upload(pdp, "/v1/traces/" + exact.path("decision_id").asText(), "{}\n"), 404, null);
        assertProblem(pdp.send(HttpRequest.newBuilder(URI.create(pdp.baseUrl()
                        + approximate.path("trace_artifact_ref").asText()))
                .header("content-type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(jsonl(trace(approximate, 1))))), 415, null);
        assertThat(upload(pdp, approximate, jsonl(trace(approximate, 1))).status()).isEqualTo(201);
    }

    // ---- identifiers in the header, I-JSON in every line (issue 10, items 4, 5, 6)

    /** Refused as the contract says, with nothing kept: no file, no record, the reference still open. */
    static RunningPdp.Reply refusedAndNothingKept(JsonNode decision, java.util.function.Supplier<RunningPdp.Reply> upload,
                                                  int status, String path) {
        List<String> before = traceFiles(pdp);
        RunningPdp.Reply reply = upload.get();
        assertProblem(reply, status, path);
        assertThat(traceFiles(pdp)).containsExactlyInAnyOrderElementsOf(before);
        assertThat(records(pdp, "layerwise_trace_attached", decision.path("decision_id").asText())).isEmpty();
        assertThat(pdp.get(decision.path("trace_artifact_ref").asText()).status()).isEqualTo(404);
        return reply;
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "tokenizer_id | the tokenizer of the model, version 2",
        "tokenizer_id | llama\u2011tokenizer",
        "tokenizer_id | ' llama-tokenizer'",
        "tokenizer_id | <script>alert(1)</script>",
        "tokenizer_id | -starts-with-a-dash",
        "model_id     | llama 7b",
        "model_id     | llama-7b\u200b"})
    void an_identifier_of_the_header_that_is_free_text_is_refused_naming_it(String field, String value) {
        JsonNode decision = approximateDecision(pdp);
        List<ObjectNode> lines = trace(decision, 3);
        lines.get(0).put(field, value);

        RunningPdp.Reply reply = refusedAndNothingKept(decision, () -> upload(pdp, decision, jsonl(lines)), 422, "/0/" + field);

        assertThat(reply.json().path("detail").asText()).contains(field).contains("identifier");
    }

    @Test
    void a_header_naming_another_model_than_the_decision_is_refused_naming_model_id() {
        JsonNode decision = approximateDecision(pdp);
        List<ObjectNode> lines = trace(decision, 3);
        lines.get(0).put("model_id", "llama-13b");

        RunningPdp.Reply reply = refusedAndNothingKept(decision, () -> upload(pdp, decision, jsonl(lines)), 422, "/0/model_id");

        assertThat(reply.json().path("detail").asText()).contains("llama-7b");
        assertThat(reply.json().path("message").asText()).isEqualTo(reply.json().path("detail").asText());
    }

    @Test
    void a_header_that_names_its_format_is_accepted() {
        JsonNode decision = approximateDecision(pdp);
        List<ObjectNode> lines = trace(decision, 3);
        lines.get(0).put("format", "hsk.layerwise_trace@0.1");

        RunningPdp.Reply reply = upload(pdp, decision, jsonl(lines));

        assertThat(reply.status()).as(reply.body()).isEqualTo(201);
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"hsk.layerwise_trace@0.2\"", "\"HSK.LAYERWISE_TRACE@0.1\"", "\"\"", "1", "null"})
    void a_header_naming_another_format_is_refused_naming_format(String format) {
        JsonNode decision = approximateDecision(pdp);
        List<ObjectNode> lines = trace(decision, 3);
        lines.get(0).set("format", org.execpolicy.pdp.json.Json.parseObject("{\"f\":" + format + "}").get("f"));

        refusedAndNothingKept(decision, () -> upload(pdp, decision, jsonl(lines)), 422, "/0/format");
    }

    @Test
    void an_identifier_over_128_characters_is_refused() {
        JsonNode decision = approximateDecision(pdp);
        List<ObjectNode> lines = trace(decision, 3);
        lines.get(0).put("tokenizer_id", "t".repeat(129));

        refusedAndNothingKept(decision, () -> upload(pdp, decision, jsonl(lines)), 422, "/0/tokenizer_id");
    }

    @Test
    void realistic_model_and_tokenizer_ids_are_kept_as_sent() {
        JsonNode decision = approximateDecision(pdp, "meta-llama/Llama-2-7b-chat-hf");
        List<ObjectNode> lines = trace(decision, 3);
        lines.get(0).put("model_id", "meta-llama/Llama-2-7b-chat-hf").put("tokenizer_id", "hf:meta-llama/Llama-2-7b@main");

        RunningPdp.Reply reply = upload(pdp, decision, jsonl(lines));

        assertThat(reply.status()).as(reply.body()).isEqualTo(201);
        assertThat(reply.json().path("tokenizer_id").asText()).isEqualTo("hf:meta-llama/Llama-2-7b@main");
        assertThat(reply.json().path("model_id").asText()).isEqualTo("meta-llama/Llama-2-7b-chat-hf");
    }

    @ParameterizedTest
    @ValueSource(strings = {"9007199254740993", "-9007199254740992", "18446744073709551616"})
    void an_integer_a_double_cannot_hold_is_refused_naming_its_line_and_field(String literal) {
        JsonNode decision = approximateDecision(pdp);
        List<ObjectNode> lines = trace(decision, 4);
        lines.get(3).put("t_ms", 0);
        String body = jsonl(lines).replace("\"t_ms\":0,", "\"t_ms\":" + literal + ",");

        RunningPdp.Reply reply = refusedAndNothingKept(decision, () -> upload(pdp, decision, body), 400, "/3/t_ms");

        assertThat(reply.json().path("detail").asText()).contains("9007199254740991");
    }

    static byte[] withRawBytes(String jsonl, String marker, int... raw) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        String[] halves = jsonl.split(marker, 2);
        out.writeBytes(halves[0].getBytes(StandardCharsets.UTF_8));
        for (int b : raw) {
            out.write(b);
        }
        out.writeBytes(halves[1].getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    @Test
    void an_overlong_utf8_sequence_is_refused_naming_its_line() {
        JsonNode decision = approximateDecision(pdp);
        List<ObjectNode> lines = trace(decision, 4);
        lines.get(0).put("tokenizer_id", "llamaMARKtok"); // C0 AF would be read as "llama/tok", a valid identifier

        RunningPdp.Reply reply = refusedAndNothingKept(decision,
                () -> upload(pdp, decision, withRawBytes(jsonl(lines), "MARK", 0xC0, 0xAF)), 400, "/0");

        assertThat(reply.json().path("detail").asText()).contains("line 1").contains("UTF-8");
    }

    @Test
    void bytes_that_are_not_utf8_further_down_name_their_own_line() {
        JsonNode decision = approximateDecision(pdp);
        List<ObjectNode> lines = trace(decision, 300); // some 20 KB: the bad line lies beyond the parser's first read
        String body = jsonl(lines);
        int at = body.indexOf("\"token_index\":250,");
        byte[] spoiled = withRawBytes(body.substring(0, at) + "MARK" + body.substring(at), "MARK", 0xED, 0xA0, 0x80);

        RunningPdp.Reply reply = refusedAndNothingKept(decision, () -> upload(pdp, decision, spoiled), 400, "/251");

        assertThat(reply.json().path("detail").asText()).contains("line 252").contains("UTF-8");
    }

    @Test
    void a_trace_ending_inside_a_utf8_sequence_or_holding_a_nul_is_refused() {
        JsonNode decision = approximateDecision(pdp);
        String body = jsonl(trace(decision, 2));

        RunningPdp.Reply cut = refusedAndNothingKept(decision,
                () -> upload(pdp, decision, withRawBytes(body + "{\"t_ms\":\"MARK", "MARK", 0xE2, 0x82)), 400, "/3");
        RunningPdp.Reply nul = refusedAndNothingKept(decision,
                () -> upload(pdp, decision, withRawBytes(body.replaceFirst("\n", "MARK"), "MARK", 0)), 400, "/0");

        assertThat(cut.json().path("detail").asText()).contains("UTF-8");
        assertThat(nul.json().path("detail").asText()).contains("NUL");
    }

    static void assertProblem(RunningPdp.Reply reply, int status, String path) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(status);
        assertThat(reply.contentType()).startsWith("application/problem+json");
        JsonNode problem = reply.json();
        assertThat(problem.path("error_type").asText()).isEqualTo("invalid_request");
        if (path != null) {
            assertThat(problem.path("errors").get(0).path("path").asText()).isEqualTo(path);
        }
    }
}
