package org.execpolicy.pdp.ruletest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;
import org.execpolicy.pdp.engine.DecisionInputs;
import org.execpolicy.pdp.engine.DecisionPipeline;
import org.execpolicy.pdp.decision.DecisionService.RecordedDecision;
import org.execpolicy.pdp.engine.RuleEngine;
import org.execpolicy.pdp.json.TimeOrderedIds;

/**
 * One decision with no server and no database: the records the server would
 * commit, built by the same code, so that `decide` prints and `rules check`
 * compares exactly what POST /v1/decisions would answer.
 */
public final class OfflineDecision {
    private OfflineDecision() {
    }

    public static RecordedDecision decide(RuleEngine engine, JsonNode request, CaseFixtures fixtures, Instant now) {
        List<ObjectNode> records = new DecisionPipeline(engine).decide(fixtures.question(request, now))
                .records(TimeOrderedIds.next(), DecisionInputs.Snapshots.HASH_ONLY);
        return new RecordedDecision(records.get(0), records.subList(1, records.size()));
    }
}
