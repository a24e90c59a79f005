package org.execpolicy.pdp.traces;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.execpolicy.pdp.json.Json;
import org.execpolicy.pdp.support.ChildJvm;
import org.execpolicy.pdp.support.RunningPdp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole loop as a runtime plays it: examples/ExampleRuntime.java against a real server, as its
 * own program ({@code java -cp target/pdp.jar:CLASSES ExampleRuntime ...}), against a server on the fixture
 * ruleset {@code waiver-gate} ({@link Evidence#start}): the approximate execution it asks for is granted under
 * the test's own waiver and its reports judged by the fixture's report rules, whatever the shipped rules/ grant
 * (ReadmeCommandsIT runs the README's command against the shipped rules).
 *
 * <p>The source is compiled once for the class, with the JDK's compiler in this JVM, rather than by
 * the {@code java} source launcher on every run: the launcher compiles it again each time (a javac
 * in a new JVM, 10-15 s of CPU on this 2-core machine, three times). The README's exact command
 * line ({@code java -cp target/pdp.jar examples/ExampleRuntime.java ...}) is run as written, four
 * times, by ReadmeCommandsIT.
 */
class ExampleRuntimeIT {
    static RunningPdp pdp;
    static Path classes;

    @BeforeAll
    static void start() throws IOException {
        classes = compileExample();
        pdp = Evidence.start(RunningPdp.freshDataDir());
        Evidence.grantApproximateToWorker(pdp);
    }

    /** examples/ExampleRuntime.java compiled against target/pdp.jar (its only dependency is Jackson) into a temp directory. */
    static Path compileExample() throws IOException {
        Path out = Files.createTempDirectory("example-runtime-");
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertThat(javac).as("a JDK's compiler").isNotNull();
        java.io.StringWriter messages = new java.io.StringWriter();
        boolean compiled = javac.getTask(messages, null, null,
                List.of("-cp", "target/pdp.jar", "-d", out.toString(), "-proc:none"), null,
                javac.getStandardFileManager(null, null, StandardCharsets.UTF_8)
                        .getJavaFileObjects(Path.of("examples/ExampleRuntime.java"))).call();
        assertThat(compiled).as("examples/ExampleRuntime.java compiles:%n%s", messages).isTrue();
        return out;
    }

    @AfterAll
    static void stop() {
        pdp.close();
    }

    @Test
    void decision_upload_report_and_evidence_with_the_same_sha256() throws Exception {
        JsonNode outcome = runExample("--tokens", "300");

        assertThat(outcome.path("ok").asBoolean()).as(outcome.toString()).isTrue();
        assertThat(outcome.path("exactness").asText()).isEqualTo("approximate");
        assertThat(outcome.path("upload_status").asInt()).isEqualTo(201);
        String sha256 = outcome.path("local_sha256").asText();
        assertThat(outcome.path("trace_artifact_sha256").asText()).isEqualTo(sha256);
        assertThat(outcome.path("record_count").asInt()).isEqualTo(300);
        assertThat(outcome.get("violation").isNull()).isTrue();
        String id = outcome.path("decision_id").asText();
        JsonNode view = pdp.get("/v1/decisions/" + id).json();
        assertThat(view.path("trace_artifact_sha256").asText()).isEqualTo(sha256);
        assertThat(view.path("runtime_report").path("token_count").asInt()).isEqualTo(300);
        assertThat(Evidence.sha256(pdp.get(outcome.path("trace_artifact_ref").asText()).body())).isEqualTo(sha256);
        assertThat(Evidence.storedArtifacts(pdp)).contains(sha256);
    }

    @Test
    void a_runtime_that_fell_back_to_exact_without_saying_why_is_flagged() throws Exception {
        JsonNode outcome = runExample("--tokens", "20", "--ran", "standard/exact");

        assertThat(outcome.path("ok").asBoolean()).as(outcome.toString()).isTrue();
        assertThat(outcome.path("violation").path("violations").toString()).isEqualTo("[\"downgrade_without_reason\"]");
    }

    @Test
    void a_runtime_that_fell_back_to_exact_and_said_why_is_a_runtime_downgrade() throws Exception {
        JsonNode outcome = runExample("--tokens", "20", "--ran", "standard/exact", "--downgrade-reason", "out of VRAM");

        assertThat(outcome.path("ok").asBoolean()).as(outcome.toString()).isTrue();
        assertThat(outcome.get("violation").isNull()).isTrue();
        assertThat(outcome.path("runtime_downgrade").path("downgrade_reason").asText()).isEqualTo("out of VRAM");
    }

    private static JsonNode runExample(String... options) throws IOException, InterruptedException {
        List<String> command = ChildJvm.java(
                "-cp", "target/pdp.jar" + java.io.File.pathSeparator + classes, "ExampleRuntime", "--url", pdp.baseUrl());
        command.addAll(List.of(options));
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return Json.MAPPER.readTree(out);
    }
}
