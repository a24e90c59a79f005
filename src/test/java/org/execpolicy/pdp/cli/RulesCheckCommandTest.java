package org.execpolicy.pdp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.execpolicy.pdp.engine.Ruleset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `rules check` in-process: the shipped cases, and each way a suite can fail or be unable to run. */
class RulesCheckCommandTest {
    private static final Path RULES = Path.of("rules");
    private static int ruleCount;

    @TempDir
    Path temp;

    @BeforeAll
    static void countRules() {
        ruleCount = Ruleset.compile(RULES).rules().size();
    }

    @Test
    void everyShippedCasePassesAndEveryRuleIsFired() throws IOException {
        CommandRun run = CommandRun.of("rules", "check", "--rules", RULES.toString(), "--coverage");

        assertThat(run.exit()).as(run.out() + run.err()).isZero();
        assertThat(run.out()).doesNotContain("FAIL ").doesNotContain("not fired by any case")
                .contains("coverage: " + ruleCount + "/" + ruleCount + " rules fired (100%)");
        assertThat(run.lastLine()).matches("[1-9][0-9]* passed, 0 failed");
        assertThat(run.lastLine()).as("every case of tests/*.yaml ran").isEqualTo(casesIn(RULES) + " passed, 0 failed");
    }

    @Test
    void aFailingCaseIsReportedWithWhatDifferedAndExitsOne() throws IOException {
        Path rules = copyOfRules();
        Files.writeString(rules.resolve("tests/zz_failing.yaml"), """
                - name: worker-refused-for-another-reason
                  now: 2026-11-25T12:00:00Z
                  request:
                    trace_id: t-1
                    role: worker
                    task_type: chat
                    model_id: llama-7b
                    settings: {exec_policy: {mode: layer_skip, exactness: approximate}}
                  expect:
                    mode: spec_decode
                    reason_codes: [WAIVER_REVOKED]
                """);

        CommandRun run = CommandRun.of("rules", "check", "--rules", rules.toString());

        assertThat(run.exit()).isEqualTo(RulesCheckCommand.FAILED);
        assertThat(run.out()).contains("\nFAIL worker-refused-for-another-reason: reason_codes expected "
                + "[WAIVER_REVOKED] but was [APPROXIMATE_NOT_ALLOWED, WAIVER_MISSING]\n");
        assertThat(run.out()).contains("PASS worker-revoked\n");
        assertThat(run.lastLine()).matches("[1-9][0-9]* passed, 1 failed");
        assertThat(run.lastLine()).isEqualTo((casesIn(rules) - 1) + " passed, 1 failed");
    }

    @Test
    void aReportCaseComparesWhatTheReportRulesConcludedAndItsShapeIsChecked() throws IOException {
        Path rules = copyOfRules();
        Files.writeString(rules.resolve("tests/zz_report.yaml"), """
                - name: fallback-claimed-permitted-but-no-reason
                  now: 2026-11-25T12:00:00Z
                  request: {trace_id: t-1, role: worker, task_type: chat, model_id: llama-7b}
                  report: {mode: mem_offload, exactness: exact, token_count: 3}
                  expect:
                    violations: []
                    runtime_downgrade: true
                """);

        CommandRun run = CommandRun.of("rules", "check", "--rules", rules.toString());

        assertThat(run.exit()).isEqualTo(RulesCheckCommand.FAILED);
        assertThat(run.out()).contains("FAIL fallback-claimed-permitted-but-no-reason: violations expected [] but was "
                + "[mode_differs]; runtime_downgrade expected true but was false");

        Files.writeString(rules.resolve("tests/zz_report.yaml"), """
                - name: report-expectation-without-a-report
                  now: 2026-11-25T12:00:00Z
                  request: {trace_id: t-1, role: worker, task_type: chat, model_id: llama-7b}
                  expect: {violations: []}
                - name: report-in-the-v1-shape
                  now: 2026-11-25T12:00:00Z
                  request: {trace_id: t-1, role: worker, task_type: chat, model_id: llama-7b}
                  report: {mode: standard, exactness: exact, token_count: 3, exit_layer_histogram: [1, 2]}
                  expect: {violations: []}
                """);

        CommandRun refused = CommandRun.of("rules", "check", "--rules", rules.toString());

        assertThat(refused.exit()).isEqualTo(RulesCheckCommand.CANNOT_RUN);
        assertThat(refused.err()).contains("case 'report-expectation-without-a-report'")
                .contains("give a report").contains("report/exit_layer_histogram");
    }

    @Test
    void aRuleThatFailsAtRunTimeFailsTheCasesItBreaks() throws IOException {
        Path rules = copyOfRules();
        Files.writeString(rules.resolve("zz_throws.drl"), """
                package org.execpolicy.rules;
                import org.execpolicy.pdp.model.*;
                // salience-band: 0..99

                rule "throws: for the tool_call task type"
                    @description("test: a consequence that throws")
                when
                    DecisionRequest( taskType == "tool_call" )
                then
                    throw new IllegalStateException("boom");
                end
                """);

        CommandRun run = CommandRun.of("rules", "check", "--rules", rules.toString());

        assertThat(run.exit()).isEqualTo(RulesCheckCommand.FAILED);
        assertThat(run.out()).containsPattern("\nFAIL tool-calls-are-exact-only-even-when-waived: .*boom")
                .contains("PASS worker-revoked\n");
    }

