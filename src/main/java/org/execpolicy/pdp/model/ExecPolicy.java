package org.execpolicy.pdp.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.execpolicy.pdp.json.CanonicalJson;
import org.execpolicy.pdp.json.Sha256;

/**
 * An execution policy (SPEC.md section 2), kept as the JSON it came in so that
 * forward-compatible fields survive untouched. Rules read mode and exactness
 * through the getters and reshape it through the named operations below; which
 * operation applies when is decided in DRL, never here.
 */
public final class ExecPolicy {
    /** Mode-settings blocks: each belongs to the mode of the same name. */
    private static final List<String> SETTINGS_BLOCKS =
            List.of("spec_decode", "early_exit", "layer_skip", "mem_offload");

    /**
     * The members this version knows (SPEC 2, ExecPolicy), each with the members it knows in turn
     * (an empty map: a value, not looked into). Anything else is forward-compatible: a later
     * version's member, accepted, never evaluated, dropped by the shape rules (v2).
     */
    private static final Map<String, Map<String, ?>> KNOWN = Map.of(
            "policy_id", Map.of(), "mode", Map.of(), "exactness", Map.of(),
            "budgets", Map.of("max_total_ms", Map.of(), "max_decode_ms", Map.of(), "max_layers", Map.of(),
                    "max_vram_mb", Map.of(), "max_ram_mb", Map.of()),
            "spec_decode", Map.of("draft_model_id", Map.of(), "draft_top_k", Map.of(), "max_draft_tokens", Map.of(),
                    "verify_strategy", Map.of()),
            "early_exit", Map.of("exit_layer", Map.of(), "confidence_threshold", Map.of()),
            "layer_skip", Map.of("schedule", Map.of(), "skip_ratio", Map.of(), "protected_layers", Map.of()),
            "mem_offload", Map.of("strategy", Map.of(), "prefetch", Map.of()),
            "trace", Map.of("level", Map.of(), "sample_rate", Map.of(),
                    "artifact", Map.of("enabled", Map.of(), "format", Map.of())));

    private final ObjectNode json;
    /**
     * {@link #toString()}'s text and the canonical JSON, kept until the policy changes: every rule
     * firing that matched a fact holding this policy records the fact's text, several times a
     * decision, and the records hash the policy more than once. Every method that changes
     * {@code json} calls {@link #changed()}; {@code json} never leaves this class but as a copy.
     */
    private String text;
    private String canonical;

    private ExecPolicy(ObjectNode json) {
        this.json = json;
    }

    public static ExecPolicy fromJson(JsonNode json) {
        return new ExecPolicy(((ObjectNode) json).deepCopy());
    }

    public static ExecPolicy of(String mode, String exactness) {
        ObjectNode json = JsonNodeFactory.instance.objectNode();
        json.put("mode", mode);
        json.put("exactness", exactness);
        return new ExecPolicy(json);
    }

    public ExecPolicy copy() {
        return new ExecPolicy(json.deepCopy());
    }

    /** A copy of the JSON, for answers and records. */
    public ObjectNode toJson() {
        return json.deepCopy();
    }

    public String getMode() {
        return json.path("mode").asText(null);
    }

    public String getExactness() {
        return json.path("exactness").asText(null);
    }

    public String getPolicyId() {
        return json.path("policy_id").asText(null);
    }

    /** The trace level asked for, or "off" when the policy has no trace block. */
    public String getTraceLevel() {
        return json.path("trace").path("level").asText("off");
    }

    /** The share of calls to trace; 1 when the policy does not say. */
    public double getTraceSampleRate() {
        return json.path("trace").path("sample_rate").asDouble(1.0);
    }

    public boolean isTraceArtifactEnabled() {
        return json.path("trace").path("artifact").path("enabled").asBoolean(false);
    }

    public void setExactness(String exactness) {
        changed();
        json.put("exactness", exactness);
    }

    /**
     * Switches to another mode and exactness. The old mode's settings block stays until the shape
     * rule prunes it, so that the pruning is a recorded firing.
     */
    public void switchTo(String mode, String exactness) {
        changed();
        json.put("mode", mode);
        json.put("exactness", exactness);
    }

