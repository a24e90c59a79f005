package org.execpolicy.pdp.model;

/**
 * A reason code a rule gives, as a fact: the one way rules carry a reason code. A rule
 * inserts one of its kinds ({@link Refusal} refuses approximate execution, {@link ModelRefusal}
 * refuses the model call, {@link Reason} refuses nothing), and the engine lists every code in
 * the answer's reason_codes in the order the rules inserted them, once each. Being facts, the
 * codes given so far are what later rules match on (a fallback once any refusal holds, a guard
 * so a check fires once).
 */
public abstract class ReasonCode {
    private final String code;

    protected ReasonCode(String code) {
        this.code = code;
    }

    public String getCode() {
        return code;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "{" + code + "}";
    }
}
