package org.execpolicy.pdp.decision;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reloads the rules when their directory changes. Editors write a file in
 * several steps, so a reload starts only after the directory has been quiet
 * for the debounce interval.
 */
public final class RulesWatcher implements AutoCloseable {
    public static final Duration DEBOUNCE = Duration.ofMillis(300);
    private static final Logger LOG = LoggerFactory.getLogger(RulesWatcher.class);

    private final WatchService watchService;
    private final RulesReloader reloader;
    private final Thread thread;

    public RulesWatcher(Path rulesDir, RulesReloader reloader) {
        this.reloader = reloader;
        try {
            this.watchService = FileSystems.getDefault().newWatchService();
            rulesDir.register(watchService, StandardWatchEventKinds.ENTRY_CREATE,
                    StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_DELETE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot watch " + rulesDir, e);
        }
        this.thread = new Thread(this::run, "rules-watcher");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        try {
            while (true) {
                WatchKey key = watchService.take();
                drain(key);
                // Debounce: wait until nothing has changed for DEBOUNCE, then reload once.
                WatchKey more;
                while ((more = watchService.poll(DEBOUNCE.toMillis(), TimeUnit.MILLISECONDS)) != null) {
                    drain(more);
                }
                reloader.reload(RulesReloader.Source.watch, null).whenComplete((outcome, failure) -> {
                    if (failure != null) {
                        LOG.error("rules reload after a change in the rules directory failed", failure);
                    } else if (outcome.rejected()) {
                        LOG.warn("rules change rejected, still serving {}: {}", outcome.serving().digest(),
                                outcome.rejection().messages());
                    } else if (outcome.changed()) {
                        LOG.info("rules reloaded: now serving {}", outcome.serving().digest());
                    }
                });
            }
        } catch (InterruptedException | ClosedWatchServiceException stopped) {
            // closed
        }
    }

    private static void drain(WatchKey key) {
        key.pollEvents();
        key.reset();
    }

    @Override
    public void close() {
        try {
            watchService.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        thread.interrupt();
    }
}
