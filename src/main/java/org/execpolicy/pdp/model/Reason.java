package org.execpolicy.pdp.model;

/**
 * A reason code that refuses nothing by itself: it names what a rule did or noticed
 * (EXACTNESS_RECLASSIFIED, MODE_UNKNOWN, MODE_UNSUPPORTED, ROLE_UNREGISTERED, CX-MM-005).
 */
public final class Reason extends ReasonCode {
    public Reason(String code) {
        super(code);
    }
}
