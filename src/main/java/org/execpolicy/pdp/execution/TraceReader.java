package org.execpolicy.pdp.execution;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.Set;
import java.util.regex.Pattern;
import org.execpolicy.pdp.json.CanonicalJson;
import org.execpolicy.pdp.json.IJson;

/**
 * Reads an `hsk.layerwise_trace@0.1` artifact (SPEC.md section 6) as a stream and checks every
 * line: the header against its decision, then each token record in order. Memory stays bounded
 * whatever the trace's size: one line (at most {@link #MAX_LINE_BYTES}) at a time, and a
 * {@link TraceSummary} of fixed size. The first fault ends the read.
 */
public final class TraceReader {
    public static final String FORMAT = "hsk.layerwise_trace@0.1";
    static final int MAX_LINE_BYTES = 64 * 1024;
    private static final int MAX_ID_LENGTH = 256;
    /**
     * model_id and tokenizer_id land in the hash-chained record, where they can never be removed:
     * an identifier, not free text (e.g. {@code llama-7b}, {@code hf:meta-llama/Llama-2-7b@main}).
     */
    static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:/@+-]{0,127}");
    static final String IDENTIFIER_RULE = "an identifier: a letter or digit, then at most 127 of A-Z a-z 0-9 . _ : / @ + -"
            + " (ASCII, no spaces)";

    private static final Set<String> HEADER_FIELDS =
            Set.of("trace_id", "model_id", "effective_exec_policy", "created_at", "tokenizer_id");
    /** v2: an artifact may name its own format, so that it describes itself; then it must be this one. */
    private static final Set<String> HEADER_ALLOWED =
            Set.of("trace_id", "model_id", "effective_exec_policy", "created_at", "tokenizer_id", "format");
    private static final Set<String> RECORD_FIELDS = Set.of("token_index", "t_ms", "exit_layer", "layers_used",
            "skip_ratio", "spec_accept", "prefill_ms", "decode_ms", "verify_ms");
    /** Named so that the refusal says why: the trace format never carries what was generated. */
    private static final Set<String> TOKEN_FIELDS = Set.of("token_id", "token_ids", "token", "text", "token_text");

    private static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(32).maxStringLength(MAX_LINE_BYTES).maxNumberLength(1000).build())
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build());

    /** What the header must agree with: the decision the trace is uploaded for. */
    public record Expected(String traceId, String modelId, String effectivePolicyHash) {
    }

    /** The header's descriptive fields, as the attached record repeats them. */
    public record Header(String modelId, String tokenizerId, String createdAt) {
    }

    public record Result(Header header, TraceSummary summary) {
    }

    private final Expected expected;
    private final TraceSummary summary = new TraceSummary();
    private Header header;
    private double previousTms;

    private TraceReader(Expected expected) {
        this.expected = expected;
    }

    /**
     * @throws ExecutionRefusedException MALFORMED for what is not JSON Lines, INVALID for a line that
     *     breaks the format or disagrees with the decision
     */
    public static Result read(InputStream in, Expected expected) throws IOException {
        TraceReader reader = new TraceReader(expected);
        reader.readAll(new LineLimit(new StrictUtf8Input(in)));
        return new Result(reader.header, reader.summary);
    }

    private void readAll(InputStream in) throws IOException {
        int index = 0;
        try (JsonParser parser = MAPPER.createParser(in)) {
            JsonToken token = parser.nextToken();
            if (token == null) {
                throw ExecutionRefusedException.invalid("/0", "the trace is empty: its first line must be the header");
            }
            while (token != null) {
                int line = index + 1;
                if (token != JsonToken.START_OBJECT || parser.currentTokenLocation().getLineNr() != line) {
                    throw malformed(index, "line " + line + ": each line must hold exactly one JSON object, "
                            + "with no blank lines");
                }
                JsonNode node = MAPPER.readTree(parser);
                if (parser.currentLocation().getLineNr() != line) {
                    throw malformed(index, "line " + line + ": a JSON object must not span lines");
                }
                String unsafe = IJson.unsafeIntegerAt(node);
                if (unsafe != null) {
                    throw malformed("/" + index + unsafe, "line " + line + ": " + IJson.UNSAFE_INTEGER);
                }
                if (index == 0) {
                    header(node);
                } else {
                    record(node, index);
                }
                index++;
                token = parser.nextToken();
            }
        } catch (StrictUtf8Input.NotUtf8 e) {
            throw malformed((int) e.line(), e.getMessage());
        } catch (LineTooLong e) {
            throw malformed(index, "line " + (index + 1) + " is longer than " + MAX_LINE_BYTES + " bytes");
        } catch (JsonProcessingException e) {
            // Jackson's own message may quote the input; say only where it broke
            throw malformed(index, "line " + (index + 1) + " is not valid JSON, or is nested deeper than 32 levels "
                    + "(column " + e.getLocation().getColumnNr() + ")");
        }
    }

    private void header(JsonNode node) {
        checkFields(node, 0, HEADER_ALLOWED, "the header");
        for (String field : HEADER_FIELDS) {
            if (!node.has(field)) {
                throw ExecutionRefusedException.invalid("/0/" + field, "line 1: the header needs " + field);
            }
        }
        String traceId = id(node, 0, "trace_id");
        if (!traceId.equals(expected.traceId())) {
            throw ExecutionRefusedException.invalid("/0/trace_id",
                    "line 1: the header's trace_id must be the decision's, " + expected.traceId());
        }
        JsonNode format = node.get("format");
        if (format != null && !(format.isTextual() && FORMAT.equals(format.asText()))) {
            throw ExecutionRefusedException.invalid("/0/format", "line 1: format, when given, must be " + FORMAT);
        }
        // the trace is evidence of the call the decision was for: another model's trace proves nothing about it
        String modelId = identifier(node, "model_id");
        if (!modelId.equals(expected.modelId())) {
            throw ExecutionRefusedException.invalid("/0/model_id",
                    "line 1: the header's model_id must be the decision's, " + expected.modelId());
        }
        JsonNode policy = policy(node.get("effective_exec_policy"));
        if (policy == null || !CanonicalJson.sha256Hex(policy).equals(expected.effectivePolicyHash())) {
            throw ExecutionRefusedException.invalid("/0/effective_exec_policy", "line 1: effective_exec_policy must be "
                    + "the decision's effective policy (RFC 8785 SHA-256 " + expected.effectivePolicyHash() + ")");
        }
        String createdAt = id(node, 0, "created_at");
        try {
            OffsetDateTime.parse(createdAt);
        } catch (DateTimeParseException e) {
            throw ExecutionRefusedException.invalid("/0/created_at", "line 1: created_at must be an RFC 3339 date-time "
                    + "with an offset");
        }
        header = new Header(modelId, identifier(node, "tokenizer_id"), createdAt);
    }

    /** The policy as an object, or as a string holding its JSON; null when it is neither. */
    private static JsonNode policy(JsonNode value) {
        if (value.isObject()) {
            return value;
        }
        if (value.isTextual()) {
            try {
                JsonNode parsed = MAPPER.readTree(value.asText());
                return parsed != null && parsed.isObject() ? parsed : null;
            } catch (JsonProcessingException e) {
                return null;
            }
        }
        return null;
    }

    private void record(JsonNode node, int index) {
        checkFields(node, index, RECORD_FIELDS, "a token record");
        String at = "/" + index + "/";
        String line = "line " + (index + 1) + ": ";
        JsonNode tokenIndex = node.get("token_index");
        long expectedIndex = index - 1L;
        if (tokenIndex == null || !tokenIndex.isIntegralNumber() || !tokenIndex.canConvertToLong()
                || tokenIndex.asLong() != expectedIndex) {
            throw ExecutionRefusedException.invalid(at + "token_index", line + "token_index must be " + expectedIndex
                    + ": records come in order 0..n-1 with no gaps");
        }
        double tMs = number(node, index, "t_ms", true, Double.MAX_VALUE);
        if (tMs < previousTms) {
            throw ExecutionRefusedException.invalid(at + "t_ms", line + "t_ms must not decrease (previous "
                    + previousTms + ")");
        }
        previousTms = tMs;
        if (!node.has("exit_layer") && !node.has("layers_used")) {
            throw ExecutionRefusedException.invalid(at + "exit_layer", line + "a token record needs exit_layer or layers_used");
        }
        summary.addRecord();
        if (node.has("exit_layer")) {
            summary.addExitLayer(layer(node, index, "exit_layer"));
        }
        if (node.has("layers_used")) {
            layersUsed(node, index);
        }
        if (node.has("skip_ratio")) {
            summary.addSkipRatio(number(node, index, "skip_ratio", false, 1));
        }
        JsonNode accept = node.get("spec_accept");
        if (accept != null) {
            summary.addSpecAccept(accept.isBoolean() ? (accept.asBoolean() ? 1 : 0)
                    : number(node, index, "spec_accept", false, 1));
        }
        for (String timing : new String[] {"prefill_ms", "decode_ms", "verify_ms"}) {
            if (node.has(timing)) {
                number(node, index, timing, false, Double.MAX_VALUE);
            }
        }
    }

    /** Token ids and text are refused by name, anything else outside the format as unknown. */
    private static void checkFields(JsonNode node, int index, Set<String> allowed, String what) {
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (allowed.contains(name)) {
                continue;
            }
            String path = "/" + index + "/" + shortened(name);
            String line = "line " + (index + 1) + ": ";
            if (TOKEN_FIELDS.contains(name)) {
                throw ExecutionRefusedException.invalid(path, line + name
                        + " is refused: a trace never carries token ids or token text");
            }
            throw ExecutionRefusedException.invalid(path, line + "unknown field in " + what + " of " + FORMAT
                    + "; it is refused and not stored");
        }
    }

    private static String shortened(String name) {
        return name.length() <= 64 ? name : name.substring(0, 64) + "...";
    }

    private static String id(JsonNode node, int index, String field) {
        JsonNode value = node.get(field);
        if (!value.isTextual() || value.asText().isEmpty() || value.asText().length() > MAX_ID_LENGTH) {
            throw ExecutionRefusedException.invalid("/" + index + "/" + field, "line " + (index + 1) + ": " + field
                    + " must be a string of 1 to " + MAX_ID_LENGTH + " characters");
        }
        return value.asText();
    }

    private static String identifier(JsonNode node, String field) {
        String value = id(node, 0, field);
        if (!IDENTIFIER.matcher(value).matches()) {
            throw ExecutionRefusedException.invalid("/0/" + field, "line 1: " + field + " must be " + IDENTIFIER_RULE
                    + "; it is refused and not stored");
        }
        return value;
    }

    /** A count of layers, or the list of layer indices that ran (per-layer traces), each in range. */
    private static void layersUsed(JsonNode node, int index) {
        JsonNode value = node.get("layers_used");
        if (!value.isArray()) {
            layer(node, index, "layers_used");
            return;
        }
        if (value.size() > TraceSummary.MAX_LAYER + 1) {
            throw ExecutionRefusedException.invalid("/" + index + "/layers_used", "line " + (index + 1)
                    + ": layers_used lists more than " + (TraceSummary.MAX_LAYER + 1) + " layers");
        }
        for (int i = 0; i < value.size(); i++) {
            checkLayer(value.get(i), index, "layers_used/" + i);
        }
    }

    private static int layer(JsonNode node, int index, String field) {
        return checkLayer(node.get(field), index, field);
    }

    private static int checkLayer(JsonNode value, int index, String field) {
        if (!value.isIntegralNumber() || !value.canConvertToInt() || value.asInt() < 0
                || value.asInt() > TraceSummary.MAX_LAYER) {
            throw ExecutionRefusedException.invalid("/" + index + "/" + field, "line " + (index + 1) + ": " + field
                    + " must be an integer from 0 to " + TraceSummary.MAX_LAYER);
        }
        return value.asInt();
    }

    /** A number from 0 to max (ratios: 0..1); required or, when present, checked. */
    private static double number(JsonNode node, int index, String field, boolean required, double max) {
        JsonNode value = node.get(field);
        String at = "/" + index + "/" + field;
        String line = "line " + (index + 1) + ": ";
        if (value == null) {
            if (required) {
                throw ExecutionRefusedException.invalid(at, line + "a token record needs " + field);
            }
            return 0;
        }
        if (!value.isNumber() || !Double.isFinite(value.asDouble()) || value.asDouble() < 0 || value.asDouble() > max) {
            throw ExecutionRefusedException.invalid(at, line + field + " must be a number "
                    + (max == 1 ? "from 0 to 1" : "at least 0"));
        }
        return value.asDouble();
    }

    private static ExecutionRefusedException malformed(int index, String message) {
        return malformed("/" + index, message);
    }

    private static ExecutionRefusedException malformed(String path, String message) {
        return new ExecutionRefusedException(ExecutionRefusedException.Kind.MALFORMED, path, message);
    }

    /** Fails the read on a line longer than {@link #MAX_LINE_BYTES}, before the parser buffers it. */
    private static final class LineLimit extends FilterInputStream {
        private int lineBytes;

        LineLimit(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count((byte) b);
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            for (int i = offset; i < offset + n; i++) {
                count(buffer[i]);
            }
            return n;
        }

        private void count(byte b) throws LineTooLong {
            lineBytes = b == '\n' ? 0 : lineBytes + 1;
            if (lineBytes > MAX_LINE_BYTES) {
                throw new LineTooLong();
            }
        }
    }

    private static final class LineTooLong extends IOException {
        LineTooLong() {
            super("line too long", null);
        }
    }
}
