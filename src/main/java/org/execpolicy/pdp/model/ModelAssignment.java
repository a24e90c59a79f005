package org.execpolicy.pdp.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.execpolicy.pdp.json.Json;

/**
 * The models a Work Profile assigns to one core role class (`model_assignments[class]`):
 * what permission.drl needs to say whether a request's model and backend may run for that class.
 */
public final class ModelAssignment {
    private final String roleClass;
    private final String primaryModelId;
    private final String fallbackModelId;
    private final List<String> allowedModels;
    private final boolean localOnly;

    public ModelAssignment(String roleClass, String primaryModelId, String fallbackModelId,
                           List<String> allowedModels, boolean localOnly) {
        this.roleClass = roleClass;
        this.primaryModelId = primaryModelId;
        this.fallbackModelId = fallbackModelId;
        this.allowedModels = allowedModels == null ? List.of() : List.copyOf(allowedModels);
        this.localOnly = localOnly;
    }

    public static ModelAssignment of(String roleClass, JsonNode json) {
        return new ModelAssignment(roleClass, Json.textOrNull(json, "primary_model_id"),
                Json.textOrNull(json, "fallback_model_id"), Json.stringsOrNull(json, "allowed_models"),
                json.path("local_only").asBoolean(false));
    }

    /** Whether the assignment names the model: its primary, its fallback or one of its allowed_models. */
    public boolean names(String modelId) {
        return modelId != null && (modelId.equals(primaryModelId) || modelId.equals(fallbackModelId)
                || allowedModels.contains(modelId));
    }

    public String getRoleClass() {
        return roleClass;
    }

    public String getPrimaryModelId() {
        return primaryModelId;
    }

    public String getFallbackModelId() {
        return fallbackModelId;
    }

    public List<String> getAllowedModels() {
        return allowedModels;
    }

    public boolean isLocalOnly() {
        return localOnly;
    }

    /** Made once: every member is final and immutable (see DecisionRequest's text for why it is kept). */
    private String text;

    @Override
    public String toString() {
        if (text == null) {
            text = "ModelAssignment{" + roleClass + ": primary=" + primaryModelId + ", fallback=" + fallbackModelId
                    + ", allowed_models=" + allowedModels + ", local_only=" + localOnly + "}";
        }
        return text;
    }
}
