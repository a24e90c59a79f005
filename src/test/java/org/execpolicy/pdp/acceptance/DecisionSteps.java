package org.execpolicy.pdp.acceptance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cucumber.java.en.Then;
import io.cucumber.java.en.When;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** What a runtime asks and what it is told. */
public class DecisionSteps {
    static final String TRACE_FORMAT = "hsk.layerwise_trace@0.1";

    @When("^the runtime asks for a decision for role \"([^\"]+)\"(.*)$")
    public void theRuntimeAsksForADecision(String role, String phrase) {
        decide(Phrases.decisionRequest(role, phrase));
    }

    @When("^the runtime asks again with the same request$")
    public void theRuntimeAsksAgain() {
        World.previousDecision = World.decision;
        decide(World.decisionRequest.deepCopy());
    }

    /**
     * The same request with another content type: a charset (or ?explain) takes a decision request past
     * DecisionRequestShape to the full OpenAPI validator, so the two answers compare the two paths.
     */
    @When("^the runtime asks again with the same request sent as \"([^\"]+)\"$")
    public void theRuntimeAsksAgainAs(String contentType) {
        World.previousDecision = World.decision;
        World.reply = Pdp.server().send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(Pdp.server().baseUrl() + "/v1/decisions"))
                .header("content-type", contentType)
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(World.decisionRequest.toString())));
        assertThat(World.reply.status()).as("POST /v1/decisions: %s", World.reply.body()).isEqualTo(200);
        World.record = null;
        World.decision = World.reply.json();
    }

    @Then("^both answers are the same but for their decision and event ids$")
    public void bothAnswersAreTheSameButForIds() {
        JsonNode first = World.previousDecision;
        assertThat(first).as("an earlier answer in this scenario").isNotNull();
        ObjectNode before = first.deepCopy();
        ObjectNode after = World.decision.deepCopy();
        assertThat(after.path("decision_id").asText()).isNotEqualTo(before.path("decision_id").asText());
        for (ObjectNode answer : List.of(before, after)) {
            answer.remove(List.of("decision_id", "event_id"));
        }
        assertThat(after).as("the second answer").isEqualTo(before);
    }

    static void decide(ObjectNode request) {
        World.decisionRequest = request;
        // as a runtime on loopback does: no token
        World.reply = Pdp.server().post("/v1/decisions", request.toString(), null);
        World.record = null;
        assertThat(World.reply.status()).as("POST /v1/decisions: %s", World.reply.body()).isEqualTo(200);
        World.decision = World.reply.json();
    }

    // ---- the answer

    @Then("^the requested policy comes from \"([^\"]+)\"$")
    public void theRequestedPolicyComesFrom(String source) {
        assertThat(answer("requested_source").asText()).as(describe()).isEqualTo(source);
    }

    @Then("^the requested policy is \"([^\"]+)\" and \"([^\"]+)\"$")
    public void theRequestedPolicyIs(String mode, String exactness) {
        JsonNode requested = answer("requested_policy");
        assertThat(requested.path("mode").asText() + "/" + requested.path("exactness").asText()).as(describe())
                .isEqualTo(mode + "/" + exactness);
    }

    @Then("^the effective policy is \"([^\"]+)\" and \"([^\"]+)\"$")
    public void theEffectivePolicyIs(String mode, String exactness) {
        JsonNode effective = answer("effective_policy");
        assertThat(answer("mode").asText() + "/" + answer("exactness").asText()).as(describe())
                .isEqualTo(mode + "/" + exactness);
        assertThat(effective.path("mode").asText() + "/" + effective.path("exactness").asText())
                .as("effective_policy of " + describe()).isEqualTo(mode + "/" + exactness);
    }

    @Then("^the decision is adjusted because of \"([^\"]+)\"$")
    public void theDecisionIsAdjusted(String adjustments) {
        assertThat(answer("adjusted").asBoolean(false)).as(describe()).isTrue();
        assertThat(strings(answer("adjustments"))).as(describe()).containsExactlyElementsOf(list(adjustments));
        assertThat(answer("requested_policy_hash")).as(describe()).isNotEqualTo(answer("effective_policy_hash"));
    }

    @Then("^the dropped fields are \"([^\"]*)\"$")
    public void theDroppedFieldsAre(String pointers) {
        assertThat(strings(answer("dropped_fields"))).as(describe()).containsExactlyElementsOf(list(pointers));
    }

    @Then("^the effective policy has no member \"([^\"]+)\"$")
    public void theEffectivePolicyHasNoMember(String member) {
        assertThat(answer("effective_policy").has(member)).as(describe()).isFalse();
    }

    @Then("^the decision is not adjusted$")
    public void theDecisionIsNotAdjusted() {
        assertThat(answer("adjusted").isBoolean()).as(describe()).isTrue();
        assertThat(answer("adjusted").asBoolean()).as(describe()).isFalse();
        assertThat(strings(answer("adjustments"))).as(describe()).isEmpty();
    }

    @Then("^the answer carries cloud reasoning strength \"([^\"]+)\"$")
    public void theAnswerCarriesCloudReasoningStrength(String strength) {
        assertThat(answer("cloud_reasoning_strength").asText(null)).as(describe()).isEqualTo(strength);
    }

    @Then("^the answer carries no cloud reasoning strength$")
    public void theAnswerCarriesNoCloudReasoningStrength() {
        assertThat(World.decision.has("cloud_reasoning_strength")).as(describe()).isTrue();
        assertThat(answer("cloud_reasoning_strength").isNull()).as(describe()).isTrue();
    }

    @Then("^the answer is exact$")
    public void theAnswerIsExact() {
        assertThat(answer("exactness").asText()).as(describe()).isEqualTo("exact");
        assertThat(answer("effective_policy").path("exactness").asText()).as(describe()).isEqualTo("exact");
    }

    @Then("^the decision (is|is not) downgraded$")
    public void theDecisionIsDowngraded(String is) {
        boolean downgraded = is.equals("is");
        assertThat(answer("downgraded").isBoolean()).as(describe()).isTrue();
        assertThat(answer("downgraded").asBoolean()).as(describe()).isEqualTo(downgraded);
        JsonNode reason = answer("downgrade_reason");
        if (downgraded) {
            assertThat(reason.isTextual() && !reason.asText().isBlank() && !reason.asText().contains("\n"))
                    .as("a one-line downgrade_reason in " + describe()).isTrue();
        } else {
            assertThat(reason.isNull()).as("no downgrade_reason in " + describe()).isTrue();
        }
    }

    @Then("^the model call (is|is not) permitted$")
    public void theModelCallIsPermitted(String is) {
        assertThat(answer("model_permitted").isBoolean()).as(describe()).isTrue();
        assertThat(answer("model_permitted").asBoolean()).as(describe()).isEqualTo(is.equals("is"));
    }

    @Then("^the reason codes include \"([^\"]+)\"$")
    public void theReasonCodesInclude(String code) {
        assertThat(strings(answer("reason_codes"))).as(describe()).contains(code);
    }

    @Then("^the reason codes are \"([^\"]*)\"$")
    public void theReasonCodesAre(String codes) {
        assertThat(strings(answer("reason_codes"))).as(describe()).containsExactlyElementsOf(list(codes));
    }

    @Then("^the codes are \"([^\"]*)\"$")
    public void theCodesAre(String codes) {
        assertThat(strings(answer("codes"))).as(describe()).containsExactlyElementsOf(list(codes));
    }

    @Then("^approximate execution is granted under waiver \"([^\"]+)\"$")
    public void approximateIsGrantedUnderWaiver(String waiver) {
        assertThat(answer("exactness").asText()).as(describe()).isEqualTo("approximate");
        assertThat(answer("waiver_ref").asText(null)).as(describe()).isEqualTo(World.id(waiver));
    }

    @Then("^no waiver is named$")
    public void noWaiverIsNamed() {
        assertThat(answer("waiver_ref").isNull()).as("waiver_ref null in " + describe()).isTrue();
    }

    @Then("^tracing is forced on at level \"([^\"]+)\" for every token with a trace artifact$")
    public void tracingIsForcedOn(String level) {
        JsonNode trace = answer("effective_policy").path("trace");
        assertThat(trace.path("level").asText()).as(describe()).isEqualTo(level);
        assertThat(trace.path("sample_rate").isNumber() && trace.path("sample_rate").asDouble() == 1.0)
                .as("sample_rate 1 in " + describe()).isTrue();
        assertThat(trace.path("artifact").path("enabled").asBoolean(false)).as(describe()).isTrue();
        assertThat(trace.path("artifact").path("format").asText()).as(describe()).isEqualTo(TRACE_FORMAT);
        assertThat(strings(answer("adjustments"))).as(describe()).contains("TRACE_FORCED");
    }

    @Then("^a trace artifact reference is reserved for the runtime$")
    public void aTraceArtifactReferenceIsReserved() {
        assertThat(answer("trace_artifact_ref").isTextual() && !answer("trace_artifact_ref").asText().isBlank())
                .as("trace_artifact_ref in " + describe()).isTrue();
        assertThat(answer("trace_artifact_null_reason").isNull()).as(describe()).isTrue();
    }

    @Then("^there is no trace artifact reference, because of \"([^\"]+)\"$")
    public void noTraceArtifactReference(String reason) {
        assertThat(answer("trace_artifact_ref").isNull()).as("trace_artifact_ref null in " + describe()).isTrue();
        assertThat(answer("trace_artifact_null_reason").asText(null)).as(describe()).isEqualTo(reason);
    }

    @Then("^the effective policy keeps policy id \"([^\"]+)\"$")
    public void theEffectivePolicyKeepsPolicyId(String policyId) {
        assertThat(answer("effective_policy").path("policy_id").asText(null)).as(describe()).isEqualTo(policyId);
    }

    @Then("^the effective policy carries no policy id$")
    public void theEffectivePolicyCarriesNoPolicyId() {
        assertThat(answer("effective_policy").has("policy_id")).as(describe()).isFalse();
    }

    @Then("^both answers give byte-identical effective policies and hashes$")
    public void bothAnswersAreIdentical() {
        JsonNode first = World.previousDecision;
        assertThat(first).as("an earlier answer in this scenario").isNotNull();
        for (String field : List.of("effective_policy", "effective_policy_hash", "requested_policy",
                "requested_policy_hash", "reason_codes", "downgrade_reason")) {
            assertThat(World.decision.get(field).toString()).as(field).isEqualTo(first.get(field).toString());
        }
        assertThat(World.decision.path("decision_id").asText()).isNotEqualTo(first.path("decision_id").asText());
    }

    // ---- helpers

    static JsonNode answer(String field) {
        assertThat(World.decision).as("a decision answered; last reply " + World.reply).isNotNull();
        assertThat(World.decision.has(field)).as("field %s in %s", field, World.decision).isTrue();
        return World.decision.get(field);
    }

    static String describe() {
        return "decision " + World.decision;
    }

    static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(v -> out.add(v.asText()));
        return out;
    }

    /** "A, B" as a list; "none" as the empty list. */
    static List<String> list(String text) {
        if (text.isBlank() || text.trim().equals("none")) {
            return List.of();
        }
        return Arrays.stream(text.split(",")).map(String::trim).toList();
    }
}
