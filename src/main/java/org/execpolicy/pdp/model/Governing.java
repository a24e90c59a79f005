package org.execpolicy.pdp.model;

/**
 * An approximate control in force and where it came from (inserted by governance.drl): the work
 * profile's for the role class, which enables, and the dynamic role's, which only narrows (SPEC 3.4).
 */
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
