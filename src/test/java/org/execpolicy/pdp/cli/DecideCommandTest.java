package org.execpolicy.pdp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.execpolicy.pdp.engine.RuleInfo;
import org.execpolicy.pdp.engine.Ruleset;
import org.execpolicy.pdp.json.Json;
import org.execpolicy.pdp.ruletest.CaseFixtures;
import org.execpolicy.pdp.support.FixtureRules;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `decide` in-process: the answer POST /v1/decisions would give, with no server and no database. It runs
 * on the fixture ruleset {@code echo} (src/test/resources/rulesets/README.md), which answers with the
 * policy it is given, so these tests see the flags, the fixtures file and the clock reach the rules
 * without depending on what the shipped rules/ decide (their rule cases do that). The README's own
 * `decide` commands, on the shipped rules, are ReadmeCommandsIT's.
 */
class DecideCommandTest {
    private static final String RULES = FixtureRules.ECHO.toString();

    private static final String REQUEST = """
            {"trace_id": "trace-42", "role": "worker", "task_type": "chat", "model_id": "llama-7b",
             "backend": "local", "runtime": {"supported_modes": ["standard", "spec_decode", "layer_skip"]},
             "settings": {"temperature": 0.7,
                          "exec_policy": {"mode": "layer_skip", "exactness": "approximate",
                                          "layer_skip": {"skip_ratio": 0.3}}}}
            """;

    /** The request without a policy of its own: echo then answers with the profile's override for the worker. */
    private static final String BARE_REQUEST = """
            {"trace_id": "trace-43", "role": "worker", "task_type": "chat", "model_id": "llama-7b", "backend": "local"}
            """;

    private static final String FIXTURES = """
            profile:
              schema_version: hsk.work_profile@0.6
              governance: {automation_level: HYBRID, allow_cloud_escalation: false}
              profile_id: fast
              name: Fast worker
              model_assignments:
                frontend: {primary_model_id: llama-7b, local_only: true}
                orchestrator: {primary_model_id: llama-7b, local_only: true}
                validator: {primary_model_id: llama-7b, local_only: true}
                worker: {primary_model_id: llama-7b, local_only: true,
                         compute: {exec_policy_override: {policy_id: from-fixtures, mode: mem_offload, exactness: exact}, approximate: {allowed: true, waiver_ref: wv-1}}}
            dynamic_roles:
              - {role_id: reviewer, inherits: worker}
            waivers:
              - {waiver_id: wv-1, check_waived: approximate_execution, scope: {roles: [worker]},
                 justification: latency SLO, approver: ops-lead, expires_at: 2027-01-31T00:00:00Z}
            """;

    @TempDir
    Path temp;

    @Test
    void without_fixtures_the_request_alone_is_decided_by_the_rules_given() throws IOException {
        CommandRun run = CommandRun.of("decide", "--rules", RULES, "--input", write("request.json", REQUEST).toString());

        assertThat(run.exit()).as(run.err()).isZero();
        JsonNode answer = Json.MAPPER.readTree(run.out());
        assertThat(answer.path("requested_source").asText()).isEqualTo("request");
        assertThat(answer.path("mode").asText()).isEqualTo("layer_skip");
        assertThat(answer.path("exactness").asText()).isEqualTo("approximate");
        assertThat(answer.path("requested_policy_hash").asText()).matches("[0-9a-f]{64}");
        assertThat(answer.path("ruleset").path("digest").asText()).isEqualTo(Ruleset.digestOf(FixtureRules.ECHO));
        assertThat(texts(answer.path("ruleset").path("rules_fired")))
                .contains("echo: the request's own policy is requested");
        assertThat(answer.has("explain")).isFalse();
    }

    @Test
    void the_fixtures_profile_reaches_the_rules_and_an_artifact_is_reserved_under_the_decision_id() throws IOException {
        Path fixtures = write("fixtures.yaml", FIXTURES);

        CommandRun bare = CommandRun.of("decide", "--rules", RULES, "--input", write("bare.json", BARE_REQUEST).toString(),
                "--fixtures", fixtures.toString(), "--now", "2026-11-25T12:00:00Z");
        CommandRun approximate = CommandRun.of("decide", "--rules", RULES, "--input", write("request.json", REQUEST).toString(),
                "--fixtures", fixtures.toString(), "--now", "2026-11-25T12:00:00Z");

        assertThat(bare.exit()).as(bare.err()).isZero();
        JsonNode fromProfile = Json.MAPPER.readTree(bare.out());
        assertThat(fromProfile.path("requested_source").asText()).isEqualTo("work_profile");
        assertThat(fromProfile.path("effective_policy").path("policy_id").asText()).isEqualTo("from-fixtures");
        assertThat(approximate.exit()).as(approximate.err()).isZero();
        JsonNode answer = Json.MAPPER.readTree(approximate.out());
        assertThat(answer.path("exactness").asText()).isEqualTo("approximate");
        assertThat(answer.path("trace_artifact_ref").asText())
                .isEqualTo("/v1/traces/" + answer.path("decision_id").asText());
    }

    @Test
    void now_is_the_clock_the_rules_see() throws IOException {
        Path request = write("request.json", REQUEST);
        Path fixtures = write("fixtures.yaml", FIXTURES);

        CommandRun before = CommandRun.of("decide", "--rules", RULES, "--input", request.toString(),
                "--fixtures", fixtures.toString(), "--now", "2027-01-30T23:59:59Z");
        CommandRun after = CommandRun.of("decide", "--rules", RULES, "--input", request.toString(),
                "--fixtures", fixtures.toString(), "--now", "2027-01-31T00:00:00Z");

        assertThat(before.exit()).as(before.err()).isZero();
        assertThat(texts(Json.MAPPER.readTree(before.out()).path("reason_codes"))).isEmpty();
        assertThat(after.exit()).as(after.err()).isZero();
        assertThat(texts(Json.MAPPER.readTree(after.out()).path("reason_codes"))).containsExactly("ECHO_WAIVER_EXPIRED");
    }

