package org.execpolicy.pdp.acceptance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.cucumber.datatable.DataTable;
import io.cucumber.java.en.Then;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.execpolicy.pdp.json.CanonicalJson;
import org.execpolicy.pdp.support.RunningPdp.Reply;

/** What an auditor reads back from the Flight Recorder through GET /v1/events and GET /v1/decisions. */
public class RecorderSteps {
    /** The fields of the answer that the llm_exec_policy record must hold with the same value. */
    private static final List<String> ANSWERED_AND_RECORDED = List.of(
            "decision_id", "trace_id", "requested_source", "requested_policy", "requested_policy_hash",
            "effective_policy", "effective_policy_hash", "mode", "exactness", "downgraded", "downgrade_reason",
            "adjusted", "model_permitted", "dropped_fields", "reason_codes", "adjustments", "waiver_ref", "trace_artifact_ref", "trace_artifact_null_reason", "codes");

    @Then("^the Flight Recorder holds the decision$")
    public void theFlightRecorderHoldsTheDecision() {
        JsonNode record = record();
        assertThat(record.path("event_id").asText()).isEqualTo(DecisionSteps.answer("event_id").asText());
        assertThat(record.path("actor").asText()).isIn("human", "agent", "system");
        assertThat(record.path("actor").asText()).as("the PDP records its own decisions").isEqualTo("system");
        assertThat(record.path("timestamp").asText()).matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z");
        assertThat(record.path("role").asText()).isEqualTo(World.decisionRequest.path("role").asText());
        assertThat(record.path("model_id").asText()).isEqualTo(World.decisionRequest.path("model_id").asText());
        assertThat(record.path("ruleset_digest").asText()).isEqualTo(DecisionSteps.answer("ruleset").path("digest").asText());
        for (String field : ANSWERED_AND_RECORDED) {
            assertThat(record.has(field)).as("field %s in record %s", field, record).isTrue();
            assertThat(record.get(field)).as("recorded %s vs answered", field).isEqualTo(DecisionSteps.answer(field));
        }
    }

    @Then("^the Flight Recorder holds the decision with:$")
    public void theFlightRecorderHoldsTheDecisionWith(DataTable table) {
        theFlightRecorderHoldsTheDecision();
        JsonNode record = record();
        for (Map.Entry<String, String> row : table.asMap(String.class, String.class).entrySet()) {
            String field = row.getKey();
            String value = row.getValue() == null ? "" : row.getValue();
            assertThat(record.has(field)).as("field %s in record %s", field, record).isTrue();
            JsonNode actual = record.get(field);
            String what = "recorded " + field + " in " + record;
            if (value.equals("null")) {
                assertThat(actual.isNull()).as(what).isTrue();
            } else if (actual.isArray()) {
                assertThat(DecisionSteps.strings(actual)).as(what).containsExactlyElementsOf(DecisionSteps.list(value));
            } else if (actual.isBoolean()) {
                assertThat(actual.asBoolean()).as(what).isEqualTo(Boolean.parseBoolean(value));
            } else if (field.equals("waiver_ref")) {
                assertThat(actual.asText()).as(what).isEqualTo(World.id(value));
            } else {
                assertThat(actual.asText()).as(what).isEqualTo(value);
            }
        }
    }

    @Then("^the Flight Recorder shows the downgrade from \"([^\"]+)\" and \"([^\"]+)\" to \"([^\"]+)\" and \"([^\"]+)\"$")
    public void theFlightRecorderShowsTheDowngrade(String fromMode, String fromExactness, String toMode, String toExactness) {
        theFlightRecorderHoldsTheDecision();
        JsonNode record = record();
        assertThat(policy(record.path("requested_policy"))).as("requested_policy of " + record)
                .isEqualTo(fromMode + "/" + fromExactness);
        assertThat(policy(record.path("effective_policy"))).as("effective_policy of " + record)
                .isEqualTo(toMode + "/" + toExactness);
        assertThat(record.path("mode").asText() + "/" + record.path("exactness").asText()).as("summary of " + record)
                .isEqualTo(toMode + "/" + toExactness);
        assertThat(record.path("downgraded").asBoolean(false)).as("downgraded in " + record).isTrue();
        assertThat(record.path("downgrade_reason").asText("")).as("downgrade_reason in " + record).isNotBlank();
    }

    @Then("^the recorded reason codes include \"([^\"]+)\"$")
    public void theRecordedReasonCodesInclude(String code) {
        assertThat(DecisionSteps.strings(record().path("reason_codes"))).as("reason_codes of " + record()).contains(code);
    }

    @Then("^the recorded requested policy is \"([^\"]+)\" and \"([^\"]+)\" from \"([^\"]+)\"$")
    public void theRecordedRequestedPolicyIs(String mode, String exactness, String source) {
        JsonNode record = record();
        assertThat(policy(record.path("requested_policy"))).as("requested_policy of " + record).isEqualTo(mode + "/" + exactness);
        assertThat(record.path("requested_source").asText()).as("requested_source of " + record).isEqualTo(source);
    }

