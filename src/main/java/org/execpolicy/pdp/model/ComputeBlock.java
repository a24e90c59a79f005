package org.execpolicy.pdp.model;

import com.fasterxml.jackson.databind.JsonNode;
import org.execpolicy.pdp.json.Json;

/**
 * A `compute` block and where it came from: `origin` is `dynamic_role` (owner =
 * the role id) or `work_profile` (owner = the core role class it is assigned to).
 */
public final class ComputeBlock {
    public static final String DYNAMIC_ROLE = "dynamic_role";
    public static final String WORK_PROFILE = "work_profile";

    private final String origin;
    private final String owner;
    private final String speedPreset;
    private final ExecPolicy execPolicyOverride;
    private final ApproximateControl approximate;
    private final String cloudReasoningStrength;

    private ComputeBlock(String origin, String owner, JsonNode json) {
        this.origin = origin;
        this.owner = owner;
        this.speedPreset = Json.textOrNull(json, "speed_preset");
        JsonNode override = json.get("exec_policy_override");
        this.execPolicyOverride = override != null && override.isObject() ? ExecPolicy.fromJson(override) : null;
        JsonNode approx = json.get("approximate");
        this.approximate = approx != null && approx.isObject() ? ApproximateControl.fromJson(approx) : null;
        this.cloudReasoningStrength = Json.textOrNull(json, "cloud_reasoning_strength");
    }

    public static ComputeBlock of(String origin, String owner, JsonNode json) {
        return new ComputeBlock(origin, owner, json);
    }

    public String getOrigin() {
        return origin;
    }

    public String getOwner() {
        return owner;
    }

    public String getSpeedPreset() {
        return speedPreset;
    }

    public ExecPolicy getExecPolicyOverride() {
        return execPolicyOverride;
    }

    public ApproximateControl getApproximate() {
        return approximate;
    }

    public String getCloudReasoningStrength() {
        return cloudReasoningStrength;
    }

    /** As DecisionRequest's: kept while the override's text is the same instance. */
    private String text;
    private String textOverride;

    @Override
    public String toString() {
        String override = execPolicyOverride == null ? null : execPolicyOverride.toString();
        if (text == null || override != textOverride) {
            text = "ComputeBlock{" + origin + ":" + owner + ", speed_preset=" + speedPreset
                    + ", override=" + override + ", approximate=" + approximate
                    + ", cloud_reasoning_strength=" + cloudReasoningStrength + "}";
            textOverride = override;
        }
        return text;
    }
}
