package org.execpolicy.pdp.model;

/**
 * The `cloud_reasoning_strength` of the compute block in effect (inserted by rules). Rules only test
 * that it exists; the strength shows in the matched facts a firing records.
 */
public final class CloudReasoning {
    private final String strength;

    public CloudReasoning(String strength) {
        this.strength = strength;
    }

    @Override
    public String toString() {
        return "CloudReasoning{" + strength + "}";
    }
}