    @Test
    void aDrlThatDoesNotCompileIsReportedWithFileAndLineAndExitsTwo() throws IOException {
        Path rules = copyOfRules();
        Files.writeString(rules.resolve("broken.drl"), """
                package org.execpolicy.rules;
                import org.execpolicy.pdp.model.*;

                rule "broken: refers to a fact type that does not exist"
                    @description("test")
                when
                    NoSuchFact( x == 1 )
                then
                end
                """);

        CommandRun run = CommandRun.of("rules", "check", "--rules", rules.toString());

        assertThat(run.exit()).isEqualTo(RulesCheckCommand.CANNOT_RUN);
        assertThat(run.err()).startsWith("broken.drl:7: ");
        assertThat(run.out()).doesNotContain("passed");
    }

    @Test
    void aRuleWithoutDescriptionIsRefusedByTheHygieneCheck() throws IOException {
        Path rules = copyOfRules();
        Files.writeString(rules.resolve("zz_undescribed.drl"), """
                package org.execpolicy.rules;
                import org.execpolicy.pdp.model.*;
                // salience-band: 0..99

                rule "undescribed: says nothing"
                when
                    Effective( mode == "no-such-mode" )
                then
                end
                """);

        CommandRun run = CommandRun.of("rules", "check", "--rules", rules.toString());

        assertThat(run.exit()).isEqualTo(RulesCheckCommand.CANNOT_RUN);
        assertThat(run.err()).contains("zz_undescribed.drl:5: rule \"undescribed: says nothing\" has no @description");
    }

    @Test
    void aRulesetWhoseSalienceBandsAreBrokenDoesNotRun() {
        CommandRun run = CommandRun.of("rules", "check", "--rules", "src/test/resources/rulesets/bad_bands");

        assertThat(run.exit()).isEqualTo(RulesCheckCommand.CANNOT_RUN);
        assertThat(run.err()).contains("a_first.drl:17: rule \"first: outside its band\" has salience 250, outside"
                        + " its file's band 100..199")
                .contains("b_overlapping.drl:4: salience band 150..299 overlaps the band 100..199 of a_first.drl")
                .contains("c_unbanded.drl:1: no salience band declared");
        assertThat(run.out()).doesNotContain("passed");
    }

    @Test
    void anUnknownFieldInACaseNamesTheFileLineAndCase() throws IOException {
        Path rules = copyOfRules();
        Path file = rules.resolve("tests/zz_typo.yaml");
        Files.writeString(file, """
                - name: typo-in-expect
                  now: 2026-11-25T12:00:00Z
                  request: {trace_id: t-1, role: worker, task_type: chat, model_id: llama-7b}
                  expect:
                    mode: standard
                    reason_code: []
                """);

        CommandRun run = CommandRun.of("rules", "check", "--rules", rules.toString());

        assertThat(run.exit()).isEqualTo(RulesCheckCommand.CANNOT_RUN);
        assertThat(run.err()).startsWith(file + ":6: case 'typo-in-expect': unknown field 'reason_code' in expect");
        assertThat(run.out()).as("nothing runs from a suite that cannot be read").isEmpty();
    }

    @Test
    void malformedYamlIsReportedWithFileAndLine() throws IOException {
        Path rules = copyOfRules();
        Path file = rules.resolve("tests/zz_malformed.yaml");
        Files.writeString(file, """
                - name: unclosed
                  now: 2026-11-25T12:00:00Z
                  request: {trace_id: t-1, role: worker
                  expect: {mode: standard}
                """);

        CommandRun run = CommandRun.of("rules", "check", "--rules", rules.toString());

        assertThat(run.exit()).isEqualTo(RulesCheckCommand.CANNOT_RUN);
        assertThat(run.err()).matches("(?s)" + Pattern.quote(file.toString()) + ":4: malformed YAML: .*");
    }

    @Test
    void coverageNamesTheRulesNoCaseFires() throws IOException {
        Path rules = copyOfRules();
        Files.delete(rules.resolve("tests/codes.yaml"));

        CommandRun run = CommandRun.of("rules", "check", "--rules", rules.toString(), "--coverage");

        assertThat(run.exit()).as("coverage informs; it does not fail the run").isZero();
        String unfired = run.out().substring(run.out().indexOf("not fired by any case:"));
        assertThat(unfired).containsPattern(
                "\n  codes\\.drl:[0-9]+  codes: CX-MM-005 cloud reasoning strength set for a local backend\n");
        assertThat(unfired).doesNotContain("governance: ");
        Matcher summary = Pattern.compile("coverage: ([0-9]+)/" + ruleCount + " rules fired \\(([0-9]+)%\\)\n")
                .matcher(run.out());
        assertThat(summary.find()).as(run.out()).isTrue();
        int fired = Integer.parseInt(summary.group(1));
        assertThat(fired).isLessThan(ruleCount);
        assertThat(Integer.parseInt(summary.group(2))).isEqualTo(fired * 100 / ruleCount);
        assertThat(run.lastLine()).matches("[1-9][0-9]* passed, 0 failed");
        assertThat(run.lastLine()).as("the cases of the files left").isEqualTo(casesIn(rules) + " passed, 0 failed");
    }

    /** How many cases the test files of a rules directory hold, counted here with a YAML parser. */
    private static int casesIn(Path rules) throws IOException {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        int cases = 0;
        try (Stream<Path> files = Files.list(rules.resolve("tests"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml")).toList()) {
                JsonNode list = yaml.readTree(file.toFile());
                assertThat(list.isArray()).as("%s is a list of cases", file).isTrue();
                cases += list.size();
            }
        }
        assertThat(cases).isPositive();
        return cases;
    }

    /** The DRL files and the test cases, in a directory a test may change. */
    private Path copyOfRules() throws IOException {
        Path copy = temp.resolve("rules");
        try (Stream<Path> files = Files.walk(RULES)) {
            for (Path source : files.toList()) {
                Path target = copy.resolve(RULES.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target);
                }
            }
        }
        return copy;
    }
}
