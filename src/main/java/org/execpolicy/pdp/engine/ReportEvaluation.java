package org.execpolicy.pdp.engine;

import java.util.List;
import org.execpolicy.pdp.model.ReportOutcome;

/** What report.drl concluded about one runtime report, and the firings that led there, in order. */
public record ReportEvaluation(ReportOutcome outcome, List<Firing> firings, String rulesetDigest) {
}
