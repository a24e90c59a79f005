package org.execpolicy.pdp.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Optional;
import org.execpolicy.pdp.json.Json;

/**
 * The registry's side of the second-operator protocol (SPEC 2 "Waiver", v2): which waivers wait for
 * a second operator, and who may approve one. What a pending waiver means for a decision
 * (WAIVER_PENDING) is the rules' business; this class only keeps the stored state: {@code risk},
 * {@code status} (pending | active | revoked), {@code granted_by}, {@code approved_by}, {@code approved_at}.
 */
public final class WaiverApproval {
    public static final String PENDING = "pending";
    public static final String ACTIVE = "active";
    public static final String REVOKED = "revoked";

    private WaiverApproval() {
    }

    /** The state of a waiver just granted by {@code operator}: MEDIUM and HIGH wait for another operator. */
    public static void grant(ObjectNode waiver, String operator) {
        String risk = waiver.path("risk").asText("LOW");
        waiver.put("risk", risk);
        waiver.put("status", needsSecondOperator(risk) ? PENDING : ACTIVE);
        waiver.put("granted_by", operator);
        waiver.putNull("approved_by");
        waiver.putNull("approved_at");
    }

    /** Why {@code operator} may not approve {@code waiver} now; empty when it may. */
    public static Optional<RegistryRefusedException> refusal(JsonNode waiver, String operator, Instant now) {
        String id = waiver.path("waiver_id").asText();
        String risk = waiver.path("risk").asText("LOW");
        if (waiver.hasNonNull("revoked_at")) {
            return conflict("waiver '" + id + "' was revoked at " + waiver.get("revoked_at").asText()
                    + "; a revoked waiver cannot be approved (grant a new one)");
        }
        if (!needsSecondOperator(risk)) {
            return conflict("waiver '" + id + "' has risk " + risk + ": only a MEDIUM or HIGH risk waiver waits for"
                    + " a second operator, a LOW one is active when granted");
        }
        if (!PENDING.equals(waiver.path("status").asText())) {
            return conflict("waiver '" + id + "' is not pending: approved by '" + waiver.path("approved_by").asText()
                    + "' at " + waiver.path("approved_at").asText());
        }
        Instant expiresAt = Json.instantOrNull(waiver, "expires_at");
        if (expiresAt != null && !now.isBefore(expiresAt)) {
            return conflict("waiver '" + id + "' expired at " + expiresAt + "; an expired waiver cannot be approved"
                    + " (grant a new one)");
        }
        if (operator.equals(waiver.path("granted_by").asText(null))) {
            return Optional.of(new RegistryRefusedException(RegistryRefusedException.Kind.FORBIDDEN, "waiver '" + id + "' was granted by operator '" + operator
                    + "': a " + risk + " risk waiver needs a second operator, a token of another name, to approve it"));
        }
        return Optional.empty();
    }

    /** A copy of the pending waiver, approved by {@code operator} at {@code now}: it now covers what it names. */
    public static ObjectNode approve(JsonNode waiver, String operator, Instant now) {
        ObjectNode approved = waiver.deepCopy();
        approved.put("status", ACTIVE);
        approved.put("approved_by", operator);
        approved.put("approved_at", now.toString());
        return approved;
    }

    private static boolean needsSecondOperator(String risk) {
        return "MEDIUM".equals(risk) || "HIGH".equals(risk);
    }

    private static Optional<RegistryRefusedException> conflict(String message) {
        return Optional.of(RegistryRefusedException.conflict(message));
    }
}
