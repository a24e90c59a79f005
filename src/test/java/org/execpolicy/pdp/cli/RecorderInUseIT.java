package org.execpolicy.pdp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.execpolicy.pdp.support.PdpProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `recorder verify|export` on the store of a running PDP (another process: H2's file is open to one
 * process at a time) say so in one line and exit 2, and leave no empty export file behind.
 */
class RecorderInUseIT {
    @TempDir
    Path dir;

    @Test
    void the_store_of_a_running_pdp_is_said_to_be_in_use_exit_2_and_nothing_written() throws Exception {
        Path data = dir.resolve("data");
        Path out = dir.resolve("export.jsonl");
        try (PdpProcess running = PdpProcess.startWithoutWarmup(data)) {
            CommandRun verify = CommandRun.of("recorder", "verify", "--data", data.toString());
            CommandRun export = CommandRun.of("recorder", "export", "--data", data.toString(), "--out", out.toString());

            assertThat(verify.exit()).isEqualTo(2);
            assertThat(verify.err()).contains("in use by a running PDP").doesNotContain("\tat ");
            assertThat(export.exit()).isEqualTo(2);
            assertThat(export.err()).contains("in use by a running PDP").doesNotContain("\tat ");
            assertThat(out).doesNotExist();
        }
    }
}
