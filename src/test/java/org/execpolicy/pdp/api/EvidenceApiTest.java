package org.execpolicy.pdp.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.execpolicy.pdp.api.Bodies.decision;
import static org.execpolicy.pdp.api.Bodies.uid;
import static org.execpolicy.pdp.api.Steps.allEvents;
import static org.execpolicy.pdp.api.Steps.decide;
import static org.execpolicy.pdp.api.Steps.q;
import static org.execpolicy.pdp.api.Steps.texts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.execpolicy.pdp.support.FixtureRules;
import org.execpolicy.pdp.support.RunningPdp;
import org.execpolicy.pdp.support.RunningPdp.Reply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What an auditor reads back: GET /v1/decisions/{id} and the Flight Recorder under GET /v1/events. It runs
 * on the fixture ruleset {@code waiver-gate} (src/test/resources/rulesets/README.md): it grants approximate
 * execution under the test's own waiver and refuses it, downgraded with a reason code, without one, so
 * both kinds of record are read back whatever the shipped rules/ decide.
 */
class EvidenceApiTest {
    static final List<String> ANSWER_FIELDS = List.of(
            "decision_id", "event_id", "trace_id", "requested_source", "requested_policy",
            "requested_policy_hash", "effective_policy", "effective_policy_hash", "mode", "exactness",
            "downgraded", "downgrade_reason", "reason_codes", "adjustments", "waiver_ref",
            "trace_artifact_ref", "trace_artifact_null_reason", "codes", "ruleset");

    /** Every record type of the Flight Recorder (SPEC.md section 4), one schema each. */
    static final List<String> RECORD_TYPES = List.of(
            "llm_exec_policy", "policy_rule_fired", "policy_ruleset_loaded", "policy_ruleset_rejected",
            "retention_checkpoint", "work_profile_changed", "work_profile_selected", "dynamic_role_changed",
            "waiver_granted", "waiver_approved", "waiver_revoked",
            "layerwise_trace_attached", "layerwise_trace_missing", "llm_exec_report", "exec_policy_violation");

    static RunningPdp pdp;
    /** A profile whose worker runs approximate layer_skip under a valid waiver: the richest decision. */
    static String grantedProfile;
    /** A profile naming no waiver: approximate execution asked for is refused (WAIVER_MISSING). */
    static String refusedProfile;
    static String waiverId;

    @BeforeAll
    static void start() {
        pdp = RunningPdp.start(RunningPdp.freshDataDir(), FixtureRules.WAIVER_GATE, false);
        waiverId = uid("wv");
        Steps.createWaiver(pdp, Bodies.waiver(waiverId));
        grantedProfile = uid("wp");
        Steps.putProfile(pdp, Bodies.profile(grantedProfile, "worker", Bodies.approximateOverrideAllowed(waiverId)));
        refusedProfile = uid("wp");
        Steps.putProfile(pdp, Bodies.profile(refusedProfile));
    }

    @AfterAll
    static void stop() {
        pdp.close();
    }

    static JsonNode grantedDecision() {
        ObjectNode request = decision("worker", grantedProfile);
        request.put("wp_id", "wp-7");
        request.put("mt_id", "mt-3");
        request.put("job_id", "job-11");
        return decide(pdp, request);
    }

    /** Approximate execution asked for with no waiver named: standard/exact, downgraded, WAIVER_MISSING. */
    static JsonNode refusedDecision() {
        return decide(pdp, Bodies.withPolicy(decision("worker", refusedProfile), Bodies.policy("layer_skip", "approximate")));
    }

    static JsonNode getJson(String path) {
        Reply reply = pdp.get(path);
        assertThat(reply.status()).as("GET %s: %s", path, reply.body()).isEqualTo(200);
        assertThat(reply.contentType()).startsWith("application/json");
        return reply.json();
    }

    static void assertNotFound(Reply reply) {
        assertThat(reply.status()).isEqualTo(404);
        assertThat(reply.contentType()).startsWith("application/problem+json");
        assertThat(reply.json().get("status").asInt()).isEqualTo(404);
        assertThat(reply.json().get("error_type").asText()).isEqualTo("invalid_request");
        assertThat(reply.json().get("detail").asText()).isNotBlank();
    }

