package org.execpolicy.pdp.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.execpolicy.pdp.json.Json;

/**
 * The fact report.drl judges (SPEC 5, v2): what a decision granted, what its runtime reports it ran,
 * whether it says it downgraded and why, and whether the decision's trace is already recorded missing.
 * Built from the stored decision and the report; Java draws no conclusion from it.
 */
public final class ReportedRun {
    private final String grantedMode;
    private final String grantedExactness;
    private final List<String> supportedModes;
    private final String reportedMode;
    private final String reportedExactness;
    private final boolean downgraded;
    private final String downgradeReason;
    private final boolean traceMissing;

    public ReportedRun(String grantedMode, String grantedExactness, List<String> supportedModes, String reportedMode,
                       String reportedExactness, boolean downgraded, String downgradeReason, boolean traceMissing) {
        this.grantedMode = grantedMode;
        this.grantedExactness = grantedExactness;
        this.supportedModes = supportedModes == null ? null : List.copyOf(supportedModes);
        this.reportedMode = reportedMode;
        this.reportedExactness = reportedExactness;
        this.downgraded = downgraded;
        this.downgradeReason = downgradeReason;
        this.traceMissing = traceMissing;
    }

    /**
     * @param decision the decision's `llm_exec_policy` record (phase decided): its grant and the runtime's
     *     declared `supported_modes` as the request sent them (inputs), null when it declared none
     * @param report the report body as received
     */
    public static ReportedRun of(JsonNode decision, JsonNode report, boolean traceMissing) {
        List<String> supported = Json.stringsOrNull(decision.path("inputs").path("request").path("runtime"),
                "supported_modes");
        String reason = report.hasNonNull("downgrade_reason") ? report.get("downgrade_reason").asText() : null;
        return new ReportedRun(decision.path("mode").asText(), decision.path("exactness").asText(), supported,
                report.path("mode").asText(), report.path("exactness").asText(),
                report.path("downgraded").asBoolean(false), reason, traceMissing);
    }

    public String getGrantedMode() {
        return grantedMode;
    }

    public String getGrantedExactness() {
        return grantedExactness;
    }

    /** Null when the decision's request declared no supported_modes (the runtime supports every mode). */
    public List<String> getSupportedModes() {
        return supportedModes;
    }

    /** Whether the runtime declared it supports the mode (no declaration: every mode). */
    public boolean supports(String mode) {
        return supportedModes == null || supportedModes.contains(mode);
    }

    public String getReportedMode() {
        return reportedMode;
    }

    public String getReportedExactness() {
        return reportedExactness;
    }

    public boolean isDowngraded() {
        return downgraded;
    }

    public String getDowngradeReason() {
        return downgradeReason;
    }

    /** The runtime said it downgraded and said why (a reason that is not blank). */
    public boolean isReasonGiven() {
        return downgraded && downgradeReason != null && !downgradeReason.isBlank();
    }

    public boolean isModeChanged() {
        return !reportedMode.equals(grantedMode);
    }

    public boolean isExactnessChanged() {
        return !reportedExactness.equals(grantedExactness);
    }

    /** Ran exactly what was granted. */
    public boolean isAsGranted() {
        return !isModeChanged() && !isExactnessChanged();
    }

    public boolean isTraceMissing() {
        return traceMissing;
    }

    /** Never the reason's text: a firing's matched facts are recorded, and the reason is free text. */
    @Override
    public String toString() {
        return "ReportedRun{granted " + grantedMode + "/" + grantedExactness + ", reported " + reportedMode + "/"
                + reportedExactness + ", downgraded " + downgraded + ", reason " + (isReasonGiven() ? "given" : "none")
                + ", supported_modes " + (supportedModes == null ? "any" : supportedModes)
                + ", trace " + (traceMissing ? "missing" : "not missing") + "}";
    }
}
