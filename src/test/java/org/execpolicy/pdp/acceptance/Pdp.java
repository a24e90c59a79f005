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
            java.nio.file.Path data = RunningPdp.freshDataDir();
            writeTokens(data.resolve("tokens.json"));
            server = RunningPdp.start(data, CLOCK,
                    TraceLimits.defaults().withCheckEvery(java.time.Duration.ofMillis(200)));
            Runtime.getRuntime().addShutdownHook(new Thread(Pdp::stop, "acceptance-pdp-stop"));
        }
        return server;
    }

    /** The name of the second operator's token: it approves what "operator" granted (SPEC 2 "Waiver", v2). */
    static final String SECOND_OPERATOR = "second-operator";

    /** The token file the server would write (one token per scope), and a second operator. */
    private static void writeTokens(java.nio.file.Path file) {
        com.fasterxml.jackson.databind.node.ObjectNode root = org.execpolicy.pdp.json.Json.object();
        var tokens = root.putArray("tokens");
        for (String[] token : new String[][] {{"operator", "operator"}, {SECOND_OPERATOR, "operator"},
                {"runtime", "runtime"}, {"auditor", "auditor"}}) {
            tokens.addObject().put("name", token[0]).put("token", "pdp_" + token[0] + "_" + java.util.UUID.randomUUID())
                    .set("scopes", org.execpolicy.pdp.json.Json.array(java.util.List.of(token[1])));
        }
        try {
            java.nio.file.Files.writeString(file, root.toString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
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
