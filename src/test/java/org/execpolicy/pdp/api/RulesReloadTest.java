package org.execpolicy.pdp.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.execpolicy.pdp.support.FixtureRules;
import org.execpolicy.pdp.support.RunningPdp;
import org.execpolicy.pdp.support.RunningPdp.Reply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hot reload of a running PDP: sound rulesets swap in, broken ones are refused, both are evidence. Runs on a
 * copy of the one-mode fixture ruleset (every decision is one mode), which each test edits.
 */
class RulesReloadTest {
    private static final String REQUEST = """
            {"trace_id":"%s","role":"worker","task_type":"chat","model_id":"m-7b"}""";

    @TempDir
    Path rules;
    @TempDir
    Path data;
    private RunningPdp pdp;

    @BeforeEach
    void start() {
        FixtureRules.copy(FixtureRules.ONE_MODE, rules);
        pdp = RunningPdp.start(data, rules, false); // reloads only when asked: no race with the watcher
    }

    @AfterEach
    void stop() {
        pdp.close();
    }

    private String mode(String traceId) {
        Reply reply = pdp.post("/v1/decisions", REQUEST.formatted(traceId));
        assertThat(reply.status()).isEqualTo(200);
        return reply.json().path("mode").asText();
    }

    @Test
    void a_reload_swaps_in_the_edited_rules_and_records_it() throws IOException {
        String before = pdp.get("/v1/rules").json().path("digest").asText();
        assertThat(mode("before-reload")).isEqualTo("spec_decode");

        FixtureRules.setOneMode(rules, "mem_offload");
        Reply reload = pdp.post("/v1/rules/reload", "");

        assertThat(reload.status()).isEqualTo(200);
        String after = reload.json().path("digest").asText();
        assertThat(after).isNotEqualTo(before);
        assertThat(reload.json().path("previous_digest").asText()).isEqualTo(before);
        assertThat(mode("after-reload")).isEqualTo("mem_offload");
        JsonNode loaded = latest("policy_ruleset_loaded", "reload");
        assertThat(loaded.path("digest").asText()).isEqualTo(after);
        assertThat(loaded.path("previous_digest").asText()).isEqualTo(before);
        assertThat(loaded.path("actor").asText()).isEqualTo("human");
        assertThat(loaded.path("operator").asText()).as("the token that asked").isEqualTo("operator");
        assertThat(loaded.path("files")).anySatisfy(f -> assertThat(f.path("name").asText()).isEqualTo("one-mode.drl"));
        assertThat(pdp.get("/v1/events?trace_id=after-reload&type=llm_exec_policy").json()
                .path("items").get(0).path("ruleset_digest").asText()).isEqualTo(after);
    }

    @Test
    void a_ruleset_that_does_not_compile_is_refused_and_the_old_one_keeps_serving() throws IOException {
        String before = pdp.get("/v1/rules").json().path("digest").asText();
        Files.writeString(rules.resolve("broken.drl"), """
                package org.execpolicy.rules;

                rule "broken: unknown fact"
                    @description("refers to a type that does not exist")
                when
                    NoSuchFact()
                then
                end
                """);

        Reply reload = pdp.post("/v1/rules/reload", "");

        assertThat(reload.status()).isEqualTo(422);
        assertThat(reload.contentType()).isEqualTo("application/problem+json");
        assertThat(reload.json().path("errors")).anySatisfy(e -> {
            assertThat(e.path("path").asText()).isEqualTo("broken.drl:6");
            assertThat(e.path("message").asText()).contains("NoSuchFact");
        });
        JsonNode served = pdp.get("/v1/rules").json();
        assertThat(served.path("digest").asText()).isEqualTo(before);
        assertThat(served.path("last_rejection").path("messages").get(0).path("file").asText()).isEqualTo("broken.drl");
        assertThat(mode("while-broken")).isEqualTo("spec_decode");
        JsonNode rejected = latest("policy_ruleset_rejected", "reload");
        assertThat(rejected.path("attempted_digest").asText()).isNotEqualTo(before).hasSize(64);
        assertThat(rejected.path("messages").get(0).path("line").asInt()).isEqualTo(6);
    }

    @Test
    void a_rule_without_description_is_refused_naming_the_rule() throws IOException {
        Files.writeString(rules.resolve("silent.drl"), """
                package org.execpolicy.rules;
                import org.execpolicy.pdp.model.*;
                // salience-band: 0..99

                rule "silent: fires without saying why"
                when
                    DecisionRequest()
                then
                end
                """);

        Reply reload = pdp.post("/v1/rules/reload", "");

        assertThat(reload.status()).isEqualTo(422);
        assertThat(reload.json().path("errors").get(0).path("message").asText())
                .contains("\"silent: fires without saying why\"").contains("@description");
    }

