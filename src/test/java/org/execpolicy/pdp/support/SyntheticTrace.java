package org.execpolicy.pdp.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.execpolicy.pdp.json.Json;

/** An hsk.layerwise_trace@0.1 artifact a runtime could have written for a decision: header, then one line a token. */
public final class SyntheticTrace {
    private SyntheticTrace() {
    }

    /** As {@link #of(JsonNode, int, String)} for a decision about model llama-7b. */
    public static List<ObjectNode> of(JsonNode decision, int tokens) {
        return of(decision, tokens, "llama-7b");
    }

    /**
     * The header for the decision, then {@code tokens} records with made-up exits, in order.
     *
     * @param modelId the decision's model_id, which the header must repeat (SPEC 6, v2)
     */
    public static List<ObjectNode> of(JsonNode decision, int tokens, String modelId) {
        List<ObjectNode> lines = new ArrayList<>();
        ObjectNode header = Json.object();
        header.put("trace_id", decision.path("trace_id").asText());
        header.put("model_id", modelId);
        header.set("effective_exec_policy", decision.get("effective_policy").deepCopy());
        header.put("created_at", "2026-11-25T12:00:00Z");
        header.put("tokenizer_id", "llama-tokenizer");
        lines.add(header);
        for (int i = 0; i < tokens; i++) {
            ObjectNode record = Json.object();
            record.put("token_index", i);
            record.put("t_ms", 10.0 * i);
            record.put("exit_layer", 20 + i % 12);
            record.put("skip_ratio", 0.25);
            record.put("spec_accept", i % 4 != 0);
            lines.add(record);
        }
        return lines;
    }

    /** JSON Lines: each line's JSON and a newline. */
    public static String jsonl(List<ObjectNode> lines) {
        StringBuilder body = new StringBuilder();
        lines.forEach(line -> body.append(line).append('\n'));
        return body.toString();
    }
}
