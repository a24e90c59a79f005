package org.execpolicy.pdp.model;

/**
 * One reason why the requested model call is not permitted (inserted by permission.drl). Kept apart
 * from {@link Refusal}, which refuses approximate execution only: a refused model refuses the whole call.
 */
public final class ModelRefusal {
    private final String code;

    public ModelRefusal(String code) {
        this.code = code;
    }

    public String getCode() {
        return code;
    }

    @Override
    public String toString() {
        return "ModelRefusal{" + code + "}";
    }
}