    @Test
    void a_rule_outside_its_files_salience_band_is_refused_naming_file_rule_and_band() throws IOException {
        String before = pdp.get("/v1/rules").json().path("digest").asText();
        Files.writeString(rules.resolve("zz_stray.drl"), """
                package org.execpolicy.rules;
                import org.execpolicy.pdp.model.*;
                // salience-band: 0..99

                rule "stray: ordered above every preset"
                    @description("test: its salience is outside its own file's band")
                    salience 860
                when
                    DecisionRequest( role == "nobody" )
                then
                end
                """);

        Reply reload = pdp.post("/v1/rules/reload", "");

        assertThat(reload.status()).isEqualTo(422);
        assertThat(reload.json().path("errors")).singleElement().satisfies(e -> {
            assertThat(e.path("path").asText()).isEqualTo("zz_stray.drl:5");
            assertThat(e.path("message").asText()).isEqualTo("rule \"stray: ordered above every preset\" has salience"
                    + " 860, outside its file's band 0..99 (declared on line 3)");
        });
        assertThat(pdp.get("/v1/rules").json().path("digest").asText()).isEqualTo(before);
    }

    @Test
    void the_watcher_reloads_a_changed_rules_directory_by_itself() throws Exception {
        pdp.close();
        pdp = RunningPdp.start(data, rules, true);
        String before = pdp.get("/v1/rules").json().path("digest").asText();

        FixtureRules.setOneMode(rules, "mem_offload");

        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (pdp.get("/v1/rules").json().path("digest").asText().equals(before)) {
            assertThat(Instant.now()).as("the watcher reloaded within 30 s").isBefore(deadline);
            Thread.sleep(100);
        }
        assertThat(mode("after-watch")).isEqualTo("mem_offload");
        assertThat(latest("policy_ruleset_loaded", "watch").path("actor").asText()).isEqualTo("system");
        assertThat(latest("policy_ruleset_loaded", "watch").has("operator")).isFalse();
    }

    @Test
    void decisions_during_reloads_all_succeed() throws Exception {
        AtomicBoolean reloading = new AtomicBoolean(true);
        ExecutorService clients = Executors.newFixedThreadPool(8);
        List<Future<List<Integer>>> statuses = new ArrayList<>();
        for (int c = 0; c < 8; c++) {
            int client = c;
            statuses.add(clients.submit(() -> {
                List<Integer> seen = new ArrayList<>();
                for (int i = 0; reloading.get(); i++) {
                    seen.add(pdp.post("/v1/decisions", REQUEST.formatted("during-" + client + "-" + i)).status());
                }
                return seen;
            }));
        }
        String[] modes = {"mem_offload", "spec_decode", "mem_offload", "spec_decode"};
        for (String mode : modes) {
            FixtureRules.setOneMode(rules, mode);
            assertThat(pdp.post("/v1/rules/reload", "").status()).isEqualTo(200);
        }
        reloading.set(false);
        clients.shutdown();
        List<Integer> all = new ArrayList<>();
        for (Future<List<Integer>> future : statuses) {
            all.addAll(future.get());
        }
        assertThat(all).isNotEmpty().containsOnly(200);
    }

    @Test
    void startup_is_recorded_with_the_digest_that_served_before_the_restart() throws IOException {
        String first = pdp.get("/v1/rules").json().path("digest").asText();
        assertThat(latest("policy_ruleset_loaded", "startup").path("previous_digest").isNull()).isTrue();
        pdp.close();
        FixtureRules.setOneMode(rules, "mem_offload");

        pdp = RunningPdp.start(data, rules, false);

        JsonNode startup = latest("policy_ruleset_loaded", "startup");
        assertThat(startup.path("previous_digest").asText()).isEqualTo(first);
        assertThat(startup.path("digest").asText()).isNotEqualTo(first)
                .isEqualTo(pdp.get("/v1/rules").json().path("digest").asText());
    }

    private JsonNode latest(String type, String source) {
        for (JsonNode record : pdp.get("/v1/events?type=" + type + "&limit=50").json().path("items")) {
            if (record.path("source").asText().equals(source)) {
                return record;
            }
        }
        throw new AssertionError("no " + type + " record with source " + source);
    }
}
