package org.execpolicy.pdp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.execpolicy.pdp.support.RunningPdp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `recorder verify|export`: exit 0 on a sound store, 2 when they cannot run, never a stack trace. */
class RecorderCommandTest {
    @TempDir
    Path dir;

    @Test
    void a_store_that_is_not_there_is_exit_2_and_is_not_created() {
        Path missing = dir.resolve("no-such-data");

        assertThat(CommandRun.of("recorder", "verify", "--data", missing.toString()).exit()).isEqualTo(2);
        assertThat(CommandRun.of("recorder", "export", "--data", missing.toString()).exit()).isEqualTo(2);
        assertThat(missing).doesNotExist();
    }

    @Test
    void a_malformed_time_is_a_usage_error_naming_the_option() {
        CommandRun run = CommandRun.of("recorder", "export", "--data", dir.toString(), "--since", "garbage");

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).contains("--since").contains("garbage");
    }

    @Test
    void a_sound_store_verifies_and_exports() {
        Path data = dir.resolve("data");
        RunningPdp.start(data).close(); // a store with its startup record
        Path out = dir.resolve("export.jsonl");

        assertThat(CommandRun.of("recorder", "verify", "--data", data.toString()).exit()).isEqualTo(0);
        assertThat(CommandRun.of("recorder", "export", "--data", data.toString(), "--since",
                "2020-01-01T00:00:00+02:00", "--out", out.toString()).exit()).isEqualTo(0);
        assertThat(out).content().contains("\"type\":\"policy_ruleset_loaded\"");
    }
}
