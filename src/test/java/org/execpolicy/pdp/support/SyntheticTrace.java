package org.execpolicy.pdp.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.execpolicy.pdp.model.Json;

/** An hsk.layerwise_trace@0.1 artifact a runtime could have written for a decision: header, then one line a token. */
public final class SyntheticTrace {
    private SyntheticTrace() {
    }

    /** The header for the decision, then {@code tokens} records with made-up exits, in order. */
    public static List<ObjectNode> of(JsonNode decision, int tokens) {
        List<ObjectNode> lines = new ArrayList<>();
        ObjectNode header = Json.object();
        header.put("trace_id", decision.path("trace_id").asText());
        header.put("model_id", "llama-7b");
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
