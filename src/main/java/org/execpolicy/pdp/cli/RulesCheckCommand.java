package org.execpolicy.pdp.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.execpolicy.pdp.engine.Ruleset;
import org.execpolicy.pdp.engine.RulesCompileException;
import org.execpolicy.pdp.ruletest.ApiSchemas;
import org.execpolicy.pdp.ruletest.InvalidInputException;
import org.execpolicy.pdp.ruletest.RuleCase;
import org.execpolicy.pdp.ruletest.RuleCaseFiles;
import org.execpolicy.pdp.ruletest.RuleCaseRunner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * `rules check`: compiles the rules, then runs every case of `tests/*.yaml`
 * through the real engine ({@link RuleCaseRunner}) and compares the answer with what the case expects.
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
        RuleCaseRunner runner = new RuleCaseRunner(ruleset);
        int failed = 0;
        for (RuleCase rulecase : cases) {
            List<String> differences = runner.run(rulecase);
            if (differences.isEmpty()) {
                out.println("PASS " + rulecase.name());
            } else {
                failed++;
                out.println("FAIL " + rulecase.name() + ": " + String.join("; ", differences));
            }
        }
        if (coverage) {
            runner.coverage().print(out);
        }
        out.println((cases.size() - failed) + " passed, " + failed + " failed");
        out.flush();
        return failed == 0 ? PASSED : FAILED;
    }
}
