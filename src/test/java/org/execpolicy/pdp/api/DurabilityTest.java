package org.execpolicy.pdp.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import org.execpolicy.pdp.support.FixtureRules;
import org.execpolicy.pdp.support.RunningPdp;
import org.execpolicy.pdp.support.RunningPdp.Reply;
import org.junit.jupiter.api.Test;

/**
 * A decision answered 200 is on disk: it survives the server being stopped and started on the same data.
 * It runs on the fixture ruleset {@code waiver-gate} (src/test/resources/rulesets/README.md), which grants
 * approximate execution only under a waiver in the registry: the same approximate answer after the restart
 * shows the waiver, the profile and its activation survived too, whatever the shipped rules/ grant.
 */
class DurabilityTest {

    @Test
    void a_decision_and_its_firings_survive_a_restart() {
        Path dataDir;
        JsonNode answer;
        JsonNode before;
        List<JsonNode> recordsBefore;
        String waiverId = Bodies.uid("wv");
        String profileId = Bodies.uid("wp");
        try (RunningPdp first = RunningPdp.start(RunningPdp.freshDataDir(), FixtureRules.WAIVER_GATE, false)) {
            dataDir = first.dataDir();
            Steps.createWaiver(first, Bodies.waiver(waiverId));
            Steps.putProfile(first, Bodies.profile(profileId, "worker", Bodies.approximateOverrideAllowed(waiverId)));
            Steps.activate(first, profileId);
            answer = Steps.decide(first, Bodies.decision("worker"));
            assertThat(answer.get("exactness").asText()).as("granted under the waiver").isEqualTo("approximate");
            assertThat(answer.get("waiver_ref").asText()).isEqualTo(waiverId);
            before = first.get("/v1/decisions/" + answer.get("decision_id").asText()).json();
            recordsBefore = Steps.allEvents(first, null, 500);
        }

        try (RunningPdp second = RunningPdp.start(dataDir, FixtureRules.WAIVER_GATE, false)) {
            Reply reply = second.get("/v1/decisions/" + answer.get("decision_id").asText());

            assertThat(reply.status()).as(reply.body()).isEqualTo(200);
            JsonNode after = reply.json();
            assertThat(after).isEqualTo(before);
            assertThat(after.get("effective_policy")).isEqualTo(answer.get("effective_policy"));
            assertThat(after.get("effective_policy_hash")).isEqualTo(answer.get("effective_policy_hash"));
            assertThat(after.get("rule_firings").size()).isEqualTo(answer.get("ruleset").get("rules_fired").size());
            assertThat(after.get("rule_firings").findValuesAsText("rule_name"))
                    .isEqualTo(Steps.texts(answer.get("ruleset").get("rules_fired")));
            // Everything stored before the restart is still there, unchanged; the restart adds its startup record.
            List<JsonNode> recordsAfter = Steps.allEvents(second, null, 500);
            assertThat(recordsAfter.subList(recordsAfter.size() - recordsBefore.size(), recordsAfter.size()))
                    .isEqualTo(recordsBefore);
            assertThat(recordsAfter.get(0).get("type").asText()).isEqualTo("policy_ruleset_loaded");
            assertThat(recordsAfter.get(0).get("source").asText()).isEqualTo("startup");
            // the registry survives too: the same request decides the same way (a lost waiver: WAIVER_UNKNOWN,
            // exact; a lost activation: no profile, standard/exact)
            JsonNode again = Steps.decide(second, Bodies.decision("worker"));
            assertThat(second.get("/v1/profiles").json().get("active_profile_id").asText()).isEqualTo(profileId);
            assertThat(again.get("effective_policy")).isEqualTo(answer.get("effective_policy"));
            assertThat(again.get("exactness").asText()).isEqualTo("approximate");
            assertThat(again.get("waiver_ref").asText()).isEqualTo(waiverId);
        }
    }
}
