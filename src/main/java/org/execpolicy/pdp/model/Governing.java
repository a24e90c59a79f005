package org.execpolicy.pdp.model;

/** The approximate control that governs this decision and where it came from (inserted by rules). */
public final class Governing {
    private final String origin;
    private final ApproximateControl control;

    public Governing(String origin, ApproximateControl control) {
        this.origin = origin;
        this.control = control;
    }

    public String getOrigin() {
        return origin;
    }

    public ApproximateControl getControl() {
        return control;
    }

    public boolean isAllowed() {
        return control.isAllowed();
    }

    public String getWaiverRef() {
        return control.getWaiverRef();
    }

    @Override
    public String toString() {
        return "Governing{" + origin + ", " + control + "}";
    }
}
