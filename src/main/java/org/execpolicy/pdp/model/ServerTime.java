package org.execpolicy.pdp.model;

import java.time.Instant;

/**
 * The server clock's now as a fact: rules compare against this, never against the wall clock. Named apart
 * from {@link java.time.Clock}, which supplies it.
 */
public final class ServerTime {
    private final Instant now;

    public ServerTime(Instant now) {
        this.now = now;
    }

    public Instant getNow() {
        return now;
    }

    @Override
    public String toString() {
        return "ServerTime{now=" + now + "}";
    }
}
