package org.execpolicy.pdp.recorder;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a node's registry current when several nodes share one PostgreSQL store: every
 * {@link #EVERY_MS} ms it reads the registry version (one indexed one-row SELECT) and reloads the
 * registry when another node has changed it, so a change made anywhere governs this node's
 * decisions within {@value #EVERY_MS} ms plus one reload, well inside SPEC 7's 1 second.
 * <p>
 * Chosen over LISTEN/NOTIFY: the same check works on both engines, and a notification lost while
 * the connection was down (PostgreSQL restarted) cannot leave a node stale, since the next check
 * after reconnecting sees the moved version.
 */
public final class RegistrySync implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RegistrySync.class);
    public static final long EVERY_MS = 200;

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "pdp-registry-sync");
        thread.setDaemon(true);
        return thread;
    });

    public RegistrySync(RegistryStore registry) {
        timer.scheduleWithFixedDelay(() -> {
            try {
                registry.refreshIfChanged();
            } catch (RuntimeException e) {
                // the store is down: decisions answer 503 meanwhile; the next check after it is back catches up
                LOG.debug("registry version check failed: {}", e.getMessage());
            }
        }, EVERY_MS, EVERY_MS, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
