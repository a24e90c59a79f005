package org.execpolicy.pdp.api.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;
import org.execpolicy.pdp.api.fuzz.Api.Answer;
import org.execpolicy.pdp.json.Json;
import org.execpolicy.pdp.support.RunningPdp;

/**
 * PUT /v1/profiles/{id}, POST /v1/waivers and PUT /v1/roles/{id} under generated and mutated
 * input: what is accepted is stored and a decision that reads it is still answered 200; what is
 * refused is a problem+json 4xx and is not in the registry.
 */
class RegistryFuzzTest {
    static final List<String> WAIVERS = List.of(DecisionFuzzTest.WAIVER, "wv-missing");
    static final List<String> ROLES = List.of("frontend", "orchestrator", "worker", "validator", "fuzz-role");

    /** The share of tries (of the accepted waivers, when mutated) that must get as far as a decision reading them. */
    static final double MIN_DECISION_CHECKED_PERCENT = 30;
    static final double MIN_MUTATED_DECISION_CHECKED_PERCENT = 10;

    static RunningPdp pdp;
    static Api api;

    @BeforeContainer
    static void start() {
        pdp = RunningPdp.start();
        api = new Api(pdp);
        DecisionFuzzTest.seed(api);
    }

    @AfterContainer
    static void stop() {
        pdp.close();
    }

    @Provide
    Arbitrary<ObjectNode> profiles() {
        return Gen.profile(WAIVERS);
    }

    @Provide
    Arbitrary<ObjectNode> waivers() {
        return Gen.waiver(ROLES);
    }

    @Provide
    Arbitrary<ObjectNode> roles() {
        return Gen.role(WAIVERS);
    }

    @Provide
    Arbitrary<List<Mutation>> mutations() {
        return Mutation.some();
    }

    /** A decision that has to read the registry entry: answered 200, whatever the entry holds. */
    static void decisionReading(String role, String profileId, Answer stored) {
        ObjectNode request = Json.object().put("trace_id", Api.uid("fuzz")).put("role", role)
                .put("task_type", "chat").put("model_id", "m-worker");
        if (profileId != null) {
            request.put("profile_id", profileId);
        }
        request.putObject("settings").putObject("exec_policy").put("mode", "layer_skip").put("exactness", "approximate");
        Answer decision = api.post("/v1/decisions", request);
        assertThat(decision.status()).as("a decision reading what was stored: %s%nafter storing: %s", decision, stored)
                .isEqualTo(200);
        Api.wellFormed(decision);
    }

    /** A refused write leaves the registry without the entry and the Flight Recorder as it was. */
    static void notStored(Answer answer, String path, String eventBefore) {
        Answer stored = api.get(path);
        assertThat(stored.status()).as("refused, so %s is not stored: %s", path, answer).isEqualTo(404);
        assertThat(api.newestEvent()).as("nothing recorded: %s", answer).isEqualTo(eventBefore);
    }

    // ---- Work Profiles

    @Property(tries = 1000)
    void valid_profiles_are_stored_and_decided_with(@ForAll("profiles") ObjectNode profile) {
        String id = Api.uid("wp");
        profile.put("profile_id", id);

        Answer answer = api.put("/v1/profiles/" + id, profile);

        Api.wellFormed(answer);
        assertThat(answer.status()).as("a valid profile is created: %s", answer).isEqualTo(201);
        Answer stored = api.get("/v1/profiles/" + id);
        assertThat(stored.status()).isEqualTo(200);
        assertThat(stored.json()).as("stored as sent").isEqualTo(Json.parseObject(profile.toString()));
        decisionReading(Gen.CORE_ROLES.get(Math.floorMod(id.hashCode(), 4)), id, answer);
    }

    @Property(tries = 1000)
    void mutated_profiles_are_stored_or_refused_and_refusals_store_nothing(
            @ForAll("profiles") ObjectNode profile, @ForAll("mutations") List<Mutation> mutations) {
        String id = Api.uid("wp");
        profile.put("profile_id", id);
        byte[] body = Mutation.apply(profile, mutations);
        String before = api.newestEvent();

        Answer answer = api.send("PUT", "/v1/profiles/" + id, "application/json", body);

        Api.wellFormed(answer);
        if (answer.ok()) {
            assertThat(api.get("/v1/profiles/" + id).status()).isEqualTo(200);
            decisionReading("worker", id, answer);
        } else {
            notStored(answer, "/v1/profiles/" + id, before);
        }
        Statistics.label("status").collect(answer.status());
    }

    // ---- waivers

