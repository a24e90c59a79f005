package org.execpolicy.pdp.recorder;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs the retention purge once shortly after start, then daily, on a thread of its own. */
public final class RetentionSchedule implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RetentionSchedule.class);
    private static final Duration FIRST_RUN = Duration.ofMinutes(1);
    private static final Duration EVERY = Duration.ofDays(1);

    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "retention");
        thread.setDaemon(true);
        return thread;
    });

    public RetentionSchedule(Retention retention, int retentionDays, Clock clock) {
        scheduler.scheduleAtFixedRate(() -> {
            try {
                retention.purgeOlderThan(clock.instant().minus(Duration.ofDays(retentionDays)))
                        .forEach(p -> LOG.info("retention: purged {} records of chain {} through seq {}",
                                p.count(), p.nodeId(), p.throughSeq()));
            } catch (RuntimeException e) { // a failed purge is retried tomorrow; it never stops the schedule
                LOG.error("retention purge failed", e);
            }
        }, FIRST_RUN.toMillis(), EVERY.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        Schedules.stopWithoutInterrupt(scheduler);
    }
}
