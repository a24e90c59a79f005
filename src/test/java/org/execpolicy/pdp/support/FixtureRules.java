package org.execpolicy.pdp.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The fixture rulesets under src/test/resources/rulesets (see the README there): rules written for
 * the tests, so that machinery tests never depend on what the shipped rules/ decide.
 */
public final class FixtureRules {
    /** Every decision is {@code spec_decode}/{@code exact}; {@link #setOneMode} changes that mode. */
    public static final Path ONE_MODE = Path.of("src/test/resources/rulesets/one-mode");
    /**
     * Answers with the policy it is given (the request's, else the work profile's exec_policy_override for
     * the role, else standard/exact); approximate reserves a trace artifact; a tool call is standard/exact.
     */
    public static final Path ECHO = Path.of("src/test/resources/rulesets/echo");
    /**
     * Approximate execution (asked by the request, or by the role's compute block's exec_policy_override) only
     * under a waiver that block names, in the registry, approved and not revoked; else standard/exact with
     * WAIVER_MISSING, WAIVER_UNKNOWN, WAIVER_PENDING or WAIVER_REVOKED. For the waiver machinery: registry
     * sync between nodes, the registry's save-time check, replay from recorded waiver snapshots, the second
     * operator's approval, the registry surviving a restart, granted and refused records read back. An exact
     * decision asking for a trace artifact expects one when its trace id samples in. Its report rules
     * (report.drl) judge a report against the grant without a fallback chain: the trace upload, deadline,
     * retention and runtime report machinery (traces/) runs on it.
     */
    public static final Path WAIVER_GATE = Path.of("src/test/resources/rulesets/waiver-gate");
    /** Every evaluation takes 300 ms and concludes nothing (the safe default, RULE_ERROR). */
    public static final Path SLOW = Path.of("src/test/resources/rulesets/slow");

    private static final String ONE_MODE_POLICY = "ExecPolicy.of( \"%s\", \"exact\" )";

    private FixtureRules() {
    }

    /** Copies the .drl files of a fixture ruleset into {@code dir}, for a test that edits them. */
    public static Path copy(Path fixture, Path dir) {
        try (Stream<Path> files = Files.list(fixture)) {
            for (Path file : files.filter(p -> p.toString().endsWith(".drl")).toList()) {
                Files.copy(file, dir.resolve(file.getFileName()));
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Rewrites a copy of {@link #ONE_MODE} in {@code dir} so that every decision is {@code mode}/exact. */
    public static void setOneMode(Path dir, String mode) {
        Path drl = dir.resolve("one-mode.drl");
        try {
            String text = Files.readString(drl);
            String edited = text.replaceFirst("ExecPolicy\\.of\\( \"[a-z_]+\", \"exact\" \\)",
                    ONE_MODE_POLICY.formatted(mode));
            if (!edited.contains(ONE_MODE_POLICY.formatted(mode))) {
                throw new IllegalStateException("not a copy of the one-mode fixture: " + drl);
            }
            Files.writeString(drl, edited);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
