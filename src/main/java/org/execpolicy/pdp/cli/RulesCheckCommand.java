package org.execpolicy.pdp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.execpolicy.pdp.api.DecisionView;
import org.execpolicy.pdp.decision.DecisionService.RecordedDecision;
import com.fasterxml.jackson.databind.node.ArrayNode;
import org.execpolicy.pdp.engine.Firing;
import org.execpolicy.pdp.engine.ReportEvaluation;
import org.execpolicy.pdp.engine.RuleEngine;
import org.execpolicy.pdp.json.Json;
import org.execpolicy.pdp.model.ReportedRun;
import org.execpolicy.pdp.engine.RuleInfo;
import org.execpolicy.pdp.engine.Ruleset;
import org.execpolicy.pdp.engine.RulesCompileException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * `rules check`: compiles the rules, then runs every case of `tests/*.yaml`
 * through the real engine and compares the answer with what the case expects.
 * Exit 0 when every case passes, 1 when one fails, 2 when the suite cannot run
 * (rules that do not compile, test files that cannot be read).
 */
@Command(name = "check", mixinStandardHelpOptions = true, description = {
        "Compile the rules and run the test cases in DIR/tests/*.yaml.",
        "Exit codes: 0 every case passed, 1 a case failed, 2 the rules or test files are invalid."})
final class RulesCheckCommand implements Callable<Integer> {
    static final int PASSED = 0;
    static final int FAILED = 1;
    static final int CANNOT_RUN = 2;

    @Spec
    CommandSpec spec;

    @Option(names = "--rules", paramLabel = "DIR", description = "Directory of the DRL rules (default: ${DEFAULT-VALUE}).")
    Path rules = Path.of("rules");

    @Option(names = "--coverage", description = "Also list how many cases fired each rule, and the rules none fired.")
    boolean coverage;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Ruleset ruleset;
        List<RuleCase> cases;
        try {
            ruleset = Ruleset.compile(rules);
            cases = RuleCaseFiles.load(rules.resolve("tests"), new ApiSchemas());
        } catch (RulesCompileException e) {
            e.messages().forEach(err::println);
            return CANNOT_RUN;
        } catch (InvalidInputException e) {
            e.problems().forEach(err::println);
            return CANNOT_RUN;
        }
        RuleEngine engine = new RuleEngine(ruleset);
        Set<String> ruleNames = ruleset.rules().stream().map(RuleInfo::name).collect(Collectors.toSet());
        Coverage fired = new Coverage(ruleset.rules());
        int failed = 0;
        for (RuleCase rulecase : cases) {
            List<String> differences = run(engine, rulecase, ruleNames, fired);
            if (differences.isEmpty()) {
                out.println("PASS " + rulecase.name());
            } else {
                failed++;
                out.println("FAIL " + rulecase.name() + ": " + String.join("; ", differences));
            }
        }
        if (coverage) {
            fired.print(out);
        }
        out.println((cases.size() - failed) + " passed, " + failed + " failed");
        out.flush();
        return failed == 0 ? PASSED : FAILED;
    }

    /** The differences between the answer and the expectations; a ruleset that cannot conclude is one too. */
    private static List<String> run(RuleEngine engine, RuleCase rulecase, Set<String> ruleNames, Coverage fired) {
        RecordedDecision decision;
        try {
            decision = OfflineDecision.decide(engine, rulecase.request(), rulecase.fixtures(), rulecase.now());
        } catch (RuntimeException e) {
            return List.of("the rules did not conclude (" + rulecase.where() + "): " + e.getMessage());
        }
        ObjectNode answer = DecisionView.answer(decision);
        fired.record(decision.firings().stream().map(firing -> firing.path("rule_name").asText()).toList());
        if (rulecase.report() != null) {
            ReportEvaluation judged;
            try {
                judged = engine.evaluateReport(ReportedRun.of(decision.decision(), rulecase.report(),
                        rulecase.traceMissing()));
            } catch (RuntimeException e) {
                return List.of("the report rules failed (" + rulecase.where() + "): " + e.getMessage());
            }
            List<String> reportFired = judged.firings().stream().map(Firing::ruleName).toList();
            fired.record(reportFired);
            ArrayNode rulesFired = (ArrayNode) answer.path("ruleset").path("rules_fired");
            reportFired.forEach(rulesFired::add);
            answer.set(Expectations.VIOLATIONS, Json.array(judged.outcome().getViolations()));
            answer.put(Expectations.RUNTIME_DOWNGRADE, judged.outcome().isPermittedDowngrade());
        }
        List<String> differences = new ArrayList<>(rulecase.expect().differences(answer, ruleNames));
        // The server answers a failing rule with the safe default; a suite must not pass over it.
        JsonNode ruleError = answer.get("rule_error");
        if (ruleError != null && !ruleError.isNull()) {
            differences.add("rule '" + ruleError.path("rule_name").asText() + "' failed: "
                    + ruleError.path("message").asText());
        }
        return differences;
    }
}
