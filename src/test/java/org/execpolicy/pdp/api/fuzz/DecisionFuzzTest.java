package org.execpolicy.pdp.api.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;
import org.execpolicy.pdp.api.fuzz.Api.Answer;
import org.execpolicy.pdp.json.Json;
import org.execpolicy.pdp.support.RunningPdp;

/**
 * POST /v1/decisions under generated and mutated input: a valid request is decided (200) and
 * recorded; anything else is a problem+json 4xx and leaves the Flight Recorder as it was.
 */
class DecisionFuzzTest {
    static final String WAIVER = "wv-fuzz";
    static final String DYNAMIC_ROLE = "fuzz-role";
    static final List<String> PROFILES = List.of("fuzz-plain", "fuzz-approx");
    static final List<String> ROLES = List.of("frontend", "orchestrator", "worker", "validator", DYNAMIC_ROLE);

    static final String NO_CONTENT_TYPE = "(none)";

    static RunningPdp pdp;
    static Api api;

    @BeforeContainer
    static void start() {
        pdp = RunningPdp.start();
        api = new Api(pdp);
        seed(api);
    }

    @AfterContainer
    static void stop() {
        pdp.close();
    }

    /** A waiver, a plain profile, one granting approximate execution, and a dynamic role using the waiver. */
    static void seed(Api api) {
        ObjectNode waiver = Json.object().put("waiver_id", WAIVER).put("check_waived", "approximate_execution")
                .put("justification", "fuzzing").put("approver", "ops").put("expires_at", java.time.Instant.now().plus(java.time.Duration.ofDays(300))
                        .truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
        assertThat(api.post("/v1/waivers", waiver).status()).isEqualTo(201);
        for (String id : PROFILES) {
            ObjectNode profile = Json.object().put("schema_version", "hsk.work_profile@0.6").put("profile_id", id)
                    .put("name", id);
            profile.putObject("governance").put("automation_level", "HYBRID").put("allow_cloud_escalation", false);
            ObjectNode assignments = profile.putObject("model_assignments");
            for (String role : Gen.CORE_ROLES) {
                ObjectNode assignment = assignments.putObject(role).put("primary_model_id", "m-" + role).put("local_only", true);
                if (id.equals("fuzz-approx")) {
                    assignment.putObject("compute").put("speed_preset", "fast_approx")
                            .putObject("approximate").put("allowed", true).put("waiver_ref", WAIVER);
                }
            }
            assertThat(api.put("/v1/profiles/" + id, profile).status()).isEqualTo(201);
        }
        ObjectNode role = Json.object().put("role_id", DYNAMIC_ROLE).put("inherits", "worker");
        role.putObject("compute").put("speed_preset", "fast_approx")
                .putObject("approximate").put("allowed", true).put("waiver_ref", WAIVER);
        assertThat(api.put("/v1/roles/" + DYNAMIC_ROLE, role).status()).isEqualTo(201);
    }

    @Provide
    Arbitrary<ObjectNode> requests() {
        return Gen.decisionRequest(ROLES, PROFILES);
    }

    @Provide
    Arbitrary<List<Mutation>> mutations() {
        return Mutation.some();
    }

    @Property(tries = 1000)
    void valid_requests_are_decided_and_recorded(@ForAll("requests") ObjectNode request) {
        String before = api.newestEvent();

        Answer answer = api.post("/v1/decisions", request);

        Api.wellFormed(answer);
        assertThat(answer.status()).as("a valid request is decided: %s", answer).isEqualTo(200);
        assertThat(answer.json().path("effective_policy_hash").asText()).as("%s", answer).hasSize(64);
        api.recorded(answer, before);
        Statistics.label("mode").collect(answer.json().path("mode").asText());
        Statistics.label("downgraded").collect(answer.json().path("downgraded").asBoolean());
    }

    @Property(tries = 1000)
    void mutated_requests_are_decided_or_refused_and_refusals_store_nothing(
            @ForAll("requests") ObjectNode request, @ForAll("mutations") List<Mutation> mutations) {
        byte[] body = Mutation.apply(request, mutations);
        String before = api.newestEvent();

        Answer answer = api.send("POST", "/v1/decisions", "application/json", body);

        Api.wellFormed(answer);
        if (answer.status() == 200) {
            api.recorded(answer, before);
        } else {
            assertThat(api.newestEvent()).as("a refused request stores nothing: %s", answer).isEqualTo(before);
        }
        Statistics.label("status").collect(answer.status());
        Statistics.label("mutation").collect(mutations.get(0).kind());
    }

    @Provide
    Arbitrary<byte[]> anyBodies() {
        return Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.bytes().array(byte[].class).ofMaxSize(300)),
                Tuple.of(2, Arbitraries.strings().ofMaxLength(300).map(s -> s.getBytes(StandardCharsets.UTF_8))),
                Tuple.of(3, Arbitraries.strings().withChars("{}[]\":,0123456789.eE-+ \\abtrunflsu").ofMaxLength(120)
                        .map(s -> s.getBytes(StandardCharsets.UTF_8))),
                Tuple.of(2, Arbitraries.of(Mutation.NOT_OBJECTS).map(s -> s.getBytes(StandardCharsets.UTF_8))),
                Tuple.of(3, requests().map(r -> r.toString().getBytes(StandardCharsets.UTF_8))),
                Tuple.of(2, Arbitraries.just("a=1&b=2&trace_id=x".getBytes(StandardCharsets.UTF_8))));
    }

    @Provide
    Arbitrary<String> contentTypes() {
        return Arbitraries.of("application/json", "application/json; charset=utf-8", "application/json;charset=UTF-16",
                "APPLICATION/JSON", "application/problem+json", "application/merge-patch+json", "text/json",
                "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=----x",
                "multipart/form-data", "application/xml", "application/octet-stream", "*/*", "application/",
                "json", "application/json; foo", "application/json; charset=\"", "x", NO_CONTENT_TYPE);
    }

    @Provide
    Arbitrary<String> methods() {
        return Arbitraries.frequencyOf(Tuple.of(85, Arbitraries.just("POST")),
                Tuple.of(15, Arbitraries.of("PUT", "PATCH", "GET", "DELETE")));
    }

    @Property(tries = 1000)
    void any_bytes_with_any_content_type_get_an_answer_not_a_5xx_and_refusals_store_nothing(
            @ForAll("anyBodies") byte[] body, @ForAll("contentTypes") String contentType, @ForAll("methods") String method) {
        String before = api.newestEvent();

        Answer answer = api.send(method, "/v1/decisions", NO_CONTENT_TYPE.equals(contentType) ? null : contentType, body);

        Api.wellFormed(answer);
        if (answer.status() == 200) {
            api.recorded(answer, before);
        } else {
            assertThat(api.newestEvent()).as("a refused request stores nothing: %s", answer).isEqualTo(before);
        }
        Statistics.label("status").collect(answer.status());
    }
}