    static void assertBadParameter(Reply reply, String name) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(400);
        assertThat(reply.contentType()).startsWith("application/problem+json");
        JsonNode problem = reply.json();
        assertThat(problem.get("error_type").asText()).isEqualTo("invalid_request");
        assertThat(problem.get("errors").findValuesAsText("path")).contains("/" + name);
        assertThat(problem.get("detail").asText()).contains(name);
    }

    // ---- GET /v1/decisions/{id}

    @Test
    void a_decision_reads_back_with_the_fields_of_its_answer_and_its_firings_in_order() {
        for (JsonNode answer : List.of(grantedDecision(), refusedDecision())) {
            JsonNode stored = getJson("/v1/decisions/" + answer.get("decision_id").asText());

            for (String field : ANSWER_FIELDS) {
                assertThat(stored.get(field)).as(field).isEqualTo(answer.get(field));
            }
            List<String> fired = texts(answer.get("ruleset").get("rules_fired"));
            JsonNode firings = stored.get("rule_firings");
            assertThat(fired).isNotEmpty();
            assertThat(firings.size()).isEqualTo(fired.size());
            for (int i = 0; i < firings.size(); i++) {
                JsonNode firing = firings.get(i);
                assertThat(firing.get("seq").asInt()).isEqualTo(i + 1);
                assertThat(firing.get("rule_name").asText()).isEqualTo(fired.get(i));
                assertThat(firing.get("rule_package").asText()).isNotBlank();
                assertThat(firing.get("event_id").asText()).isNotBlank();
            }
        }
    }

    @Test
    void a_decision_reads_back_with_its_request_context() {
        JsonNode answer = grantedDecision();

        JsonNode stored = getJson("/v1/decisions/" + answer.get("decision_id").asText());

        assertThat(stored.get("role").asText()).isEqualTo("worker");
        assertThat(stored.get("model_id").asText()).isEqualTo("model-worker");
        assertThat(stored.get("task_type").asText()).isEqualTo("chat");
        assertThat(stored.get("wp_id").asText()).isEqualTo("wp-7");
        assertThat(stored.get("mt_id").asText()).isEqualTo("mt-3");
        assertThat(stored.get("job_id").asText()).isEqualTo("job-11");
        assertThat(stored.get("profile_id").asText()).isEqualTo(grantedProfile);
    }

    @Test
    void an_unknown_decision_is_404() {
        assertNotFound(pdp.get("/v1/decisions/" + UUID.randomUUID()));
    }

    // ---- the records of one decision

    @Test
    void a_decision_is_one_llm_exec_policy_record_and_one_policy_rule_fired_per_firing() {
        JsonNode answer = grantedDecision();
        String decisionId = answer.get("decision_id").asText();
        List<String> fired = texts(answer.get("ruleset").get("rules_fired"));

        List<JsonNode> records = allEvents(pdp, "decision_id=" + q(decisionId), 500);

        List<JsonNode> decisions = records.stream().filter(r -> r.get("type").asText().equals("llm_exec_policy")).toList();
        List<JsonNode> firings = records.stream().filter(r -> r.get("type").asText().equals("policy_rule_fired")).toList();
        assertThat(decisions).hasSize(1);
        assertThat(firings).hasSize(fired.size());
        assertThat(records).hasSize(fired.size() + 1);
        // newest first: the firings come back in descending seq, naming the rules fired in reverse
        List<String> names = new ArrayList<>();
        for (int i = 0; i < firings.size(); i++) {
            JsonNode firing = firings.get(i);
            assertThat(firing.get("seq").asInt()).isEqualTo(fired.size() - i);
            assertThat(firing.get("decision_id").asText()).isEqualTo(decisionId);
            assertThat(firing.get("actor").asText()).as("a rule firing is the PDP's own").isEqualTo("system");
            assertThat(firing.get("ruleset_digest").asText()).isEqualTo(answer.get("ruleset").get("digest").asText());
            names.add(0, firing.get("rule_name").asText());
        }
        assertThat(names).isEqualTo(fired);
    }

    @Test
    void the_llm_exec_policy_record_holds_requested_versus_effective_and_why() {
        JsonNode rules = getJson("/v1/rules");
        for (JsonNode answer : List.of(grantedDecision(), refusedDecision())) {
            List<JsonNode> records = allEvents(pdp,
                    "type=llm_exec_policy&decision_id=" + q(answer.get("decision_id").asText()), 10);
            assertThat(records).hasSize(1);
            JsonNode record = records.get(0);

            assertThat(record.get("event_id").asText()).isEqualTo(answer.get("event_id").asText());
            assertThat(record.get("type").asText()).isEqualTo("llm_exec_policy");
            assertThat(record.get("actor").asText()).isIn("human", "agent", "system");
            assertThat(record.get("actor").asText()).as("the PDP itself decides").isEqualTo("system");
            assertThat(record.get("trace_id").asText()).isEqualTo(answer.get("trace_id").asText());
            for (String field : List.of("requested_source", "requested_policy", "requested_policy_hash",
                    "effective_policy", "effective_policy_hash", "mode", "exactness", "downgraded",
                    "downgrade_reason", "reason_codes", "waiver_ref", "trace_artifact_ref",
                    "trace_artifact_null_reason")) {
                assertThat(record.get(field)).as(field).isEqualTo(answer.get(field));
            }
            assertThat(record.get("ruleset_digest").asText()).isEqualTo(rules.get("digest").asText());
            assertThat(record.get("backend").asText()).isEqualTo("local");
            assertThat(record.get("parameter_class").asText()).isEqualTo("P7B");
            assertThat(record.get("role").asText()).isEqualTo("worker");
            assertThat(record.get("model_id").asText()).isEqualTo("model-worker");
            Instant timestamp = Instant.parse(record.get("timestamp").asText());
            assertThat(record.get("timestamp").asText()).endsWith("Z");
            assertThat(timestamp).isBetween(Instant.now().minus(Duration.ofMinutes(5)), Instant.now().plusSeconds(5));
        }
    }

    @Test
    void granted_and_refused_records_say_so() {
        JsonNode granted = allEvents(pdp, "type=llm_exec_policy&decision_id="
                + q(grantedDecision().get("decision_id").asText()), 10).get(0);
        JsonNode refused = allEvents(pdp, "type=llm_exec_policy&decision_id="
                + q(refusedDecision().get("decision_id").asText()), 10).get(0);

        assertThat(granted.get("exactness").asText()).isEqualTo("approximate");
        assertThat(granted.get("downgraded").asBoolean()).isFalse();
        assertThat(granted.get("waiver_ref").asText()).isEqualTo(waiverId);
        // the fixture grants the very policy asked for; refusing it changes it: each hash is of its own policy
        assertThat(granted.get("requested_policy_hash").asText()).isEqualTo(granted.get("effective_policy_hash").asText());
        assertThat(refused.get("requested_policy_hash").asText()).isNotEqualTo(refused.get("effective_policy_hash").asText());
        assertThat(refused.get("exactness").asText()).isEqualTo("exact");
        assertThat(refused.get("downgraded").asBoolean()).isTrue();
        assertThat(refused.get("downgrade_reason").asText()).contains("WAIVER_MISSING");
        assertThat(texts(refused.get("reason_codes"))).containsExactly("WAIVER_MISSING");
        assertThat(refused.get("waiver_ref").isNull()).isTrue();
    }

    @Test
    void every_record_reads_back_by_its_event_id() {
        JsonNode answer = refusedDecision();
        List<JsonNode> records = allEvents(pdp, "decision_id=" + q(answer.get("decision_id").asText()), 500);

        for (JsonNode record : records) {
            assertThat(getJson("/v1/events/" + record.get("event_id").asText())).isEqualTo(record);
        }
        JsonNode firstFiring = getJson("/v1/decisions/" + answer.get("decision_id").asText()).get("rule_firings").get(0);
        JsonNode firingRecord = getJson("/v1/events/" + firstFiring.get("event_id").asText());
        assertThat(firingRecord.get("type").asText()).isEqualTo("policy_rule_fired");
        assertThat(firingRecord.get("seq").asInt()).isEqualTo(1);
        assertThat(firingRecord.get("rule_name")).isEqualTo(firstFiring.get("rule_name"));
    }

    @Test
    void an_unknown_event_is_404() {
        assertNotFound(pdp.get("/v1/events/" + UUID.randomUUID()));
    }

    // ---- paging and filters

    @Test
    void paging_walks_every_record_newest_first_without_duplicates() {
        JsonNode older = grantedDecision();
        JsonNode newer = refusedDecision();

        List<JsonNode> onePage = allEvents(pdp, null, 500);
        List<JsonNode> walked = allEvents(pdp, null, 7);

        List<String> ids = walked.stream().map(r -> r.get("event_id").asText()).toList();
        Set<String> unique = new HashSet<>(ids);
        assertThat(unique).hasSameSizeAs(ids);
        assertThat(ids).isEqualTo(onePage.stream().map(r -> r.get("event_id").asText()).toList());
        for (int i = 1; i < walked.size(); i++) {
            assertThat(Instant.parse(walked.get(i).get("timestamp").asText()))
                    .isBeforeOrEqualTo(Instant.parse(walked.get(i - 1).get("timestamp").asText()));
        }
        int newest = ids.indexOf(newer.get("event_id").asText());
        int oldest = ids.indexOf(older.get("event_id").asText());
        assertThat(newest).isNotNegative().isLessThan(oldest);
    }

    @Test
    void a_cursor_continues_after_the_last_item_it_was_given_for() {
        JsonNode answer = grantedDecision();
        String filter = "decision_id=" + q(answer.get("decision_id").asText());
        JsonNode first = getJson("/v1/events?limit=2&" + filter);
        JsonNode second = getJson("/v1/events?limit=2&" + filter + "&cursor=" + q(first.get("next_cursor").asText()));
        List<JsonNode> all = allEvents(pdp, filter, 500);

        assertThat(first.get("items").size()).isEqualTo(2);
        assertThat(second.get("items").get(0)).isEqualTo(all.get(2));
        assertThat(second.get("items").get(1)).isEqualTo(all.get(3));
    }

    @Test
    void the_last_page_has_a_null_next_cursor() {
        JsonNode answer = grantedDecision();
        String filter = "type=llm_exec_policy&trace_id=" + q(answer.get("trace_id").asText());

        JsonNode page = getJson("/v1/events?" + filter);

        assertThat(page.get("items").size()).isEqualTo(1);
        assertThat(page.has("next_cursor")).isTrue();
        assertThat(page.get("next_cursor").isNull()).isTrue();
    }

    @Test
    void the_default_page_is_50_records() {
        // a granted decision is a handful of records on the fixture: decide until there are more than 50
        for (int i = 0; i < 60 && allEvents(pdp, null, 500).size() <= 50; i++) {
            grantedDecision();
        }

        JsonNode page = getJson("/v1/events");

        assertThat(page.get("items").size()).isEqualTo(50);
        assertThat(page.get("next_cursor").isTextual()).isTrue();
    }

    @Test
    void the_type_filter_returns_that_type_only() {
        JsonNode answer = grantedDecision();

        List<JsonNode> decisions = allEvents(pdp, "type=llm_exec_policy", 500);
        List<JsonNode> firings = allEvents(pdp, "type=policy_rule_fired", 500);

        assertThat(decisions).isNotEmpty().allSatisfy(r -> assertThat(r.get("type").asText()).isEqualTo("llm_exec_policy"));
        assertThat(firings).isNotEmpty().allSatisfy(r -> assertThat(r.get("type").asText()).isEqualTo("policy_rule_fired"));
        assertThat(decisions).extracting(r -> r.get("event_id").asText()).contains(answer.get("event_id").asText());
        // hard-coded: a type the PDP records but this list misses makes the sums differ
        int ofEachType = RECORD_TYPES.stream()
                .mapToInt(type -> allEvents(pdp, "type=" + type, 500).size()).sum();
        assertThat(ofEachType).isEqualTo(allEvents(pdp, null, 500).size());
    }

    @Test
    void the_trace_id_filter_returns_the_records_of_that_trace_only() {
        JsonNode answer = grantedDecision();
        JsonNode other = grantedDecision();
        String decisionId = answer.get("decision_id").asText();

        List<JsonNode> records = allEvents(pdp, "trace_id=" + q(answer.get("trace_id").asText()), 500);

        // policy_rule_fired records carry no trace_id (SPEC 4), so only the decision record is certain to match
        assertThat(records).extracting(r -> r.get("event_id").asText()).contains(answer.get("event_id").asText());
        assertThat(records).allSatisfy(r -> assertThat(r.get("decision_id").asText()).isEqualTo(decisionId));
        assertThat(records).extracting(r -> r.get("event_id").asText()).doesNotContain(other.get("event_id").asText());
        assertThat(allEvents(pdp, "trace_id=" + q(uid("trace-nobody-sent")), 500)).isEmpty();
    }

    @Test
    void since_and_until_bound_the_record_timestamp() {
        JsonNode answer = grantedDecision();
        String trace = "trace_id=" + q(answer.get("trace_id").asText()) + "&type=llm_exec_policy";
        Instant at = Instant.parse(getJson("/v1/events/" + answer.get("event_id").asText()).get("timestamp").asText());
        String later = at.plusMillis(1).toString();
        String earlier = at.minusMillis(1).toString();

        assertThat(allEvents(pdp, trace + "&since=" + q(earlier), 500)).hasSize(1);
        assertThat(allEvents(pdp, trace + "&since=" + q(later), 500)).isEmpty();
        assertThat(allEvents(pdp, trace + "&until=" + q(later), 500)).hasSize(1);
        assertThat(allEvents(pdp, trace + "&until=" + q(earlier), 500)).isEmpty();
        assertThat(allEvents(pdp, trace + "&since=" + q(earlier) + "&until=" + q(later), 500)).hasSize(1);
        assertThat(allEvents(pdp, trace + "&since=" + q(later) + "&until=" + q(earlier), 500)).isEmpty();
    }

    @Test
    void a_record_timestamp_is_an_inclusive_since_and_an_exclusive_until() {
        JsonNode answer = grantedDecision();
        String trace = "trace_id=" + q(answer.get("trace_id").asText()) + "&type=llm_exec_policy";
        String stamp = getJson("/v1/events/" + answer.get("event_id").asText()).get("timestamp").asText();

        assertThat(allEvents(pdp, trace + "&since=" + q(stamp), 500)).as("since=%s", stamp).hasSize(1);
        assertThat(allEvents(pdp, trace + "&until=" + q(stamp), 500)).as("until=%s", stamp).isEmpty();
    }

    @Test
    void since_and_until_accept_a_negative_utc_offset() {
        JsonNode answer = grantedDecision();
        String trace = "trace_id=" + q(answer.get("trace_id").asText()) + "&type=llm_exec_policy";
        Instant at = Instant.parse(getJson("/v1/events/" + answer.get("event_id").asText()).get("timestamp").asText());
        String earlierInNewYork = OffsetDateTime.ofInstant(at.minusSeconds(1), ZoneOffset.ofHours(-5)).toString();
        String laterInNewYork = OffsetDateTime.ofInstant(at.plusSeconds(1), ZoneOffset.ofHours(-5)).toString();

        assertThat(allEvents(pdp, trace + "&since=" + q(earlierInNewYork) + "&until=" + q(laterInNewYork), 500)).hasSize(1);
        assertThat(allEvents(pdp, trace + "&since=" + q(laterInNewYork), 500)).isEmpty();
    }

    @Test
    void since_and_until_accept_a_positive_utc_offset() {
        JsonNode answer = grantedDecision();
        String trace = "trace_id=" + q(answer.get("trace_id").asText()) + "&type=llm_exec_policy";
        Instant at = Instant.parse(getJson("/v1/events/" + answer.get("event_id").asText()).get("timestamp").asText());
        String earlierInParis = OffsetDateTime.ofInstant(at.minusSeconds(1), ZoneOffset.ofHours(2)).toString();
        String laterInParis = OffsetDateTime.ofInstant(at.plusSeconds(1), ZoneOffset.ofHours(2)).toString();

        assertThat(allEvents(pdp, trace + "&since=" + q(earlierInParis) + "&until=" + q(laterInParis), 500)).hasSize(1);
        assertThat(allEvents(pdp, trace + "&since=" + q(laterInParis), 500)).isEmpty();
    }

    @Test
    void a_bad_since_is_400_naming_since() {
        assertBadParameter(pdp.get("/v1/events?since=yesterday"), "since");
        assertBadParameter(pdp.get("/v1/events?until=" + q("2026-13-45T99:00:00Z")), "until");
    }

    @Test
    void a_limit_outside_1_to_500_is_400_naming_limit() {
        assertBadParameter(pdp.get("/v1/events?limit=0"), "limit");
        assertBadParameter(pdp.get("/v1/events?limit=501"), "limit");
        assertBadParameter(pdp.get("/v1/events?limit=ten"), "limit");
        assertThat(pdp.get("/v1/events?limit=500").status()).isEqualTo(200);
        assertThat(pdp.get("/v1/events?limit=1").status()).isEqualTo(200);
    }

    @Test
    void a_cursor_this_server_did_not_give_is_400_naming_cursor() {
        assertBadParameter(pdp.get("/v1/events?cursor=not-a-cursor"), "cursor");
    }
}
