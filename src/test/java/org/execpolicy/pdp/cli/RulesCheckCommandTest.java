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
import org.execpolicy.pdp.support.FixtureRules;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * `rules check` in-process: the shipped cases pass (the one Java test that runs rules/tests: it is `rules check`),
 * and each way a suite can fail or be unable to run, shown on the fixture ruleset `cases`
 * (src/test/resources/rulesets/cases), whose cases do not change when the shipped policy does.
 */
class RulesCheckCommandTest {
    private static final Path SHIPPED = Path.of("rules");
    private static final Path RULES = Path.of("src/test/resources/rulesets/cases");
    private static int ruleCount;

    @TempDir
    Path temp;

    @BeforeAll
    static void countRules() {
        ruleCount = Ruleset.compile(RULES).rules().size();
    }

    @Test
    void every_shipped_case_passes_and_every_rule_is_fired() throws IOException {
        int shippedRules = Ruleset.compile(SHIPPED).rules().size();

        CommandRun run = CommandRun.of("rules", "check", "--rules", SHIPPED.toString(), "--coverage");

        assertThat(run.exit()).as(run.out() + run.err()).isZero();
        assertThat(run.out()).doesNotContain("FAIL ").doesNotContain("not fired by any case")
                .contains("coverage: " + shippedRules + "/" + shippedRules + " rules fired (100%)");
        assertThat(run.lastLine()).as("every case of tests/*.yaml ran").isEqualTo(casesIn(SHIPPED) + " passed, 0 failed");
    }

    @Test
    void every_case_of_the_fixture_passes_and_every_rule_is_fired() throws IOException {
        CommandRun run = CommandRun.of("rules", "check", "--rules", RULES.toString(), "--coverage");

        assertThat(run.exit()).as(run.out() + run.err()).isZero();
        assertThat(run.out()).doesNotContain("FAIL ").doesNotContain("not fired by any case")
                .contains("PASS the-request-policy-is-answered\n")
                .contains("coverage: " + ruleCount + "/" + ruleCount + " rules fired (100%)");
        assertThat(run.lastLine()).matches("[1-9][0-9]* passed, 0 failed");
        assertThat(run.lastLine()).as("every case of tests/*.yaml ran").isEqualTo(casesIn(RULES) + " passed, 0 failed");
    }

    /**
     * The machinery tests rely on what the fixtures decide, and their own cases say it: DecisionApiTest and
     * DecideCommandTest on echo; SharedStoreTest, RegistryApiTest, ReplayCommandTest, WaiverApprovalTest,
     * DurabilityTest, EvidenceApiTest and the trace and report tests (traces/) on waiver-gate and its report rules.
     */
    @ParameterizedTest
    @MethodSource("fixturesTestsRelyOn")
    void every_case_of_a_fixture_the_tests_rely_on_passes_and_every_rule_is_fired(Path fixture) throws IOException {
        int fixtureRules = Ruleset.compile(fixture).rules().size();

        CommandRun run = CommandRun.of("rules", "check", "--rules", fixture.toString(), "--coverage");

        assertThat(run.exit()).as(run.out() + run.err()).isZero();
        assertThat(run.out()).contains("coverage: " + fixtureRules + "/" + fixtureRules + " rules fired (100%)");
        assertThat(run.lastLine()).isEqualTo(casesIn(fixture) + " passed, 0 failed");
    }

    static Stream<Path> fixturesTestsRelyOn() {
        return Stream.of(FixtureRules.ECHO, FixtureRules.WAIVER_GATE);
    }