    @Then("^the recorded requested policy is exactly the one the runtime sent$")
    public void theRecordedRequestedPolicyIsTheOneSent() {
        JsonNode sent = World.decisionRequest.path("settings").path("exec_policy");
        assertThat(sent.isObject()).as("the request carried settings.exec_policy").isTrue();
        assertThat(record().path("requested_policy")).isEqualTo(sent);
    }

    @Then("^the recorded effective policy is \"([^\"]+)\" and \"([^\"]+)\"$")
    public void theRecordedEffectivePolicyIs(String mode, String exactness) {
        JsonNode record = record();
        assertThat(policy(record.path("effective_policy"))).as("effective_policy of " + record).isEqualTo(mode + "/" + exactness);
        assertThat(record.path("mode").asText() + "/" + record.path("exactness").asText()).as("summary of " + record)
                .isEqualTo(mode + "/" + exactness);
    }

    @Then("^the recorded policy hashes are the SHA-256 of the canonical requested and effective policies$")
    public void theRecordedHashesAreSha256() {
        JsonNode record = record();
        assertThat(record.path("requested_policy_hash").asText()).matches("[0-9a-f]{64}")
                .isEqualTo(CanonicalJson.sha256Hex(record.path("requested_policy")));
        assertThat(record.path("effective_policy_hash").asText()).matches("[0-9a-f]{64}")
                .isEqualTo(CanonicalJson.sha256Hex(record.path("effective_policy")));
    }

    @Then("^the recorded requested and effective policy hashes (differ|are equal)$")
    public void theRecordedHashesDiffer(String how) {
        JsonNode record = record();
        String requested = record.path("requested_policy_hash").asText();
        String effective = record.path("effective_policy_hash").asText();
        if (how.equals("differ")) {
            assertThat(effective).isNotEqualTo(requested);
        } else {
            assertThat(effective).isEqualTo(requested);
        }
    }

    @Then("^the recorded decision names waiver \"([^\"]+)\" and a trace artifact reference$")
    public void theRecordNamesWaiverAndTraceArtifact(String waiver) {
        JsonNode record = record();
        assertThat(record.path("waiver_ref").asText(null)).as("waiver_ref of " + record).isEqualTo(World.id(waiver));
        assertThat(record.path("trace_artifact_ref").asText("")).as("trace_artifact_ref of " + record).isNotBlank();
        assertThat(record.path("trace_artifact_null_reason").isNull()).as("trace_artifact_null_reason of " + record).isTrue();
    }

    @Then("^the recorded decision names no waiver and no trace artifact reference, because of \"([^\"]+)\"$")
    public void theRecordNamesNoTraceArtifact(String reason) {
        JsonNode record = record();
        assertThat(record.path("waiver_ref").isNull()).as("waiver_ref of " + record).isTrue();
        assertThat(record.path("trace_artifact_ref").isNull()).as("trace_artifact_ref of " + record).isTrue();
        assertThat(record.path("trace_artifact_null_reason").asText(null)).as("trace_artifact_null_reason of " + record)
                .isEqualTo(reason);
    }

    @Then("^the Flight Recorder holds every rule that fired for the decision, in order$")
    public void theFlightRecorderHoldsEveryRuleFiring() {
        List<JsonNode> firings = new ArrayList<>();
        events("type=policy_rule_fired&decision_id=" + encode(World.decisionId())).forEach(firings::add);
        firings.sort(Comparator.comparingInt(f -> f.path("seq").asInt()));
        List<String> answered = DecisionSteps.strings(DecisionSteps.answer("ruleset").path("rules_fired"));
        assertThat(answered).as("rules_fired in the answer").isNotEmpty();
        assertThat(firings.stream().map(f -> f.path("rule_name").asText()).toList()).isEqualTo(answered);
        for (int i = 0; i < firings.size(); i++) {
            JsonNode firing = firings.get(i);
            assertThat(firing.path("seq").asInt()).as("seq of " + firing).isEqualTo(i + 1);
            assertThat(firing.path("rule_package").asText()).as("rule_package of " + firing).isNotBlank();
            assertThat(firing.path("actor").asText()).as("actor of " + firing).isEqualTo("system");
            assertThat(firing.path("ruleset_digest").asText()).isEqualTo(DecisionSteps.answer("ruleset").path("digest").asText());
        }
        Reply decision = Pdp.server().get("/v1/decisions/" + encode(World.decisionId()));
        assertThat(decision.status()).as("GET /v1/decisions/{id}: %s", decision.body()).isEqualTo(200);
        List<String> listed = new ArrayList<>();
        decision.json().path("rule_firings").forEach(f -> listed.add(f.path("rule_name").asText()));
        assertThat(listed).as("rule_firings of GET /v1/decisions/{id}").isEqualTo(answered);
    }