    /** Drops every mode-settings block except the one of the current mode. */
    public void keepOnlyOwnSettings() {
        changed();
        String mode = getMode();
        for (String block : SETTINGS_BLOCKS) {
            if (!block.equals(mode)) {
                json.remove(block);
            }
        }
    }

    /** True when the policy carries the settings block of a mode other than its own. */
    public boolean hasForeignSettings() {
        String mode = getMode();
        return SETTINGS_BLOCKS.stream().anyMatch(block -> !block.equals(mode) && json.has(block));
    }

    public void removePolicyId() {
        changed();
        json.remove("policy_id");
    }

    /** Turns tracing on with the given level and sample rate and an artifact of the given format. */
    public void forceTrace(String level, double sampleRate, String artifactFormat) {
        changed();
        ObjectNode trace = json.putObject("trace");
        trace.put("level", level);
        trace.put("sample_rate", sampleRate);
        ObjectNode artifact = trace.putObject("artifact");
        artifact.put("enabled", true);
        artifact.put("format", artifactFormat);
    }

    public boolean hasTraceExactly(String level, double sampleRate, String artifactFormat) {
        JsonNode trace = json.path("trace");
        return level.equals(trace.path("level").asText())
                && trace.path("sample_rate").isNumber()
                && trace.path("sample_rate").asDouble() == sampleRate
                && trace.path("artifact").path("enabled").asBoolean(false)
                && artifactFormat.equals(trace.path("artifact").path("format").asText());
    }

    /** True when the policy has a member this version does not know, at any depth. */
    public boolean hasUnknownMembers() {
        return !unknownMembers(json, KNOWN, "", new ArrayList<>()).isEmpty();
    }

    /**
     * Removes every member this version does not know.
     *
     * @return the JSON Pointers (RFC 6901, relative to the policy) of the members removed, in document order
     */
    public List<String> dropUnknownMembers() {
        changed();
        List<String> pointers = unknownMembers(json, KNOWN, "", new ArrayList<>());
        removeUnknown(json, KNOWN);
        return pointers;
    }

    /**
     * The policy JSON with the value of every unknown member replaced by null, in place: the member
     * is still there to be reported by pointer, its value is never read or stored (SPEC 2, v2).
     */
    public static void nullUnknownMembers(ObjectNode policy) {
        nullUnknown(policy, KNOWN);
    }

    @SuppressWarnings("unchecked")
    private static List<String> unknownMembers(JsonNode node, Map<String, ?> known, String at, List<String> out) {
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> member = it.next();
            String pointer = at + "/" + member.getKey().replace("~", "~0").replace("/", "~1");
            Object inner = known.get(member.getKey());
            if (inner == null) {
                out.add(pointer);
            } else if (member.getValue().isObject() && !((Map<String, ?>) inner).isEmpty()) {
                unknownMembers(member.getValue(), (Map<String, ?>) inner, pointer, out);
            }
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static void removeUnknown(JsonNode node, Map<String, ?> known) {
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> member = it.next();
            Object inner = known.get(member.getKey());
            if (inner == null) {
                it.remove();
            } else if (member.getValue().isObject() && !((Map<String, ?>) inner).isEmpty()) {
                removeUnknown(member.getValue(), (Map<String, ?>) inner);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static void nullUnknown(JsonNode node, Map<String, ?> known) {
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> member = it.next();
            Object inner = known.get(member.getKey());
            if (inner == null) {
                member.setValue(com.fasterxml.jackson.databind.node.NullNode.getInstance());
            } else if (member.getValue().isObject() && !((Map<String, ?>) inner).isEmpty()) {
                nullUnknown(member.getValue(), (Map<String, ?>) inner);
            }
        }
    }

    /** The RFC 8785 text of the policy, the form it is recorded and hashed in. */
    public String canonicalJson() {
        if (canonical == null) {
            canonical = CanonicalJson.canonicalize(json);
        }
        return canonical;
    }

    private void changed() {
        text = null;
        canonical = null;
    }

    public String hash() {
        return Sha256.hex(canonicalJson());
    }

    @Override
    public String toString() {
        if (text == null) {
            text = "ExecPolicy" + json;
        }
        return text;
    }
}
