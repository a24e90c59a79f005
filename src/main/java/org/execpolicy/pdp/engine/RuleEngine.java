package org.execpolicy.pdp.engine;

import java.util.Collection;
import java.util.concurrent.atomic.AtomicReference;
import org.execpolicy.pdp.model.Effective;
import org.execpolicy.pdp.model.Outcome;
import org.execpolicy.pdp.model.Requested;
import org.kie.api.runtime.KieSession;

/**
 * Runs the rules over one set of facts in a fresh session. Java inserts facts
 * and reads the conclusions; what they mean is decided by the DRL alone. The
 * serving ruleset can be swapped at any time: an evaluation keeps the one it
 * started with.
 */
public final class RuleEngine {
    /**
     * A decision fires a few dozen rules at most; a ruleset that keeps firing
     * (two rules undoing each other) is stopped here instead of spinning a thread.
     */
    static final int MAX_FIRINGS = 1000;

    private final AtomicReference<Ruleset> serving;

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

    public Evaluation evaluate(Facts facts) {
        Ruleset ruleset = serving.get();
        KieSession session = ruleset.kieBase().newKieSession();
        try {
            FiringRecorder firings = new FiringRecorder();
            session.addEventListener(firings);
            Outcome outcome = new Outcome();
            session.setGlobal("outcome", outcome);
            session.insert(facts.request());
            session.insert(facts.clock());
            facts.context().forEach(session::insert);
            if (session.fireAllRules(MAX_FIRINGS) >= MAX_FIRINGS) {
                throw new RulesDidNotSettleException(MAX_FIRINGS, firings.firings());
            }
            Requested requested = single(session.getObjects(o -> o instanceof Requested), "requested policy");
            Effective effective = single(session.getObjects(o -> o instanceof Effective), "effective policy");
            return new Evaluation(requested, effective, outcome, firings.firings(), firings.cancelled(),
                    ruleset.digest());
        } finally {
            session.dispose();
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> T single(Collection<?> found, String what) {
        if (found.size() != 1) {
            throw new IllegalStateException("the rules concluded " + found.size() + " " + what + " facts, expected 1");
        }
        return (T) found.iterator().next();
    }
}