    @Then("^every record of the decision names it as its policy decision$")
    public void everyRecordNamesItsPolicyDecision() {
        List<JsonNode> records = new ArrayList<>();
        events("decision_id=" + encode(World.decisionId())).forEach(records::add);
        assertThat(records).as("records of the decision").hasSizeGreaterThan(1);
        for (JsonNode record : records) {
            assertThat(record.path("policy_decision_id").asText(null)).as("policy_decision_id of " + record)
                    .isEqualTo(World.decisionId());
        }
    }

    @Then("^the Flight Recorder does not hold the value of any dropped member$")
    public void theRecorderDoesNotHoldDroppedValues() {
        String records = events("decision_id=" + encode(World.decisionId())).toString();
        assertThat(records).as("records of the decision").doesNotContain("value of a later version");
    }

    @Then("^the Flight Recorder holds a work_profile_selected record for \"([^\"]+)\" after \"([^\"]+)\","
            + " with automation level \"([^\"]+)\", cloud escalation (allowed|not allowed)"
            + " and every core role resolved to \"([^\"]+)\"$")
    public void theRecorderHoldsWorkProfileSelected(String name, String previous, String automation, String cloud,
                                                    String model) {
        List<JsonNode> selected = events("type=work_profile_selected").stream()
                .filter(r -> r.path("profile_id").asText().equals(World.id(name))).toList();
        assertThat(selected).as("work_profile_selected records of " + name).hasSize(1);
        JsonNode record = selected.get(0);
        assertThat(record.path("previous_profile_id").asText()).as(record.toString()).isEqualTo(World.id(previous));
        assertThat(record.path("automation_level").asText()).as(record.toString()).isEqualTo(automation);
        assertThat(record.path("allow_cloud_escalation").isBoolean()).as(record.toString()).isTrue();
        assertThat(record.path("allow_cloud_escalation").asBoolean()).as(record.toString()).isEqualTo(cloud.equals("allowed"));
        for (String role : World.CORE_ROLES) {
            assertThat(record.path("resolved_models").path(role).asText()).as(record.toString()).isEqualTo(model);
        }
        assertThat(record.path("actor").asText()).isEqualTo("human");
    }

    @Then("^the waiver \"([^\"]+)\" is stored and recorded with the (justification|revoke reason) \"([^\"]+)\"$")
    public void theWaiverIsStoredWith(String name, String field, String text) {
        boolean justification = field.equals("justification");
        Reply stored = Pdp.server().get("/v1/waivers/" + encode(World.id(name)));
        assertThat(stored.status()).as(stored.body()).isEqualTo(200);
        assertThat(stored.json().path(justification ? "justification" : "revoke_reason").asText()).isEqualTo(text);
        List<JsonNode> records = events("type=" + (justification ? "waiver_granted" : "waiver_revoked")).stream()
                .filter(r -> r.path("waiver_id").asText().equals(World.id(name))).toList();
        assertThat(records).as("records of waiver " + name).hasSize(1);
        assertThat(records.get(0).path(justification ? "justification" : "reason").asText()).isEqualTo(text);
    }

    @Then("^nothing is recorded for that request$")
    public void nothingIsRecordedForThatRequest() {
        String traceId = World.decisionRequest.path("trace_id").asText();
        assertThat(events("trace_id=" + encode(traceId))).as("records of trace " + traceId).isEmpty();
    }

    // ---- helpers

    /** The llm_exec_policy record of the last decision, read once through GET /v1/events?decision_id=. */
    static JsonNode record() {
        if (World.record == null) {
            List<JsonNode> items = events("type=llm_exec_policy&decision_id=" + encode(World.decisionId()));
            assertThat(items).as("llm_exec_policy records of decision " + World.decisionId()).hasSize(1);
            World.record = items.get(0);
            assertThat(World.record.path("type").asText()).isEqualTo("llm_exec_policy");
            Reply byId = Pdp.server().get("/v1/events/" + encode(World.record.path("event_id").asText()));
            assertThat(byId.status()).as("GET /v1/events/{id}: %s", byId.body()).isEqualTo(200);
            assertThat(byId.json()).isEqualTo(World.record);
        }
        return World.record;
    }

    /** Records matching the query (at most 500), newest first. */
    static List<JsonNode> events(String query) {
        Reply reply = Pdp.server().get("/v1/events?limit=500&" + query);
        assertThat(reply.status()).as("GET /v1/events?%s: %s", query, reply.body()).isEqualTo(200);
        assertThat(reply.json().has("next_cursor")).isTrue();
        List<JsonNode> items = new ArrayList<>();
        reply.json().path("items").forEach(items::add);
        return items;
    }

    private static String policy(JsonNode policy) {
        return policy.path("mode").asText() + "/" + policy.path("exactness").asText();
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
