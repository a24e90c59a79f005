package org.execpolicy.pdp.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The one way from a question to a decision, for every caller: the server ({@code DecisionService}),
 * {@code decide} and {@code rules check}, {@code replay}, the warm-up, and the save-time waiver check.
 * Facts are assembled from the request and the registry entries in force, the serving rules are
 * evaluated, and the decision's records are built from both. Pure: the callers bring the entries,
 * the time, the ids, and where registry snapshots go.
 */
public final class DecisionPipeline {
    private final RuleEngine engine;

    public DecisionPipeline(RuleEngine engine) {
        this.engine = engine;
    }

    /**
     * What a decision is made from.
     *
     * @param profileId   the profile in force as the decision records it (null: none)
     * @param profile     that profile's body (null: none, or an active id whose profile is gone)
     * @param dynamicRole the dynamic role registered under the request's role, or null
     * @param waivers     the stored waivers by id
     */
    public record Question(JsonNode request, String profileId, JsonNode profile, JsonNode dynamicRole,
                           Function<String, Optional<? extends JsonNode>> waivers, Instant now) {
    }

    /** The facts a question became and what the rules concluded from them. */
    public record Decided(Question question, Facts facts, Evaluation evaluation) {

        /** The decision's records: its llm_exec_policy first, then one policy_rule_fired per firing. */
        public List<ObjectNode> records(String decisionId, DecisionInputs.Snapshots snapshots) {
            return DecisionRecords.of(decisionId, facts, question.profileId(), evaluation, snapshots);
        }
    }

    public Decided decide(Question question) {
        Facts facts = FactAssembler.assemble(question.request(), question.profile(), question.dynamicRole(),
                question.waivers(), question.now());
        return new Decided(question, facts, engine.evaluate(facts));
    }
}