    @Test
    void a_failing_case_is_reported_with_what_differed_and_exits_one() throws IOException {
        Path rules = copyOfRules();
        Files.writeString(rules.resolve("tests/zz_failing.yaml"), """
                - name: tool-call-refused-for-another-reason
                  now: 2026-11-25T12:00:00Z
                  request:
                    trace_id: t-1
                    role: worker
                    task_type: tool_call
                    model_id: llama-7b
                    settings: {exec_policy: {mode: layer_skip, exactness: approximate}}
                  expect:
                    mode: standard
                    reason_codes: [WAIVER_REVOKED]
                """);

        CommandRun run = CommandRun.of("rules", "check", "--rules", rules.toString());

        assertThat(run.exit()).isEqualTo(RulesCheckCommand.FAILED);
        assertThat(run.out()).contains("\nFAIL tool-call-refused-for-another-reason: reason_codes expected "
                + "[WAIVER_REVOKED] but was [TASK_TOOL_CALL_EXACT_ONLY]\n");
        assertThat(run.out()).contains("PASS a-tool-call-is-standard-exact\n");
        assertThat(run.lastLine()).matches("[1-9][0-9]* passed, 1 failed");
        assertThat(run.lastLine()).isEqualTo((casesIn(rules) - 1) + " passed, 1 failed");
    }

    @Test
    void a_report_case_compares_what_the_report_rules_concluded_and_its_shape_is_checked() throws IOException {
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
        assertThat(run.out()).contains("PASS another-mode-differs\n");

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
    void a_rule_that_fails_at_run_time_fails_the_cases_it_breaks() throws IOException {
        Path rules = copyOfRules();
        Files.writeString(rules.resolve("zz_throws.drl"), """
                package org.execpolicy.rules;
                import org.execpolicy.pdp.model.*;
                // salience-band: 250..299

                rule "throws: for the tool_call task type"
                    @description("test: a consequence that throws")
                    salience 250
                when
                    DecisionRequest( taskType == "tool_call" )
                then
                    throw new IllegalStateException("boom");
                end
                """);

        CommandRun run = CommandRun.of("rules", "check", "--rules", rules.toString());

        assertThat(run.exit()).isEqualTo(RulesCheckCommand.FAILED);
        assertThat(run.out()).containsPattern("\nFAIL a-tool-call-is-standard-exact: .*boom")
                .contains("PASS the-request-policy-is-answered\n");
    }

    @Test
    void a_drl_that_does_not_compile_is_reported_with_file_and_line_and_exits_two() throws IOException {
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
    void a_rule_without_description_is_refused_by_the_hygiene_check() throws IOException {
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
    void a_ruleset_whose_salience_bands_are_broken_does_not_run() {
        CommandRun run = CommandRun.of("rules", "check", "--rules", "src/test/resources/rulesets/bad_bands");

        assertThat(run.exit()).isEqualTo(RulesCheckCommand.CANNOT_RUN);
        assertThat(run.err()).contains("a_first.drl:17: rule \"first: outside its band\" has salience 250, outside"
                        + " its file's band 100..199")
                .contains("b_overlapping.drl:4: salience band 150..299 overlaps the band 100..199 of a_first.drl")
                .contains("c_unbanded.drl:1: no salience band declared");
        assertThat(run.out()).doesNotContain("passed");
    }

    @Test
    void an_unknown_field_in_a_case_names_the_file_line_and_case() throws IOException {
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
    void malformed_yaml_is_reported_with_file_and_line() throws IOException {
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
    void coverage_names_the_rules_no_case_fires() throws IOException {
        Path rules = copyOfRules();
        Files.delete(rules.resolve("tests/toolcall.yaml"));

        CommandRun run = CommandRun.of("rules", "check", "--rules", rules.toString(), "--coverage");

        assertThat(run.exit()).as("coverage informs; it does not fail the run").isZero();
        String unfired = run.out().substring(run.out().indexOf("not fired by any case:"));
        assertThat(unfired).containsPattern("\n  toolcall\\.drl:[0-9]+  cases: a tool call runs standard and exact\n");
        assertThat(unfired).doesNotContain("cases: the request's own policy is requested");
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

    /** The fixture's DRL files and test cases, in a directory a test may change. */
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
