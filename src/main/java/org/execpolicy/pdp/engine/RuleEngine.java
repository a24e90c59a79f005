package org.execpolicy.pdp.engine;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.execpolicy.pdp.model.Effective;
import org.execpolicy.pdp.model.Outcome;
import org.execpolicy.pdp.model.ReportOutcome;
import org.execpolicy.pdp.model.ReportedRun;
import org.execpolicy.pdp.model.Requested;
import org.drools.base.definitions.rule.impl.RuleImpl;
import org.kie.api.runtime.ClassObjectFilter;
import org.kie.api.runtime.KieSession;
import org.kie.api.runtime.rule.AgendaGroup;
import org.kie.api.runtime.rule.Match;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the rules over one set of facts in a fresh session. Java inserts facts
 * and reads the conclusions; what they mean is decided by the DRL alone. The
 * serving ruleset can be swapped at any time: an evaluation keeps the one it
 * started with. A rule error is a decision too: the safe default
 * {standard, exact} with reason RULE_ERROR, counted in {@link #ruleErrors()}.
 */
public final class RuleEngine {
    /**
     * A decision fires a few dozen rules at most; a ruleset that keeps firing
     * (two rules undoing each other) is stopped here instead of spinning a thread.
     */
    static final int MAX_FIRINGS = 1000;

    private static final Logger LOG = LoggerFactory.getLogger(RuleEngine.class);
    /** The globals the engine gives a session: what a decision's rules fill in, and a report's verdict. */
    private static final String OUTCOME = "outcome";
    private static final String VERDICT = "verdict";

    private final AtomicReference<Ruleset> serving;
    private final RuleErrors ruleErrors = new RuleErrors();

    public RuleEngine(Ruleset ruleset) {
        this.serving = new AtomicReference<>(ruleset);
    }

    /** The ruleset new evaluations use. */
    public Ruleset ruleset() {
        return serving.get();
    }

    /** Serves another ruleset from the next evaluation on; returns the one it replaces. */
    public Ruleset swap(Ruleset next) {
        return serving.getAndSet(next);
    }

    /** Rule errors so far, by rule name, for metrics. */
    public RuleErrors ruleErrors() {
        return ruleErrors;
    }

    /**
     * Never throws because of the rules: when a rule fails (its consequence
     * throws, a condition cannot be evaluated, the rules do not settle or do not
     * conclude one requested and one effective policy), the evaluation is the
     * safe default with reason RULE_ERROR and the failing rule named; the
     * firings before the failure are kept, in order.
     */
    public Evaluation evaluate(Facts facts) {
        Ruleset ruleset = serving.get();
        KieSession session = ruleset.newSession();
        try {
            FiringRecorder firings = new FiringRecorder();
            session.addEventListener(firings);
            Outcome outcome = new Outcome();
            // a ruleset whose rules never write the outcome need not declare it (Drools refuses an undeclared global)
            if (ruleset.declaresGlobal(OUTCOME)) {
                session.setGlobal(OUTCOME, outcome);
            }
            // rules give reason codes as facts (ReasonCode); they reach the answer in the order inserted
            session.addEventListener(new ReasonCodes(outcome));
            session.insert(facts.request());
            session.insert(facts.clock());
            facts.context().forEach(session::insert);
            try {
                if (session.fireAllRules(MAX_FIRINGS) >= MAX_FIRINGS) {
                    throw new RulesDidNotSettleException(MAX_FIRINGS, firings.firings());
                }
                // a class filter reads the session's store of that class, not every fact
                Requested requested = single(session.getObjects(new ClassObjectFilter(Requested.class)),
                        "requested policy");
                Effective effective = single(session.getObjects(new ClassObjectFilter(Effective.class)),
                        "effective policy");
                return new Evaluation(requested, effective, outcome, firings.firings(), firings.cancelled(),
                        ruleset.digest());
            } catch (RuntimeException failure) {
                RuleError error = RuleError.of(failure, ruleset);
                long count = ruleErrors.record(error);
                // The rule and the kind of failure only: exception messages can quote request values.
                LOG.warn("rule error in {}: {}; answered standard/exact with RULE_ERROR "
                                + "(ruleset {}, rule errors of this rule so far: {})",
                        error.ruleName() == null ? "a rule Drools did not name " + RuleErrors.UNATTRIBUTED
                                : "rule \"" + error.ruleName() + "\" of " + error.rulePackage(),
                        failureType(failure), ruleset.digest().substring(0, 12), count);
                return SafeDefault.of(error, session.getObjects(), firings.firings(), firings.cancelled(),
                        ruleset.digest());
            }
        } finally {
            session.dispose();
        }
    }

    /**
     * Judges a runtime report (report.drl) in a fresh session of the serving ruleset. Only a
     * {@link ReportedRun} is inserted, and only rules of the agenda group "report" may fire. Unlike a decision, a failing
     * report rule has no safe default to fall back on: it throws {@link ReportRulesFailedException},
     * and the caller stores nothing.
     */
    public ReportEvaluation evaluateReport(ReportedRun run) {
        Ruleset ruleset = serving.get();
        KieSession session = ruleset.newSession();
        try {
            FiringRecorder firings = new FiringRecorder();
            session.addEventListener(firings);
            ReportOutcome verdict = new ReportOutcome();
            if (ruleset.declaresGlobal(VERDICT)) { // a ruleset without report rules declares none
                session.setGlobal(VERDICT, verdict);
            }
            session.insert(run);
            // Decision rules can start from no facts at all (the runtime default), so the report rules
            // are an agenda group of their own: focused here, never in a decision, and nothing else fires.
            AgendaGroup reportRules = session.getAgenda().getAgendaGroup(REPORT_AGENDA_GROUP);
            if (reportRules == null) { // a ruleset without report rules: nothing to judge with, no verdict
                return new ReportEvaluation(verdict, List.of(), ruleset.digest());
            }
            reportRules.setFocus();
            try {
                if (session.fireAllRules(RuleEngine::isReportRule, MAX_FIRINGS) >= MAX_FIRINGS) {
                    throw new RulesDidNotSettleException(MAX_FIRINGS, firings.firings());
                }
            } catch (RuntimeException failure) {
                RuleError error = RuleError.of(failure, ruleset);
                ruleErrors.record(error);
                LOG.warn("rule error judging a runtime report in {}: {}", error.ruleName(), failureType(failure));
                throw new ReportRulesFailedException(error);
            }
            return new ReportEvaluation(verdict, firings.firings(), ruleset.digest());
        } finally {
            session.dispose();
        }
    }

    /** Report rules (report.drl) carry {@code agenda-group "report"}: a decision session never focuses it. */
    public static final String REPORT_AGENDA_GROUP = "report";

    private static boolean isReportRule(Match match) {
        return match.getRule() instanceof RuleImpl rule && REPORT_AGENDA_GROUP.equals(rule.getAgendaGroup());
    }

    /** The exception the rule raised (not Drools' wrapper around it), by class name. */
    private static String failureType(Throwable failure) {
        Throwable cause = failure;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause.getClass().getName();
    }

    @SuppressWarnings("unchecked")
    private static <T> T single(Collection<?> found, String what) {
        if (found.size() != 1) {
            throw new IllegalStateException("the rules concluded " + found.size() + " " + what + " facts, expected 1");
        }
        return (T) found.iterator().next();
    }
}
