package org.execpolicy.pdp.engine;

import org.execpolicy.pdp.model.Outcome;
import org.execpolicy.pdp.model.ReasonCode;
import org.kie.api.event.rule.DefaultRuleRuntimeEventListener;
import org.kie.api.event.rule.ObjectInsertedEvent;

/**
 * Carries the reason codes of one decision session into its outcome: every {@link ReasonCode}
 * fact a rule inserts is added to the answer's reason_codes as it is inserted, so their order is
 * the order the rules gave them (and a rule's consequence can already name the codes given so far,
 * {@link Outcome#reasonsAmong}). Which codes hold is decided by the rules alone; this only carries them.
 */
final class ReasonCodes extends DefaultRuleRuntimeEventListener {
    private final Outcome outcome;

    ReasonCodes(Outcome outcome) {
        this.outcome = outcome;
    }

    @Override
    public void objectInserted(ObjectInsertedEvent event) {
        if (event.getObject() instanceof ReasonCode reason) {
            outcome.addReason(reason.getCode());
        }
    }
}
