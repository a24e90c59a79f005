package org.execpolicy.pdp.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import org.execpolicy.pdp.json.Json;

/**
 * A waiver from the registry. Absent scope lists mean "any". {@code status} is the registry's
 * lifecycle state (v2): {@code pending} while a MEDIUM or HIGH waiver waits for its second
 * operator; a waiver stored before v2 has none and is not pending.
 */
public final class Waiver {
    private final String waiverId;
    private final String checkWaived;
    private final List<String> scopeRoles;
    private final List<String> scopeModelIds;
    private final List<String> scopeWpIds;
    private final Instant expiresAt;
    private final Instant revokedAt;
    private final String risk;
    private final String status;
    private final String text;

    private Waiver(JsonNode json) {
        this.waiverId = json.path("waiver_id").asText();
        this.checkWaived = json.path("check_waived").asText();
        JsonNode scope = json.path("scope");
        this.scopeRoles = Json.stringsOrNull(scope, "roles");
        this.scopeModelIds = Json.stringsOrNull(scope, "model_ids");
        this.scopeWpIds = Json.stringsOrNull(scope, "wp_ids");
        this.expiresAt = Json.instantOrNull(json, "expires_at");
        this.revokedAt = Json.instantOrNull(json, "revoked_at");
        this.risk = json.path("risk").asText("LOW");
        this.status = Json.textOrNull(json, "status");
        // made once, here: every member is final and immutable, and one waiver is shared by the
        // decisions of every thread (FactAssembler), each firing that matched it recording its text
        this.text = "Waiver{" + waiverId + ", check_waived=" + checkWaived + ", roles=" + scopeRoles
                + ", model_ids=" + scopeModelIds + ", wp_ids=" + scopeWpIds + ", expires_at=" + expiresAt
                + ", revoked_at=" + revokedAt + ", risk=" + risk + ", status=" + status + "}";
    }

    public static Waiver fromJson(JsonNode json) {
        return new Waiver(json);
    }

    public String getWaiverId() {
        return waiverId;
    }

    public String getCheckWaived() {
        return checkWaived;
    }

    public List<String> getScopeRoles() {
        return scopeRoles;
    }

    public List<String> getScopeModelIds() {
        return scopeModelIds;
    }

    public List<String> getScopeWpIds() {
        return scopeWpIds;
    }

    public Instant getExpiresAt() {
        return expiresAt;
    }

    public Instant getRevokedAt() {
        return revokedAt;
    }

    /** LOW, MEDIUM or HIGH; LOW when the waiver names none. */
    public String getRisk() {
        return risk;
    }

    /** pending, active or revoked; null for a waiver stored before v2. */
    public String getStatus() {
        return status;
    }

    /** Granted but still waiting for its second operator. */
    public boolean isPending() {
        return "pending".equals(status);
    }

    @Override
    public String toString() {
        return text;
    }
}
