package org.execpolicy.pdp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.execpolicy.pdp.support.FixtureRules;
import org.junit.jupiter.api.Test;

/**
 * `pdp bench` as the README shows it, for a second: it starts a PDP on a fresh data directory,
 * warms it up, sends decisions over HTTP and prints what it measured. The figures themselves are
 * the benchmark's business (README, Benchmark); this holds the command to working.
 */
class BenchCommandTest {
    private static final Pattern COMPILE = Pattern.compile("compile_ms cold=(\\d+) warm=(\\d+)");
    private static final Pattern DECISIONS = Pattern.compile(
            "clients=2 seconds=1 decisions=(\\d+) failed=0 throughput=\\d+ decisions/s latency_ms p50=");

    @Test
    void bench_starts_a_pdp_decides_over_http_and_prints_throughput_latency_and_compile_times() {
        CommandRun run = CommandRun.of("bench", "--seconds", "1", "--clients", "2",
                "--rules", FixtureRules.ONE_MODE.toString());
        String out = run.out();

        assertThat(run.exit()).as("%s%n%s", out, run.err()).isZero();
        Matcher decisions = DECISIONS.matcher(out);
        assertThat(decisions.find()).as(out).isTrue();
        assertThat(Long.parseLong(decisions.group(1))).as("decisions answered 200 in the measured second").isPositive();
        assertThat(out).contains("heap_used_after_gc_mb before=");
        Matcher compile = COMPILE.matcher(out);
        assertThat(compile.find()).as(out).isTrue();
        // the warm figure is what a reload of edited rules pays, not the last compiled ruleset reused
        assertThat(Long.parseLong(compile.group(2))).as("warm compile in ms: %s", out).isPositive();
    }
}
