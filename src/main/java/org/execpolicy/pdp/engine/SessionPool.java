package org.execpolicy.pdp.engine;

import org.kie.api.KieBase;
import org.kie.api.runtime.KieSession;
import org.kie.api.runtime.KieSessionsPool;

/**
 * The sessions of one KieBase, reused: a disposed session is reset (facts, agenda, globals and
 * listeners cleared) and handed out again, keeping the node memories a new session would build anew
 * for every decision. One per KieBase, so a ruleset reused from the last compile (a reload that
 * changed nothing) shares its sessions instead of growing a second pool on the same KieBase. Made on
 * first use, so a ruleset compiled only to be checked has none.
 */
final class SessionPool {
    private final KieBase kieBase;
    private volatile KieSessionsPool pool;

    SessionPool(KieBase kieBase) {
        this.kieBase = kieBase;
    }

    KieSession newSession() {
        KieSessionsPool sessions = pool;
        if (sessions == null) {
            synchronized (this) {
                sessions = pool;
                if (sessions == null) {
                    sessions = kieBase.newKieSessionsPool(Runtime.getRuntime().availableProcessors());
                    pool = sessions;
                }
            }
        }
        return sessions.newKieSession();
    }
}
