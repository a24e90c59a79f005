package org.execpolicy.pdp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.execpolicy.pdp.json.Json;
import org.execpolicy.pdp.support.ChildJvm;
import org.execpolicy.pdp.support.PdpProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every command of README.md, run as a new user would run it, so the README cannot rot.
 *
 * <p>The README's fenced {@code sh}, {@code bash}, plain and {@code python} blocks are split into
 * commands (a command runs on over lines while a quote is open or a line ends in a backslash); a code
 * span in the prose that starts with {@code java}, {@code curl}, {@code mvn}, {@code bash},
 * {@code apt-get} or {@code python3} is a command too (its line breaks are spaces). Each
 * command is either a {@link Step} of {@link #PLAN}, run in that order with bash in a scratch
 * directory holding {@code target/pdp.jar}, a copy of {@code rules/} and {@code examples/}, or listed in
 * {@link #NOT_RUN} with the reason. A README command that is neither fails the test, so a new
 * command cannot be added untested; a step or listing that no longer names exactly one command
 * fails it too.
 *
 * <p>The server is the README's {@code java -jar target/pdp.jar serve} on the scratch directory's
 * {@code ./data}, started by the test ({@link PdpProcess}) on a free port: {@code localhost:8080}
 * and {@code 127.0.0.1:8080} in a command are replaced by that port. {@code <decision_id>} and
 * {@code <next_cursor>} are the ones of the latest answer that had one; optional {@code [--flag ...]}
 * of a synopsis are dropped. Shell variables a command sets ({@code OP=...}) are kept for the
 * commands after it, as in one terminal. Commands the README marks "offline (PDP stopped)" run with
 * the server stopped (SIGTERM, after the recorder flushed). "A change, end to end" runs last: the test
 * makes the change its first step describes in the copy of {@code rules/presets.drl}, and the output
 * the README quotes is read from the README. Every {@code java} runs with the JIT flags
 * of {@link ChildJvm} (given to the commands as {@code JDK_JAVA_OPTIONS}): the commands are as written.
 */
class ReadmeCommandsIT {
    /** README commands this test does not run, by a text only they contain, and why. */
    private static final Map<String, String> NOT_RUN = new LinkedHashMap<>();

    static {
        NOT_RUN.put("mvn -B -q -DskipTests package && java -jar target/pdp.jar serve",
                "the package phase built target/pdp.jar before failsafe runs this test, and the test starts"
                        + " this `serve` itself (PdpProcess: the same command on ./data, on a free port)");
        NOT_RUN.put("mvn -B verify\n",
                "CI runs `mvn -B verify` itself, and this test is part of it");
        NOT_RUN.put("-Dit.test=ConsoleBrowserIT",
                "a Maven run of ConsoleBrowserIT alone, which `mvn -B verify` runs");
        NOT_RUN.put("createuser pdp --pwprompt",
                "needs a PostgreSQL superuser and a password prompt; SharedStoreTest and SharedStoreProcessIT"
                        + " run the PostgreSQL mode on a throwaway cluster (support/PostgresCluster)");
        NOT_RUN.put("export PDP_DATABASE_PASSWORD=",
                "the password of the PostgreSQL at db.example, which does not exist here");
        NOT_RUN.put("--database 'jdbc:postgresql://db.example:5432/pdp?user=pdp'",
                "a PostgreSQL at db.example; SharedStoreProcessIT runs `serve --database` against a throwaway cluster");
        NOT_RUN.put("scripts/two-nodes.sh",
                "needs a PostgreSQL URL, binds the fixed ports 8081 and 8082 and runs until Ctrl-C;"
                        + " SharedStoreProcessIT runs two `serve` processes on one throwaway PostgreSQL");
        NOT_RUN.put("bench/vs-opa.sh",
                "needs OPA_BIN (an OPA build) and minutes of wrk load: a benchmark, run by hand");
        NOT_RUN.put("target/pdp.jar bench",
                "a benchmark (20 s of load on both cores, or a 50 MB upload), run by hand; BenchCommandTest runs"
                        + " `bench` for a second, TraceUploadTest uploads traces through the same endpoint");
        NOT_RUN.put("apt-get install -y chromium chromium-driver",
                "installs Debian packages as root; .ci/run installs them when they are missing");
        NOT_RUN.put("mvn verify", "CI runs `mvn -B verify`, and this test is part of it");
        NOT_RUN.put("bash .ci/run", "CI's own entry point, which runs `mvn -B verify`, and this test is part of it");
    }

    private static final String SECOND_OPERATOR = "second-operator";

    /** Where the server must be for a step. */
    private enum Server { UP, DOWN, ANY }

    /** What a command printed and how it ended. */
    private record Run(String command, int exit, String out, String err, List<JsonNode> answers) {
        JsonNode answer() {
            assertThat(answers).as("one JSON answer from %s%nstdout: %s%nstderr: %s", command, out, err).hasSize(1);
            return answers.get(0);
        }

        JsonNode answer(int i) {
            assertThat(answers).as("JSON answers from %s%nstdout: %s", command, out).hasSizeGreaterThan(i);
            return answers.get(i);
        }
    }

    @FunctionalInterface
    private interface Check {
        void check(Run run, ReadmeCommandsIT test) throws Exception;
    }

    /** One README command (found by a text only it contains), where the server must be, its exit status, what to check. */
    private record Step(String contains, Server server, int exit, Check check) {}

    private static Step step(String contains, Server server, Check check) {
        return new Step(contains, server, 0, check);
    }

    private static Step step(String contains, Server server, int exit, Check check) {
        return new Step(contains, server, exit, check);
    }

    /** The first command of "A change, end to end", run once the test has made the change its step 1 says. */
    private static final String AFTER_THE_CHANGE = "java -jar target/pdp.jar rules check --coverage\n";

    private static final Check EXIT_0 = (run, test) -> { };

    /** In the order a new user would run them: online first, then offline, then what needs a second operator. */
    private static final List<Step> PLAN = List.of(
            // The operator console: the token file written on first start
            step("cat data/tokens.json", Server.UP, (run, test) ->
                    assertThat(run.answer().path("tokens").findValuesAsText("name")).contains("operator")),
            // A decision and its evidence
            step("\"trace_id\": \"trace-42\"", Server.UP, (run, test) -> {
                JsonNode decision = run.answer();
                assertThat(decision.path("decision_id").asText()).isNotEmpty();
                assertThat(decision.path("exactness").asText()).isEqualTo("exact");
                assertThat(decision.path("reason_codes").toString()).contains("APPROXIMATE_NOT_ALLOWED");
            }),
            step("# the decision and its rule firings", Server.UP, (run, test) ->
                    assertThat(run.answer().path("rule_firings").size()).isPositive()),
            step("# every record of the trace, newest first", Server.UP, (run, test) ->
                    assertThat(run.answer().path("items").findValuesAsText("trace_id")).isNotEmpty()
                            .allMatch("trace-42"::equals)),
            step("# a page of two, and its next_cursor", Server.UP, (run, test) -> {
                assertThat(run.answer().path("items").size()).isEqualTo(2);
                assertThat(run.answer().path("next_cursor").isTextual()).isTrue();
            }),
            step("# the next page (null on the last)", Server.UP, (run, test) ->
                    assertThat(run.answer().path("items").size()).isPositive()),
            step("EXPIRES=$(date", Server.UP, EXIT_0),
            step("OP=$(python3", Server.UP, EXIT_0),
            step("\"waiver_id\": \"wv-1\"", Server.UP, (run, test) ->
                    assertThat(run.answer().path("status").asText()).isEqualTo("active")),
            step("curl -s -X PUT localhost:8080/v1/profiles/fast", Server.UP, (run, test) ->
                    assertThat(run.answer().path("profile_id").asText()).isEqualTo("fast")),
            step("/v1/profiles/fast/activate", Server.UP, (run, test) ->
                    assertThat(run.out()).contains("\"fast\"")),
            step("\"trace_id\": \"trace-43\"", Server.UP, (run, test) -> {
                JsonNode decision = run.answer();
                assertThat(decision.path("mode").asText()).isEqualTo("layer_skip");
                assertThat(decision.path("exactness").asText()).isEqualTo("approximate");
                assertThat(decision.path("waiver_ref").asText()).isEqualTo("wv-1");
                assertThat(decision.path("trace_artifact_ref").isTextual()).isTrue();
            }),
            // What actually ran: a trace upload and a report by hand, for trace-43's decision
            step("ID=<decision_id>", Server.UP, EXIT_0),
            step("curl -s localhost:8080/v1/decisions/$ID > decision.json", Server.UP, EXIT_0),
            step("> trace.ndjson", Server.UP, (run, test) ->
                    assertThat(Files.readAllLines(test.scratch.resolve("trace.ndjson"))).hasSize(4)),
            step("curl -s -X PUT localhost:8080/v1/traces/$ID", Server.UP, (run, test) ->
                    assertThat(run.answer().path("type").asText()).isEqualTo("layerwise_trace_attached")),
            step("curl -s -X POST localhost:8080/v1/decisions/$ID/report", Server.UP, (run, test) -> {
                assertThat(run.answer().has("violation")).as(run.out()).isTrue();
                assertThat(run.answer().path("violation").isNull()).as(run.out()).isTrue();
            }),
            step("# trace_status \"attached\"", Server.UP, (run, test) -> {
                assertThat(run.answer().path("trace_status").asText()).isEqualTo("attached");
                assertThat(run.answer().path("runtime_report").isObject()).isTrue();
            }),
            // Playing a runtime: examples/ExampleRuntime.java
            step("ExampleRuntime.java --url http://127.0.0.1:8080 --tokens 500", Server.UP, (run, test) -> {
                assertThat(run.answer().path("ok").asBoolean()).as(run.out()).isTrue();
                assertThat(run.answer().path("upload_status").asInt()).isEqualTo(201);
            }),
            step("# trace_artifact_sha256, runtime_report", Server.UP, (run, test) -> {
                assertThat(run.answer().path("trace_artifact_sha256").isTextual()).isTrue();
                assertThat(run.answer().path("runtime_report").isObject()).isTrue();
            }),
            step("# fell back without saying why: a violation", Server.UP, (run, test) ->
                    assertThat(run.answer().path("violation").path("violations").toString())
                            .contains("downgrade_without_reason")),
            step("--downgrade-reason \"out of VRAM\"", Server.UP, (run, test) ->
                    assertThat(run.answer().path("runtime_downgrade").isObject()).as(run.out()).isTrue()),
            step("--no-upload", Server.UP, (run, test) -> {
                assertThat(run.answer().path("ok").asBoolean()).isTrue();
                assertThat(run.answer().has("upload_status")).isFalse();
            }),
            // Revoking wv-1 makes the worker exact again
            step("/v1/waivers/wv-1/revoke", Server.UP, (run, test) ->
                    assertThat(run.answer().path("status").asText()).isEqualTo("revoked")),
            step("\"trace_id\": \"trace-44\"", Server.UP, (run, test) -> {
                assertThat(run.answer().path("exactness").asText()).isEqualTo("exact");
                assertThat(run.answer().path("reason_codes").toString()).contains("WAIVER_REVOKED");
            }),
            // Evidence you can check, offline (PDP stopped)
            step("recorder verify --data data", Server.DOWN, (run, test) ->
                    assertThat(run.answer().path("records_checked").asLong()).isPositive()),
            step("recorder export --data data", Server.DOWN, (run, test) ->
                    assertThat(Files.size(test.scratch.resolve("evidence.jsonl"))).isPositive()),
            step("print(\"intact\")", Server.DOWN, (run, test) ->
                    assertThat(run.out().strip()).isEqualTo("intact")),
            step("replay --data data --decision <decision_id>", Server.DOWN, (run, test) ->
                    assertThat(run.answer().path("match").asBoolean()).as(run.out()).isTrue()),
            // Rules, with no server and no database
            step("rules check [--rules DIR] [--coverage]", Server.ANY, (run, test) ->
                    assertThat(run.out()).contains(" passed, 0 failed")),
            step("decide --input examples/request.json [--fixtures", Server.ANY, (run, test) -> {
                assertThat(run.answer().path("exactness").asText()).isEqualTo("exact");
                assertThat(run.answer().path("downgraded").asBoolean()).isTrue();
            }),
            step("--fixtures examples/registry.yaml --explain --now", Server.ANY, (run, test) -> {
                assertThat(run.answer().path("exactness").asText()).isEqualTo("approximate");
                assertThat(run.answer().path("waiver_ref").asText()).isEqualTo("wv-1");
                assertThat(run.answer().path("explain").size()).isPositive();
            }),
            // A second operator (added to the token file before a restart, as the README says) approves wv-2
            step("\"waiver_id\": \"wv-2\"", Server.UP, (run, test) ->
                    assertThat(run.answer().path("status").asText()).isEqualTo("pending")),
            step("/v1/waivers/wv-2/approve", Server.UP, (run, test) -> {
                assertThat(run.answer().path("status").asText()).isEqualTo("active");
                assertThat(run.answer().path("approved_by").asText()).isEqualTo(SECOND_OPERATOR);
            }),
            step("# running PDP: from where the last call left off", Server.UP, (run, test) ->
                    assertThat(run.answer().path("intact").asBoolean()).as(run.out()).isTrue()),
            // A change, end to end: fast_exact made to mean mem_offload in the copy of rules/
            step(AFTER_THE_CHANGE, Server.ANY, 1, (run, test) -> {
                Matcher quoted = Pattern.compile("now prints `(FAIL [^`]+)`.*? ending with `(\\d+ passed, \\d+ failed)`")
                        .matcher(oneLine(Files.readString(Path.of("README.md"))));
                assertThat(quoted.find()).as("the README quotes the failing case and the summary").isTrue();
                assertThat(oneLine(run.out())).contains(quoted.group(1)).contains(quoted.group(2));
            }),
            step("--fixtures examples/registry.yaml --explain\n", Server.ANY, (run, test) -> {
                assertThat(run.answer().path("mode").isTextual()).as(run.out()).isTrue();
                assertThat(run.answer().path("explain").findValuesAsText("description")).as(run.out()).isNotEmpty();
            }),
            step("/v1/rules/reload", Server.UP, (run, test) -> {
                assertThat(run.answer().path("digest").isTextual()).as(run.out()).isTrue();
                assertThat(run.answer().has("previous_digest")).as(run.out()).isTrue();
                test.reloadedDigest = run.answer().path("digest").asText();
            }),
            step("type=policy_ruleset_loaded&limit=1", Server.UP, (run, test) ->
                    assertThat(run.answer().path("items").path(0).path("digest").asText()).as(run.out())
                            .isEqualTo(test.reloadedDigest)),
            step("?explain=full", Server.UP, (run, test) ->
                    assertThat(run.answer().path("explain").isEmpty()).as(run.out()).isFalse()));

    private static final Pattern OPTIONAL_FLAG = Pattern.compile("\\s*\\[--[^\\]]*\\]");
    private static final Pattern ASSIGNMENT = Pattern.compile("^([A-Za-z_][A-Za-z0-9_]*)=");
    private static final String VARIABLES = ".readme-variables";

    @TempDir
    Path scratch;

    private PdpProcess pdp;
    private String reloadedDigest;
    private String decisionId;
    private String nextCursor;

    @Test
    void every_readme_command_is_a_step_of_the_plan_or_listed_with_the_reason_it_is_not_run() throws Exception {
        List<Command> commands = readmeCommands(Path.of("README.md"));
        assertThat(commands).as("commands found in README.md").hasSizeGreaterThan(PLAN.size());
        assertThat(matchPlan(commands)).hasSize(PLAN.size());
    }

    @Test
    void every_planned_readme_command_runs_as_written_against_a_real_server() throws Exception {
        Map<Step, Command> planned = matchPlan(readmeCommands(Path.of("README.md")));

        Path project = Path.of("").toAbsolutePath();
        Files.createDirectories(scratch.resolve("target"));
        Files.createSymbolicLink(scratch.resolve("target/pdp.jar"), project.resolve("target/pdp.jar"));
        copyTree(project.resolve("rules"), scratch.resolve("rules")); // "A change, end to end" edits it
        Files.createSymbolicLink(scratch.resolve("examples"), project.resolve("examples"));
        try {
            for (Step step : PLAN) {
                Command command = planned.get(step);
                if (step.contains().contains("\"waiver_id\": \"wv-2\"")) {
                    addSecondOperatorAndRestart(); // "added to data/tokens.json before a restart"
                }
                if (step.contains().equals(AFTER_THE_CHANGE)) {
                    makeFastExactMeanMemOffload();
                }
                prepare(step.server());
                Run run = run(command);
                assertThat(run.exit()).as("exit of README line %d:%n%s%nstdout: %s%nstderr: %s",
                        command.line(), run.command(), run.out(), run.err()).isEqualTo(step.exit());
                step.check().check(run, this);
                remember(run);
            }
        } finally {
            if (pdp != null) {
                pdp.close();
            }
        }
    }

    /** Every command is planned or listed, exactly once; every step and listing names exactly one command. */
    private static Map<Step, Command> matchPlan(List<Command> commands) {
        Map<Step, Command> planned = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (Step step : PLAN) {
            List<Command> matching = commands.stream().filter(c -> c.text().contains(step.contains())).toList();
            if (matching.size() != 1) {
                problems.add("step '" + step.contains() + "' names " + matching.size() + " README commands, not 1");
            } else {
                planned.put(step, matching.get(0));
            }
        }
        for (String listed : NOT_RUN.keySet()) {
            if (commands.stream().noneMatch(c -> c.text().contains(listed))) {
                problems.add("listed as not run, but no README command has '" + listed + "'");
            }
        }
        for (Command command : commands) {
            long steps = PLAN.stream().filter(s -> command.text().contains(s.contains())).count();
            long listed = NOT_RUN.keySet().stream().filter(command.text()::contains).count();
            if (steps + listed != 1) {
                problems.add("README line " + command.line() + " is " + (steps + listed == 0
                        ? "neither run by this test nor listed with the reason it is not"
                        : "named by " + (steps + listed) + " steps or listings") + ": " + command.text());
            }
        }
        assertThat(problems).as("README commands against the plan of ReadmeCommandsIT").isEmpty();
        return planned;
    }

    private void prepare(Server wanted) throws Exception {
        if (wanted == Server.UP && pdp == null) {
            pdp = PdpProcess.start(scratch.resolve("data")); // java -jar target/pdp.jar serve, on ./data
        } else if (wanted == Server.DOWN && pdp != null) {
            stopServer();
        }
    }

    private void stopServer() throws InterruptedException {
        assertThat(pdp.terminate()).as("SIGTERM exit status").isIn(0, 143);
        pdp = null;
    }

    /**
     * Step 1 of "A change, end to end", as the README says it: in the rule "preset: fast_exact is
     * speculative decoding, exact" of presets.drl, the consequence becomes mem_offload.
     */
    private void makeFastExactMeanMemOffload() throws IOException {
        Path presets = scratch.resolve("rules/presets.drl");
        String text = Files.readString(presets);
        int rule = text.indexOf("rule \"preset: fast_exact is speculative decoding, exact\"");
        assertThat(rule).as("the rule the README's change names, in rules/presets.drl").isNotNegative();
        int end = text.indexOf("\nend", rule);
        String changed = text.substring(rule, end).replace("ExecPolicy.of( \"spec_decode\", \"exact\" )",
                "ExecPolicy.of( \"mem_offload\", \"exact\" )");
        assertThat(changed).as("the consequence the README's change names").contains("mem_offload");
        Files.writeString(presets, text.substring(0, rule) + changed + text.substring(end));
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (java.util.stream.Stream<Path> files = Files.walk(from)) {
            for (Path file : files.toList()) {
                Files.copy(file, to.resolve(from.relativize(file).toString()));
            }
        }
    }

    /** Text with every run of white space one space, as Markdown reads it. */
    private static String oneLine(String text) {
        return text.replaceAll("\\s+", " ");
    }

    /** The README's way to a second operator: a token of another name in data/tokens.json, then a restart. */
    private void addSecondOperatorAndRestart() throws Exception {
        if (pdp != null) {
            stopServer();
        }
        Path tokens = scratch.resolve("data/tokens.json");
        ObjectNode file = (ObjectNode) Json.MAPPER.readTree(tokens.toFile());
        String token = "pdp_operator_" + UUID.randomUUID().toString().replace("-", "");
        ObjectNode second = ((ArrayNode) file.path("tokens")).addObject();
        second.put("name", SECOND_OPERATOR).put("token", token).putArray("scopes").add("operator");
        Files.writeString(tokens, Json.MAPPER.writeValueAsString(file));
        Files.writeString(scratch.resolve(VARIABLES), "export OTHER_OPERATOR=" + token + "\n",
                StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.APPEND);
    }

    /** The command as the user would type it here: the real port, the ids of earlier answers, no optional flags. */
    private String typed(Command command) {
        String text = command.text();
        if (pdp != null) {
            String port = pdp.baseUrl().substring(pdp.baseUrl().lastIndexOf(':') + 1);
            text = text.replace("localhost:8080", "localhost:" + port).replace("127.0.0.1:8080", "127.0.0.1:" + port);
        }
        if (text.contains("<decision_id>")) {
            assertThat(decisionId).as("a decision_id answered before README line %d", command.line()).isNotNull();
            text = text.replace("<decision_id>", decisionId);
        }
        if (text.contains("<next_cursor>")) {
            assertThat(nextCursor).as("a next_cursor answered before README line %d", command.line()).isNotNull();
            text = text.replace("<next_cursor>", nextCursor);
        }
        return command.python() ? text : OPTIONAL_FLAG.matcher(text).replaceAll("");
    }

    private Run run(Command command) throws IOException, InterruptedException {
        String typed = typed(command);
        List<String> argv;
        if (command.python()) {
            Path program = scratch.resolve("readme-line-" + command.line() + ".py");
            Files.writeString(program, typed);
            argv = List.of("python3", program.toString());
        } else {
            // one terminal: variables set by an earlier command are there, and this one's are kept
            StringBuilder script = new StringBuilder("set -e -o pipefail\n")
                    .append("if [ -f ").append(VARIABLES).append(" ]; then . ./").append(VARIABLES).append("; fi\n")
                    .append(typed).append('\n');
            Matcher assignment = ASSIGNMENT.matcher(typed);
            if (assignment.find()) {
                String name = assignment.group(1);
                script.append("printf 'export ").append(name).append("=%q\\n' \"$").append(name)
                        .append("\" >> ").append(VARIABLES).append('\n');
            }
            argv = List.of("bash", "-c", script.toString());
        }
        Path out = scratch.resolve(".readme-stdout");
        Path err = scratch.resolve(".readme-stderr");
        ProcessBuilder builder = new ProcessBuilder(argv).directory(scratch.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        // the JIT flags of the tests' other child JVMs, for the `java` a command runs (see ChildJvm);
        // the java launcher notes them on stderr, which no step reads
        builder.environment().put("JDK_JAVA_OPTIONS", String.join(" ", ChildJvm.FLAGS));
        Process process = builder.start();
        assertThat(process.waitFor(5, TimeUnit.MINUTES)).as("README line %d finished", command.line()).isTrue();
        String stdout = Files.readString(out);
        return new Run(typed, process.exitValue(), stdout, Files.readString(err), answers(stdout));
    }

    /** The JSON values printed one after another (curl prints no newline), or none if it is not JSON. */
    private static List<JsonNode> answers(String stdout) {
        List<JsonNode> answers = new ArrayList<>();
        try (MappingIterator<JsonNode> values = Json.MAPPER.readerFor(JsonNode.class).readValues(stdout)) {
            while (values.hasNextValue()) {
                answers.add(values.nextValue());
            }
        } catch (IOException | RuntimeException notJson) {
            return List.of();
        }
        return answers;
    }

    /** The ids a later command's placeholders stand for; `decide` records nothing, so its ids stand for nothing. */
    private void remember(Run run) {
        if (run.command().contains("target/pdp.jar decide")) {
            return;
        }
        for (JsonNode answer : run.answers()) {
            if (answer.path("decision_id").isTextual()) {
                decisionId = answer.path("decision_id").asText();
            }
            if (answer.path("next_cursor").isTextual()) {
                nextCursor = answer.path("next_cursor").asText();
            }
        }
    }

    /** One command of a fenced block, with the README line it starts on. */
    record Command(int line, String text, boolean python) {}

    /** A code span of the prose that is a command, not a name: what a user would type at a prompt. */
    private static final Pattern INLINE_COMMAND = Pattern.compile("`((?:java|curl|mvn|bash|apt-get|python3) [^`]+)`");

    /**
     * The commands of README.md's sh, bash, plain and python blocks (json and yaml blocks are data),
     * and the commands written as code spans in its prose.
     */
    static List<Command> readmeCommands(Path readme) throws IOException {
        List<String> lines = Files.readAllLines(readme);
        List<Command> commands = new ArrayList<>();
        StringBuilder prose = new StringBuilder(); // the lines outside fenced blocks
        List<Integer> proseStarts = new ArrayList<>(); // where each of them starts in prose
        List<Integer> proseLines = new ArrayList<>(); // and its README line
        for (int i = 0; i < lines.size(); i++) {
            Matcher fence = Pattern.compile("^```(\\w*)\\s*$").matcher(lines.get(i));
            if (!fence.matches()) {
                proseStarts.add(prose.length());
                proseLines.add(i + 1);
                prose.append(lines.get(i)).append('\n');
                continue;
            }
            String language = fence.group(1);
            int start = i + 1;
            int end = start;
            while (end < lines.size() && !lines.get(end).startsWith("```")) {
                end++;
            }
            List<String> body = lines.subList(start, end);
            if (language.equals("python")) {
                commands.add(new Command(start + 1, String.join("\n", body) + "\n", true));
            } else if (language.isEmpty() || language.equals("sh") || language.equals("bash")) {
                commands.addAll(shellCommands(body, start + 1));
            }
            i = end;
        }
        Matcher inline = INLINE_COMMAND.matcher(prose);
        while (inline.find()) {
            int line = proseStarts.size() - 1;
            while (proseStarts.get(line) > inline.start()) {
                line--;
            }
            commands.add(new Command(proseLines.get(line), oneLine(inline.group(1)) + "\n", false));
        }
        return commands;
    }

    /** Splits shell text into commands: a command goes on while a quote is open or a line ends in `\`. */
    static List<Command> shellCommands(List<String> lines, int firstLine) {
        List<Command> commands = new ArrayList<>();
        StringBuilder current = null;
        int startLine = 0;
        char quote = 0;
        for (int n = 0; n < lines.size(); n++) {
            String line = lines.get(n);
            if (current == null) {
                if (line.isBlank() || line.stripLeading().startsWith("#")) {
                    continue; // a comment or blank line between commands
                }
                current = new StringBuilder();
                startLine = firstLine + n;
            }
            current.append(line).append('\n');
            boolean escaped = false;
            for (int c = 0; c < line.length(); c++) {
                char ch = line.charAt(c);
                if (quote == '\'') {
                    quote = ch == '\'' ? 0 : quote;
                } else if (escaped) {
                    escaped = false;
                } else if (ch == '\\') {
                    escaped = true;
                } else if (quote == '"') {
                    quote = ch == '"' ? 0 : quote;
                } else if (ch == '\'' || ch == '"') {
                    quote = ch;
                } else if (ch == '#' && (c == 0 || Character.isWhitespace(line.charAt(c - 1)))) {
                    break; // a comment to the end of the line
                }
            }
            boolean continued = quote != 0 || line.stripTrailing().endsWith("\\") && !line.contains("#");
            if (!continued) {
                commands.add(new Command(startLine, current.toString(), false));
                current = null;
            }
        }
        if (current != null) {
            commands.add(new Command(startLine, current.toString(), false));
        }
        return commands;
    }
}
