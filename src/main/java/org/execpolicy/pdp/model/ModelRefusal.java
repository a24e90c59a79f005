package org.execpolicy.pdp.model;

/**
 * One reason why the requested model call is not permitted (inserted by permission.drl); its code is
 * a reason code. Kept apart from {@link Refusal}, which refuses approximate execution only: a refused
 * model refuses the whole call.
 */
public final class ModelRefusal extends ReasonCode {
    public ModelRefusal(String code) {
        super(code);
    }
}
