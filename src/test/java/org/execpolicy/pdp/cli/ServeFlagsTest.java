package org.execpolicy.pdp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.execpolicy.pdp.api.PdpServer;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** serve --rate-limit N and --request-timeout-ms N: defaults, parsing, and refusal of negative values. */
class ServeFlagsTest {

    @Test
    void rate_limit_is_off_and_the_request_timeout_10_s_by_default() {
        ServeCommand serve = new ServeCommand();
        new CommandLine(serve).parseArgs();

        assertThat(serve.rateLimit).isZero();
        assertThat(serve.requestTimeoutMs).isEqualTo(PdpServer.DEFAULT_REQUEST_TIMEOUT_MS).isEqualTo(10_000);
    }

    @Test
    void both_are_set_by_their_flags() {
        ServeCommand serve = new ServeCommand();
        new CommandLine(serve).parseArgs("--rate-limit", "50", "--request-timeout-ms", "250");

        assertThat(serve.rateLimit).isEqualTo(50);
        assertThat(serve.requestTimeoutMs).isEqualTo(250);
    }

    @Test
    void a_negative_value_stops_the_start_with_exit_code_2() throws Exception {
        ServeCommand serve = new ServeCommand();
        new CommandLine(serve).parseArgs("--rate-limit", "-1", "--data", "target/never-created");

        assertThat(serve.call()).isEqualTo(2);
    }

    @Test
    void the_help_names_them() {
        String usage = new CommandLine(new ServeCommand()).getUsageMessage();

        assertThat(usage).contains("--rate-limit").contains("--request-timeout-ms").contains("429").contains("504");
    }
}
