package org.execpolicy.pdp.model;

import java.time.Instant;

/** The server clock as a fact: rules compare against this, never against the wall clock. */
public final class Clock {
    private final Instant now;

    public Clock(Instant now) {
        this.now = now;
    }

    public Instant getNow() {
        return now;
    }

    @Override
    public String toString() {
        return "Clock{now=" + now + "}";
    }
}
