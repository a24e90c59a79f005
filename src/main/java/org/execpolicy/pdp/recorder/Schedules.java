package org.execpolicy.pdp.recorder;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** Background jobs that use the database (retention, trace deadlines). */
public final class Schedules {
    private static final long STOP_WAIT_SECONDS = 30;

    private Schedules() {
    }

    /**
     * Stops taking runs and waits for the current one, without interrupting it: an interrupt in
     * the middle of a JDBC call closes H2's file channel under every other user of the database.
     */
    public static void stopWithoutInterrupt(ScheduledExecutorService scheduler) {
        scheduler.shutdown();
        try {
            scheduler.awaitTermination(STOP_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
