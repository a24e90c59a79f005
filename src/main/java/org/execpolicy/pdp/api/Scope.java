package org.execpolicy.pdp.api;

import java.util.Arrays;
import java.util.Optional;

/** What a bearer token may do; openapi.yaml names the scope each operation needs. */
enum Scope {
    /** Ask for decisions, upload traces, report what ran. */
    RUNTIME("runtime"),
    /** Change profiles, roles, waivers and rules; also read what it changes. */
    OPERATOR("operator"),
    /** Read events, decisions, profiles, roles, waivers and traces. */
    AUDITOR("auditor");

    private final String wireName;

    Scope(String wireName) {
        this.wireName = wireName;
    }

    String wireName() {
        return wireName;
    }

    /** An operator reads what it changes (the console needs both); no other scope implies another. */
    boolean grants(Scope needed) {
        return this == needed || (this == OPERATOR && needed == AUDITOR);
    }

    static Optional<Scope> of(String wireName) {
        return Arrays.stream(values()).filter(s -> s.wireName.equals(wireName)).findFirst();
    }
}
