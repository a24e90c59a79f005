package org.execpolicy.pdp.model;

import com.fasterxml.jackson.databind.JsonNode;
import org.execpolicy.pdp.json.Json;

/** A registered dynamic role: an opaque id that inherits one of the four core roles. */
public final class DynamicRole {
    private final String roleId;
    private final String inherits;

    public DynamicRole(String roleId, String inherits) {
        this.roleId = roleId;
        this.inherits = inherits;
    }

    public static DynamicRole fromJson(JsonNode json) {
        return new DynamicRole(json.path("role_id").asText(), Json.textOrNull(json, "inherits"));
    }

    public String getRoleId() {
        return roleId;
    }

    public String getInherits() {
        return inherits;
    }

    @Override
    public String toString() {
        return "DynamicRole{" + roleId + " inherits " + inherits + "}";
    }
}
