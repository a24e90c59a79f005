package org.execpolicy.pdp.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import org.execpolicy.pdp.json.Json;
import org.execpolicy.pdp.model.ExecPolicy;
import org.execpolicy.pdp.support.FixtureRules;
import org.junit.jupiter.api.Test;

/**
 * Sessions are reused (a disposed one is reset and handed out again): nothing of one evaluation may
 * reach the next, neither facts nor firings nor reason codes nor the listeners that collect them.
 */
class SessionReuseTest {
    private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
    private final RuleEngine engine = new RuleEngine(Ruleset.compile(FixtureRules.ECHO));

    private Evaluation decide(String mode, String task) {
        return engine.evaluate(FactAssembler.assemble(Json.parseObject("{\"trace_id\":\"t\",\"role\":\"worker\","
                        + "\"task_type\":\"" + task + "\",\"model_id\":\"m-7b\",\"settings\":{\"exec_policy\":"
                        + "{\"mode\":\"" + mode + "\",\"exactness\":\"exact\"}}}"),
                null, null, id -> Optional.empty(), NOW));
    }

    @Test
    void each_evaluation_sees_only_its_own_facts_however_often_sessions_are_reused() {
        Evaluation alone = decide("spec_decode", "chat");
        Evaluation refused = decide("spec_decode", "tool_call"); // ECHO_TOOL_CALL: a reason code and more firings

        for (int i = 0; i < 50; i++) {
            Evaluation chat = decide(i % 2 == 0 ? "spec_decode" : "mem_offload", "chat");
            assertThat(chat.effective().getMode()).isEqualTo(i % 2 == 0 ? "spec_decode" : "mem_offload");
            assertThat(chat.outcome().getReasonCodes()).as("no reason code left by the tool call").isEmpty();
            assertThat(chat.firings()).extracting(Firing::ruleName)
                    .containsExactlyElementsOf(alone.firings().stream().map(Firing::ruleName).toList());
            Evaluation tool = decide("spec_decode", "tool_call");
            assertThat(tool.outcome().getReasonCodes()).isEqualTo(refused.outcome().getReasonCodes());
            assertThat(tool.firings()).hasSameSizeAs(refused.firings());
        }
    }

    @Test
    void disposed_sessions_come_back_clean_and_a_ruleset_reused_from_the_last_compile_shares_them() {
        Ruleset ruleset = Ruleset.compile(FixtureRules.ECHO);
        Ruleset reused = Ruleset.compile(FixtureRules.ECHO); // the same files: the last KieBase, reused
        java.util.Set<org.kie.api.runtime.KieSession> seen =
                java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (int i = 0; i < 20; i++) {
            org.kie.api.runtime.KieSession session = (i % 2 == 0 ? ruleset : reused).newSession();
            assertThat(session.getAgendaEventListeners()).as("no listener of an earlier evaluation").isEmpty();
            assertThat(session.getObjects()).as("no fact of an earlier evaluation").isEmpty();
            seen.add(session);
            session.addEventListener(new FiringRecorder());
            session.insert(ExecPolicy.of("standard", "exact"));
            session.dispose();
        }
        assertThat(seen).as("one at a time, the same few sessions are handed out by both rulesets")
                .hasSizeLessThanOrEqualTo(Runtime.getRuntime().availableProcessors());
    }

    @Test
    void concurrent_evaluations_each_get_a_session_of_their_own() {
        List<Evaluation> evaluations = IntStream.range(0, 400).parallel()
                .mapToObj(i -> decide(i % 2 == 0 ? "spec_decode" : "mem_offload", "chat")).toList();

        for (int i = 0; i < evaluations.size(); i++) {
            assertThat(evaluations.get(i).effective().getMode()).isEqualTo(i % 2 == 0 ? "spec_decode" : "mem_offload");
            assertThat(evaluations.get(i).firings()).hasSize(evaluations.get(0).firings().size());
        }
    }
}
