package org.execpolicy.pdp.model;

import java.util.ArrayList;
import java.util.List;

/**
 * What report.drl concludes about a runtime report: the violations it reveals (the kinds of an
 * `exec_policy_violation`) and whether it is a permitted `runtime_downgrade`. Rules write it; Java
 * only reads it and records what it says.
 */
public final class ReportOutcome {
    private final List<String> violations = new ArrayList<>();
    private boolean permittedDowngrade;

    public void addViolation(String kind) {
        if (!violations.contains(kind)) {
            violations.add(kind);
        }
    }

    public void permitDowngrade() {
        permittedDowngrade = true;
    }

    public List<String> getViolations() {
        return List.copyOf(violations);
    }

    public boolean isPermittedDowngrade() {
        return permittedDowngrade;
    }
}
