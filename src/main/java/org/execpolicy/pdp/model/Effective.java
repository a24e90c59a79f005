package org.execpolicy.pdp.model;

import org.kie.api.definition.type.ClassReactive;

/** The policy being decided: starts as a copy of the requested one, reshaped by rules. */
@ClassReactive // rules reshape it through methods, so every update must re-evaluate every pattern
public final class Effective {
    private final ExecPolicy policy;
    private boolean downgraded;

    public Effective(ExecPolicy requested) {
        this.policy = requested.copy();
    }

    public ExecPolicy getPolicy() {
        return policy;
    }

    public String getMode() {
        return policy.getMode();
    }

    public String getExactness() {
        return policy.getExactness();
    }

    public boolean isApproximate() {
        return "approximate".equals(policy.getExactness());
    }

    public boolean isDowngraded() {
        return downgraded;
    }

    public void setDowngraded(boolean downgraded) {
        this.downgraded = downgraded;
    }

    @Override
    public String toString() {
        return "Effective{" + policy + (downgraded ? ", downgraded" : "") + "}";
    }
}
