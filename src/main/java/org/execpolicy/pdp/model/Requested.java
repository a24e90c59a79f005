package org.execpolicy.pdp.model;

import org.kie.api.definition.type.ClassReactive;

/**
 * The requested policy and its source (inserted by rules). A source that names
 * a speed preset starts with no policy; the preset rules fill it in.
 */
@ClassReactive // rules reshape it through methods, so every update must re-evaluate every pattern
public final class Requested {
    private final String source;
    private final String preset;
    private ExecPolicy policy;

    private Requested(String source, String preset, ExecPolicy policy) {
        this.source = source;
        this.preset = preset;
        this.policy = policy;
    }

    public static Requested policy(String source, ExecPolicy policy) {
        return new Requested(source, null, policy.copy());
    }

    public static Requested preset(String source, String preset) {
        return new Requested(source, preset, null);
    }

    public String getSource() {
        return source;
    }

    public String getPreset() {
        return preset;
    }

    public ExecPolicy getPolicy() {
        return policy;
    }

    public void setPolicy(ExecPolicy policy) {
        this.policy = policy;
    }

    @Override
    public String toString() {
        return "Requested{source=" + source + (preset == null ? "" : ", preset=" + preset) + ", policy=" + policy + "}";
    }
}
