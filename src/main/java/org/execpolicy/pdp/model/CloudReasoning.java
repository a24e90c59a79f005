package org.execpolicy.pdp.model;

/** The `cloud_reasoning_strength` of the compute block in effect (inserted by rules). */
public final class CloudReasoning {
    private final String strength;

    public CloudReasoning(String strength) {
        this.strength = strength;
    }

    public String getStrength() {
        return strength;
    }

    @Override
    public String toString() {
        return "CloudReasoning{" + strength + "}";
    }
}
