package org.execpolicy.pdp.decision;

import org.execpolicy.pdp.engine.DecisionPipeline;
import org.execpolicy.pdp.engine.DecisionPipeline.Decided;
import org.execpolicy.pdp.engine.DecisionPipeline.Question;
import org.execpolicy.pdp.engine.RuleEngine;
import org.execpolicy.pdp.engine.Ruleset;
import org.execpolicy.pdp.execution.ExecutionService;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.execpolicy.pdp.json.Json;
import org.execpolicy.pdp.json.TimeOrderedIds;
import org.execpolicy.pdp.recorder.EvidenceStore;
import org.execpolicy.pdp.recorder.RegistryStore;

/**
 * The flow of one decision (DESIGN.md): assemble facts from the request and the
 * registry, evaluate the rules, record the decision and its firings, and hand
 * back the records once they are durable. Nothing is answered unrecorded.
 */
public final class DecisionService {
    private final RuleEngine engine;
    private final DecisionPipeline pipeline;
    private final RegistryStore registry;
    private final EvidenceStore recorder;
    private final Clock clock;

    public DecisionService(RuleEngine engine, RegistryStore registry, EvidenceStore recorder, Clock clock) {
        this.engine = engine;
        this.pipeline = new DecisionPipeline(engine);
        this.registry = registry;
        this.recorder = recorder;
        this.clock = clock;
    }

    /**
     * A decision as recorded: the `llm_exec_policy` record, its `policy_rule_fired` records in order,
     * and what the runtime did later (trace attached or missing, report, violations), oldest first.
     */
    public record RecordedDecision(ObjectNode decision, List<ObjectNode> firings, List<ObjectNode> execution) {
        public RecordedDecision(ObjectNode decision, List<ObjectNode> firings) {
            this(decision, firings, List.of());
        }
    }

    /**
     * @param request a request already validated against openapi.yaml
     * @throws UnknownProfileException when the request names a profile that does not exist
     * @return completes once every record is committed; fails with the recorder's exception otherwise
     */
    public CompletableFuture<RecordedDecision> decide(JsonNode request) {
        // announced, so that the writer gathers decisions made together into one batch
        try (EvidenceStore.Expected expected = recorder.expectAppend()) {
            return decideAndAppend(request);
        }
    }

    private CompletableFuture<RecordedDecision> decideAndAppend(JsonNode request) {
        // Microseconds: what the store keeps, so a record's timestamp is an exact since/until bound.
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        // the version recorded is the one of the entries the facts were made from (one registry state)
        long[] registryVersion = new long[1];
        Decided decided = registry.consistently(() -> {
            registryVersion[0] = registry.version();
            ProfileInForce profile = profileFor(request);
            // the registry's own trees, read only (RegistryStore.sharedProfile)
            JsonNode dynamicRole = registry.sharedRole(request.path("role").asText()).orElse(null);
            return pipeline.decide(new Question(request, profile.id(), profile.json(), dynamicRole,
                    registry::sharedWaiver, now));
        });
        // Snapshots are stored (insert if absent, cached) before the record that names them is appended.
        String decisionId = TimeOrderedIds.next();
        List<ObjectNode> records = decided.records(decisionId, recorder.replayStore()::putSnapshot);
        records.get(0).put("registry_version", registryVersion[0]);
        // the profile a decision used is immutable from then on: the store marks it with the first one
        String usedProfileId = decided.question().profile() == null ? null : decided.question().profileId();
        return registry.appendDecision(usedProfileId, decisionId, records)
                .thenApply(done -> new RecordedDecision(records.get(0), records.subList(1, records.size())));
    }

    /** The profile a decision uses and the id it records (an active id may name a profile since deleted). */
    private record ProfileInForce(String id, JsonNode json) {
    }

    /** The profile named in the request, which must exist, wins over the active one. */
    private ProfileInForce profileFor(JsonNode request) {
        String named = Json.textOrNull(request, "profile_id");
        if (named != null) {
            return new ProfileInForce(named,
                    registry.sharedProfile(named).orElseThrow(() -> new UnknownProfileException(named)));
        }
        String active = registry.activeProfileId().orElse(null);
        return new ProfileInForce(active, active == null ? null : registry.sharedProfile(active).orElse(null));
    }

    public Optional<RecordedDecision> find(String decisionId) {
        List<ObjectNode> records = recorder.eventsOfDecision(decisionId);
        // the decided llm_exec_policy is the decision; a report adds an executed one and its own firings,
        // which are execution records, never the decision or its firings (SPEC 4, v2)
        Optional<ObjectNode> decision = records.stream().filter(ExecutionService::isDecision).findFirst();
        return decision.map(d -> new RecordedDecision(d,
                records.stream().filter(ExecutionService::isDecisionFiring).toList(),
                records.stream().filter(ExecutionService::isExecutionRecord).toList()));
    }

    /** The retention checkpoint that purged this decision's records, if they were purged (SPEC 4, v2). */
    public Optional<ObjectNode> purgedBy(String decisionId) {
        return recorder.retentionCheckpointCovering(decisionId);
    }

    public Ruleset ruleset() {
        return engine.ruleset();
    }
}