    @Test
    void explain_lists_the_fired_rules_in_order_with_their_descriptions() throws IOException {
        CommandRun run = CommandRun.of("decide", "--rules", RULES, "--input", write("request.json", REQUEST).toString(),
                "--explain");

        assertThat(run.exit()).as(run.err()).isZero();
        JsonNode answer = Json.MAPPER.readTree(run.out());
        JsonNode explain = answer.path("explain");
        assertThat(explain.size()).isGreaterThanOrEqualTo(answer.path("ruleset").path("rules_fired").size());
        JsonNode first = explain.get(0);
        assertThat(first.path("outcome").asText()).isEqualTo("fired");
        assertThat(first.path("seq").asInt()).isEqualTo(1);
        assertThat(first.path("rule_name").asText()).isEqualTo("echo: the request's own policy is requested");
        assertThat(first.path("description").asText()).isNotBlank();

        // every firing, in order: the fired entries name rules_fired exactly, seq 1..n, each with its @description
        Map<String, String> descriptions = Ruleset.compile(FixtureRules.ECHO).rules().stream()
                .collect(Collectors.toMap(RuleInfo::name, RuleInfo::description));
        List<String> rulesFired = texts(answer.path("ruleset").path("rules_fired"));
        assertThat(rulesFired).isNotEmpty();
        List<JsonNode> entries = StreamSupport.stream(explain.spliterator(), false).toList();
        List<JsonNode> fired = entries.stream().filter(e -> e.path("outcome").asText().equals("fired")).toList();
        assertThat(fired.stream().map(e -> e.path("rule_name").asText()).toList()).isEqualTo(rulesFired);
        for (int i = 0; i < fired.size(); i++) {
            JsonNode entry = fired.get(i);
            assertThat(entry.path("seq").asInt()).as("seq of %s", entry).isEqualTo(i + 1);
            assertThat(entry.path("description").asText()).as("description of %s", entry).isNotBlank()
                    .isEqualTo(descriptions.get(entry.path("rule_name").asText()));
        }
        assertThat(entries.subList(0, fired.size())).as("fired rules first, then cancelled matches")
                .allMatch(e -> e.path("outcome").asText().equals("fired"));
        assertThat(entries.subList(fired.size(), entries.size()))
                .allMatch(e -> e.path("outcome").asText().equals("cancelled"));
    }

    @Test
    void a_test_case_copied_into_files_decides_as_the_case_expects() throws IOException {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        JsonNode rulecase = StreamSupport.stream(
                        yaml.readTree(FixtureRules.ECHO.resolve("tests/echo.yaml").toFile()).spliterator(), false)
                .filter(candidate -> candidate.path("name").asText().equals("echo-a-waiver-expired-at-the-clock-is-named"))
                .findFirst().orElseThrow();
        ObjectNode fixtures = Json.object();
        CaseFixtures.FIELDS.forEach(field -> fixtures.set(field, rulecase.get(field)));

        CommandRun run = CommandRun.of("decide", "--rules", RULES,
                "--input", write("request.json", rulecase.get("request").toString()).toString(),
                "--fixtures", write("fixtures.yaml", yaml.writeValueAsString(fixtures)).toString(),
                "--now", rulecase.get("now").asText());

        assertThat(run.exit()).as(run.err()).isZero();
        JsonNode answer = Json.MAPPER.readTree(run.out());
        assertThat(answer.path("reason_codes")).isEqualTo(rulecase.path("expect").path("reason_codes"));
        assertThat(answer.path("mode")).isEqualTo(rulecase.path("expect").path("mode"));
    }

    @Test
    void malformed_json_is_reported_with_file_and_line() throws IOException {
        Path request = write("request.json", """
                {"trace_id": "t-1",
                 "role": "worker",
                 "task_type": ,
                 "model_id": "llama-7b"}
                """);

        CommandRun run = CommandRun.of("decide", "--rules", RULES, "--input", request.toString());

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).startsWith(request + ":3: malformed JSON: ");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void a_request_the_api_would_refuse_is_refused_with_file_line_and_field() throws IOException {
        Path request = write("request.json", """
                {"trace_id": "t-1",
                 "role": "worker",
                 "task_type": "chat",
                 "model_id": "llama-7b",
                 "prompt": "never stored"}
                """);

        CommandRun run = CommandRun.of("decide", "--rules", RULES, "--input", request.toString());

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).startsWith(request + ":5: /prompt: property 'prompt' is not defined");
    }

    @Test
    void an_unknown_fixtures_field_is_named_with_file_and_line() throws IOException {
        Path fixtures = write("fixtures.yaml", FIXTURES + "waiver:\n  - {waiver_id: wv-2}\n");

        CommandRun run = CommandRun.of("decide", "--rules", RULES, "--input", write("request.json", REQUEST).toString(),
                "--fixtures", fixtures.toString());

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).startsWith(fixtures + ":17: unknown field 'waiver'");
    }

    private Path write(String name, String content) throws IOException {
        return Files.writeString(temp.resolve(name), content);
    }

    private static List<String> texts(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
    }
}
