package org.execpolicy.pdp.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.execpolicy.pdp.engine.DecisionPipeline;
import org.execpolicy.pdp.engine.RuleEngine;
import org.execpolicy.pdp.json.Json;

/**
 * Save-time check of a profile or dynamic role that turns approximate execution on:
 * would the rules grant it now? It asks the real ruleset, with an approximate request
 * for each role concerned, and reads the waiver refusals the governance rules give,
 * so the registry refuses exactly what a decision would (there is no second copy of
 * the waiver rules in Java). Nothing is recorded: it is a question, not a decision.
 */
public final class WaiverCoverage {
    /** One role whose waiver the rules refuse: where in the entry, the rules' reason code and why. */
    public record Uncovered(String path, String code, String message) {
    }

    /** The one waiver refusal a save does not refuse (see {@link #check}). */
    private static final String PENDING = "WAIVER_PENDING";

    private final DecisionPipeline pipeline;
    private final Function<String, Optional<ObjectNode>> waivers;

    public WaiverCoverage(RuleEngine engine, Function<String, Optional<ObjectNode>> waivers) {
        this.pipeline = new DecisionPipeline(engine);
        this.waivers = waivers;
    }

    /**
     * Checks each core role whose approximate control the new version turns on or points at another
     * waiver. model_assignments holds only the four core roles (openapi.yaml validated the profile).
     */
    public List<Uncovered> ofProfile(String profileId, JsonNode before, JsonNode after, Instant now) {
        List<Uncovered> refusals = new ArrayList<>();
        after.path("model_assignments").fields().forEachRemaining(assignment -> {
            String role = assignment.getKey();
            if (!turnsOn(approximate(before, "/model_assignments/" + role),
                    assignment.getValue().path("compute").path("approximate"))) {
                return;
            }
            String model = assignment.getValue().path("primary_model_id").asText("unknown");
            check(role, model, profileId, after, null, "/model_assignments/" + role + "/compute/approximate/waiver_ref",
                    now).ifPresent(refusals::add);
        });
        return refusals;
    }

    /**
     * Checks a dynamic role that turns approximate on: its own waiver, for the role. The active profile
     * (may be null) only supplies the model to ask with when the waiver names none.
     */
    public List<Uncovered> ofDynamicRole(JsonNode before, JsonNode after, JsonNode activeProfile,
                                       Instant now) {
        if (!turnsOn(approximate(before, ""), after.path("compute").path("approximate"))) {
            return List.of();
        }
        // a dynamic role's model is the request's: any model the waiver names could be it
        String waiverRef = after.path("compute").path("approximate").path("waiver_ref").asText(null);
        JsonNode waiverModel = waiverRef(waiverRef).map(w -> w.path("scope").path("model_ids").path(0))
                .orElse(com.fasterxml.jackson.databind.node.MissingNode.getInstance());
        String model = waiverModel.isTextual() ? waiverModel.asText()
                : activeProfile == null || !after.hasNonNull("inherits") ? "unknown"
                : activeProfile.path("model_assignments").path(after.path("inherits").asText())
                        .path("primary_model_id").asText("unknown");
        // SPEC 3.4 (v2): the role's control only narrows the profile's, so the profile is left out of the
        // question: what is asked is whether the role's own waiver covers it, whatever the profile allows
        // (the profile may change later; a decision checks both waivers)
        return check(after.path("role_id").asText(), model, null, null, after,
                "/compute/approximate/waiver_ref", now).stream().toList();
    }

    private Optional<Uncovered> check(String role, String model, String profileId, JsonNode profile, JsonNode dynamicRole,
                                    String path, Instant now) {
        ObjectNode request = Json.object();
        request.put("trace_id", "registry-save-check");
        request.put("role", role);
        request.put("task_type", "chat");
        request.put("model_id", model);
        if (profileId != null) {
            request.put("profile_id", profileId);
        }
        JsonNode control = dynamicRole != null ? dynamicRole.path("compute").path("approximate")
                : profile.path("model_assignments").path(role).path("compute").path("approximate");
        String waiverRef = control.path("waiver_ref").asText(null);
        // a waiver limited to work packets can still cover the role: ask for one it names
        waiverRef(waiverRef).map(w -> w.path("scope").path("wp_ids").path(0))
                .filter(JsonNode::isTextual).ifPresent(wp -> request.set("wp_id", wp));
        ObjectNode policy = request.putObject("settings").putObject("exec_policy");
        policy.put("mode", "early_exit");
        policy.put("exactness", "approximate");
        // a waiver waiting for its second operator may be named ahead of the approval: decisions are refused
        // (WAIVER_PENDING) until it comes, and the approval needs no second save of the profile or role.
        // The control in question names its waiver (allowed=true requires one), so WAIVER_MISSING can only
        // speak of a work profile's control, which a dynamic role's question leaves out.
        List<String> refused = pipeline.decide(new DecisionPipeline.Question(request, profileId, profile, dynamicRole,
                        waivers::apply, now)).evaluation().outcome().getReasonCodes().stream()
                .filter(code -> code.startsWith("WAIVER_") && !PENDING.equals(code) && !code.equals("WAIVER_MISSING"))
                .toList();
        if (refused.isEmpty()) {
            return Optional.empty();
        }
        String code = refused.get(0);
        return Optional.of(new Uncovered(path, code, explain(code, waiverRef, role, model) + " (" + code + ")"));
    }

    private String explain(String code, String waiverRef, String role, String model) {
        Optional<ObjectNode> waiver = waiverRef(waiverRef);
        return switch (code) {
            case "WAIVER_UNKNOWN" -> "waiver '" + waiverRef + "' is not in the waiver registry";
            case "WAIVER_REVOKED" -> "waiver '" + waiverRef + "' was revoked at "
                    + waiver.map(w -> w.path("revoked_at").asText()).orElse("?");
            case "WAIVER_EXPIRED" -> "waiver '" + waiverRef + "' has expired (expires_at "
                    + waiver.map(w -> w.path("expires_at").asText()).orElse("?")
                    + ", or the entry's own waiver_expires_at, has passed)";
            case "WAIVER_SCOPE_MISMATCH" -> "waiver '" + waiverRef + "' does not cover role '" + role
                    + "' with model '" + model + "' (its check_waived and scope must cover them)";
            default -> "the rules refuse approximate execution for role '" + role + "' with waiver '" + waiverRef + "'";
        };
    }

    private Optional<ObjectNode> waiverRef(String waiverRef) {
        return waiverRef == null ? Optional.empty() : waivers.apply(waiverRef);
    }

    private static JsonNode approximate(JsonNode entry, String at) {
        return entry == null ? null : entry.at(at + "/compute/approximate");
    }

    /** allowed=true now, and before it was not, or named another waiver or deadline. */
    private static boolean turnsOn(JsonNode before, JsonNode after) {
        return after.path("allowed").asBoolean(false) && (before == null || !after.equals(before));
    }
}
