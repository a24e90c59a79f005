package org.execpolicy.pdp.model;

/** One reason why approximate execution is refused (inserted by governance rules). */
public final class Refusal {
    private final String code;

    public Refusal(String code) {
        this.code = code;
    }

    public String getCode() {
        return code;
    }

    @Override
    public String toString() {
        return "Refusal{" + code + "}";
    }
}
