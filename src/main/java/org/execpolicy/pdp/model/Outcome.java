package org.execpolicy.pdp.model;

import java.util.ArrayList;
import java.util.List;

/**
 * What rules conclude beyond the effective policy: reason codes in the order
 * the rules give them (as {@link ReasonCode} facts), adjustments, codes, the waiver that granted approximate
 * execution, whether the model call is permitted and the trace decision. Rules write it; Java only reads it.
 */
public final class Outcome {
    private final List<String> reasonCodes = new ArrayList<>();
    private final List<String> adjustments = new ArrayList<>();
    private final List<String> codes = new ArrayList<>();
    private final List<String> downgradeReasons = new ArrayList<>();
    private final List<String> droppedFields = new ArrayList<>();
    private String waiverRef;
    private String cloudReasoningStrength;
    private boolean traceArtifactRequired;
    private String traceArtifactNullReason;
    private boolean traceExpected;
    // SPEC 3.7: a call is permitted until a permission rule says otherwise
    private boolean modelPermitted = true;

    /**
     * Adds a reason code, once. Rules never call this: they insert a {@link ReasonCode} fact, which the
     * engine adds here as it is inserted; the engine's safe default adds RULE_ERROR.
     */
    public void addReason(String code) {
        addOnce(reasonCodes, code);
    }

    public void addAdjustment(String adjustment) {
        addOnce(adjustments, adjustment);
    }

    public void addCode(String code) {
        addOnce(codes, code);
    }

    public void addDowngradeReason(String text) {
        addOnce(downgradeReasons, text);
    }

    private static void addOnce(List<String> list, String value) {
        if (!list.contains(value)) {
            list.add(value);
        }
    }

    /** The given codes in the order they were added as reasons, joined for a human. */
    public String reasonsAmong(java.util.Collection<String> codes) {
        return String.join(", ", reasonCodes.stream().filter(codes::contains).toList());
    }

    public List<String> getReasonCodes() {
        return List.copyOf(reasonCodes);
    }

    public List<String> getAdjustments() {
        return List.copyOf(adjustments);
    }

    public List<String> getCodes() {
        return List.copyOf(codes);
    }

    /** Records the members dropped from a policy by their pointers, each under the given prefix. */
    public void addDroppedFields(String prefix, List<String> pointers) {
        pointers.forEach(pointer -> addOnce(droppedFields, prefix + pointer));
    }

    /** JSON Pointers (into the request) of the members dropped as unknown, never their values. */
    public List<String> getDroppedFields() {
        return List.copyOf(droppedFields);
    }

    /**
     * SPEC 3.11: the effective policy was changed for a reason other than a change of mode or
     * exactness. Each rule that reshapes the policy names its reason as an adjustment, so a
     * decision is adjusted exactly when it has one.
     */
    public boolean isAdjusted() {
        return !adjustments.isEmpty();
    }

    /** The one-line explanation: every downgrade step, in the order it happened. */
    public String getDowngradeReason() {
        return downgradeReasons.isEmpty() ? null : String.join("; ", downgradeReasons);
    }

    public String getWaiverRef() {
        return waiverRef;
    }

    public void setWaiverRef(String waiverRef) {
        this.waiverRef = waiverRef;
    }

    public String getCloudReasoningStrength() {
        return cloudReasoningStrength;
    }

    public void setCloudReasoningStrength(String cloudReasoningStrength) {
        this.cloudReasoningStrength = cloudReasoningStrength;
    }

    public boolean isTraceArtifactRequired() {
        return traceArtifactRequired;
    }

    public void setTraceArtifactRequired(boolean traceArtifactRequired) {
        this.traceArtifactRequired = traceArtifactRequired;
    }

    public String getTraceArtifactNullReason() {
        return traceArtifactNullReason;
    }

    public void setTraceArtifactNullReason(String traceArtifactNullReason) {
        this.traceArtifactNullReason = traceArtifactNullReason;
    }

    /** Whether the runtime is expected to upload a trace to the reserved artifact reference. */
    public boolean isTraceExpected() {
        return traceExpected;
    }

    public void setTraceExpected(boolean traceExpected) {
        this.traceExpected = traceExpected;
    }

    /** Whether the runtime may run the call at all: its model and backend are permitted for the role class. */
    public boolean isModelPermitted() {
        return modelPermitted;
    }

    public void setModelPermitted(boolean modelPermitted) {
        this.modelPermitted = modelPermitted;
    }

    @Override
    public String toString() {
        return "Outcome{reason_codes=" + reasonCodes + ", waiver_ref=" + waiverRef + "}";
    }
}
