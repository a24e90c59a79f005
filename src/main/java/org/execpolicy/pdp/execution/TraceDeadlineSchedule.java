package org.execpolicy.pdp.execution;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.execpolicy.pdp.recorder.Schedules;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the trace deadline check at start and then periodically, on a thread of its own, one run
 * at a time. The check reads its work from the records, so nothing is lost between runs or restarts.
 */
public final class TraceDeadlineSchedule implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TraceDeadlineSchedule.class);

    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "trace-deadline");
        thread.setDaemon(true);
        return thread;
    });

    public TraceDeadlineSchedule(ExecutionService evidence) {
        long every = evidence.limits().checkEvery().toMillis();
        scheduler.scheduleWithFixedDelay(() -> {
            try {
                evidence.checkDeadlines();
            } catch (RuntimeException e) { // retried at the next run; it never stops the schedule
                LOG.error("trace deadline check failed", e);
            }
            try { // trace retention (SPEC 4, v2) on the same thread: it too reads its work from the records
                evidence.purgeTraces();
            } catch (RuntimeException e) {
                LOG.error("trace retention purge failed", e);
            }
        }, 0, every, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        Schedules.stopWithoutInterrupt(scheduler);
    }
}
