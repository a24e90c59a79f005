package org.execpolicy.pdp.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import org.execpolicy.pdp.json.Json;

/** The `compute.approximate` block of a profile assignment or a dynamic role. */
public final class ApproximateControl {
    private final boolean allowed;
    private final String waiverRef;
    private final Instant waiverExpiresAt;

    public ApproximateControl(boolean allowed, String waiverRef, Instant waiverExpiresAt) {
        this.allowed = allowed;
        this.waiverRef = waiverRef;
        this.waiverExpiresAt = waiverExpiresAt;
    }

    static ApproximateControl fromJson(JsonNode json) {
        return new ApproximateControl(
                json.path("allowed").asBoolean(false),
                Json.textOrNull(json, "waiver_ref"),
                Json.instantOrNull(json, "waiver_expires_at"));
    }

    public boolean isAllowed() {
        return allowed;
    }

    public String getWaiverRef() {
        return waiverRef;
    }

    public Instant getWaiverExpiresAt() {
        return waiverExpiresAt;
    }

    @Override
    public String toString() {
        return "ApproximateControl{allowed=" + allowed + ", waiver_ref=" + waiverRef
                + ", waiver_expires_at=" + waiverExpiresAt + "}";
    }
}
