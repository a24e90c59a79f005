package org.execpolicy.pdp.acceptance;

import io.cucumber.java.AfterAll;
import org.execpolicy.pdp.execution.TraceLimits;
import org.execpolicy.pdp.support.RunningPdp;
import org.execpolicy.pdp.support.SettableClock;

/**
 * The one real PDP of the acceptance run: started on first use (shipped rules,
 * H2 file database in a temporary directory, a free loopback port) and stopped
 * once every scenario has run. Scenarios keep out of each other's way by
 * giving every profile, role, waiver and trace an id of their own (see {@link World}).
 */
public final class Pdp {
    private static RunningPdp server;
    /** The server's clock: scenarios let days pass to expire waivers granted while valid. */
    private static final SettableClock CLOCK = new SettableClock();

    private Pdp() {
    }

    static synchronized RunningPdp server() {
        if (server == null) {
            // the trace deadline is checked often, so that a scenario letting minutes pass sees it at once
            server = RunningPdp.start(RunningPdp.freshDataDir(), CLOCK,
                    TraceLimits.defaults().withCheckEvery(java.time.Duration.ofMillis(200)));
            Runtime.getRuntime().addShutdownHook(new Thread(Pdp::stop, "acceptance-pdp-stop"));
        }
        return server;
    }

    /** Now, as the server tells it. */
    static java.time.Instant now() {
        return CLOCK.instant();
    }

    static void letTimePass(java.time.Duration duration) {
        CLOCK.advance(duration);
    }

    @AfterAll
    public static synchronized void stop() {
        if (server != null) {
            server.close();
            server = null;
        }
    }
}