    @Property(tries = 1000)
    void valid_waivers_are_stored_and_read_by_decisions(@ForAll("waivers") ObjectNode waiver) {
        String id = Api.uid("wv");
        waiver.put("waiver_id", id);

        Answer answer = api.post("/v1/waivers", waiver);

        Api.wellFormed(answer);
        assertThat(answer.status()).as("a valid waiver is created: %s", answer).isEqualTo(201);
        assertThat(api.get("/v1/waivers/" + id).status()).isEqualTo(200);
        String roleId = roleUsing(id);
        if (roleId != null) {
            decisionReading(roleId, null, answer);
        }
        // a role refusing the waiver skips the decision check: keep that from becoming the rule
        Statistics.label("decision checked").collect(roleId != null)
                .coverage(coverage -> coverage.check(true).percentage(p -> p >= MIN_DECISION_CHECKED_PERCENT));
    }

    @Property(tries = 1000)
    void mutated_waivers_are_stored_or_refused_and_refusals_store_nothing(
            @ForAll("waivers") ObjectNode waiver, @ForAll("mutations") List<Mutation> mutations) {
        String id = Api.uid("wv");
        waiver.put("waiver_id", id);
        byte[] body = Mutation.apply(waiver, mutations);
        String before = api.newestEvent();

        Answer answer = api.send("POST", "/v1/waivers", "application/json", body);

        Api.wellFormed(answer);
        if (answer.ok()) {
            String storedId = answer.json().path("waiver_id").asText();
            // Not every stored id can be read back by its path: the Vert.x 5.0.7 OpenAPI validator
            // JSON-decodes a string path parameter that is not \w+ ("-1" and "1.5" become numbers and
            // are refused 400, "\"abc\"" becomes abc, "\\" is refused), and a control character
            // cannot be in a URL. Ids starting with a letter and made of [\w.:@-] are read back as sent.
            if (storedId.matches("[A-Za-z_][\\w.:@-]*")) {
                assertThat(api.get("/v1/waivers/" + Api.pathSegment(storedId)).status()).as("%s", answer).isEqualTo(200);
            }
            String roleId = roleUsing(storedId);
            if (roleId != null) {
                decisionReading(roleId, null, answer);
            }
            // Most mutations are refused (about 6% are accepted, ~60 of 1000 tries) and a mutated waiver is
            // refused for the role more often (about a third reach the decision): on so few, ask for a share
            // and a count well below what is seen, so that the bound fails when the check is skipped, not by chance.
            Statistics.label("accepted, decision checked").collect(roleId != null)
                    .coverage(coverage -> {
                        coverage.check(true).percentage(p -> p >= MIN_MUTATED_DECISION_CHECKED_PERCENT);
                        coverage.check(true).count(c -> c >= 3);
                    });
        } else {
            notStored(answer, "/v1/waivers/" + id, before);
        }
        Statistics.label("status").collect(answer.status())
                .coverage(coverage -> coverage.check(201).count(c -> c >= 10)); // else the branch above is untested
    }

    /**
     * Registers a dynamic role whose compute allows approximate execution under the waiver; returns its id,
     * or null when the rules refuse the waiver for it (422, the rules ran with the waiver all the same).
     */
    static String roleUsing(String waiverId) {
        String roleId = Api.uid("role");
        ObjectNode role = Json.object().put("role_id", roleId).put("inherits", "worker");
        role.putObject("compute").put("speed_preset", "fast_approx")
                .putObject("approximate").put("allowed", true).put("waiver_ref", waiverId);
        Answer answer = api.put("/v1/roles/" + roleId, role);
        if (answer.status() == 422 && answer.json().path("detail").asText().contains("WAIVER_")) {
            return null;
        }
        assertThat(answer.status()).as("role using waiver %s: %s", waiverId, answer).isEqualTo(201);
        return roleId;
    }

    // ---- dynamic roles

    @Property(tries = 1000)
    void mutated_roles_are_stored_or_refused_and_refusals_store_nothing(
            @ForAll("roles") ObjectNode role, @ForAll("mutations") List<Mutation> mutations) {
        String id = Api.uid("role");
        role.put("role_id", id);
        boolean mutate = Math.floorMod(mutations.get(0).where(), 5) != 0; // a fifth go unchanged
        byte[] body = mutate ? Mutation.apply(role, mutations) : role.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        String before = api.newestEvent();

        Answer answer = api.send("PUT", "/v1/roles/" + id, "application/json", body);

        Api.wellFormed(answer);
        if (!mutate) {
            assertThat(answer.status()).as("a valid role is created: %s", answer).isEqualTo(201);
        }
        if (answer.ok()) {
            JsonNode stored = api.get("/v1/roles/" + id).json();
            assertThat(stored.path("role_id").asText()).isEqualTo(id);
            decisionReading(id, null, answer);
        } else {
            notStored(answer, "/v1/roles/" + id, before);
        }
        Statistics.label("status").collect(answer.status());
    }
}
