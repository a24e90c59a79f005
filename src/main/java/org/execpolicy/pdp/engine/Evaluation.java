package org.execpolicy.pdp.engine;

import java.util.List;
import org.execpolicy.pdp.model.Effective;
import org.execpolicy.pdp.model.Outcome;
import org.execpolicy.pdp.model.Requested;

/**
 * What the rules concluded for one set of facts, the firings that led there in
 * order, and the matches that were cancelled before they could fire. When a
 * rule failed, {@code ruleError} names it and the conclusions are the safe
 * default instead (see {@link RuleEngine}); the firings before the failure stay.
 */
public record Evaluation(Requested requested, Effective effective, Outcome outcome,
                        List<Firing> firings, List<Firing> cancelled, String rulesetDigest, RuleError ruleError) {

    /** The rules settled: what they concluded, no rule error. */
    public Evaluation(Requested requested, Effective effective, Outcome outcome,
                      List<Firing> firings, List<Firing> cancelled, String rulesetDigest) {
        this(requested, effective, outcome, firings, cancelled, rulesetDigest, null);
    }
}
