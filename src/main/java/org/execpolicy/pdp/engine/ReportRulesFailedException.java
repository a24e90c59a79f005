package org.execpolicy.pdp.engine;

/** A report rule failed (threw, could not be evaluated, or did not settle): the report is not recorded. */
public final class ReportRulesFailedException extends RuntimeException {
    private final transient RuleError error;

    ReportRulesFailedException(RuleError error) {
        super("a report rule failed: " + (error.ruleName() == null ? "unnamed rule" : error.ruleName()) + ": "
                + error.message());
        this.error = error;
    }

    public RuleError error() {
        return error;
    }
}
