package org.execpolicy.pdp.model;

/** One reason why approximate execution is refused (inserted by governance rules); its code is a reason code. */
public final class Refusal extends ReasonCode {
    public Refusal(String code) {
        super(code);
    }
}
