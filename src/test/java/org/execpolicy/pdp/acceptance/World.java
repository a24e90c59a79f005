package org.execpolicy.pdp.acceptance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cucumber.java.Before;
import java.util.List;
import java.util.UUID;
import org.execpolicy.pdp.support.RunningPdp.Reply;

/**
 * What one scenario has done so far. Step classes are created afresh for each
 * scenario and Cucumber has no shared container here, so the state lives in
 * this holder and is reset before every scenario (scenarios run one at a time).
 *
 * <p>The names a scenario uses ("p1", "w1", "summarizer") are its own: each is
 * turned into an id unique to the scenario, so that waivers (never replaced)
 * and profiles of one scenario never meet another's. Core role names stay as they are.
 */
public final class World {
    static final List<String> CORE_ROLES = List.of("frontend", "orchestrator", "worker", "validator");

    private static String scenarioToken;
    /** The work profile this scenario made active, as last saved. */
    static ObjectNode profile;
    /** The last HTTP answer. */
    static Reply reply;
    /** The last request sent to POST /v1/decisions and the decision answered (null when refused). */
    static ObjectNode decisionRequest;
    static JsonNode decision;
    /** The decision answered before the last one, when a scenario asks twice. */
    static JsonNode previousDecision;
    /** The llm_exec_policy record of the last decision, once read from the Flight Recorder. */
    static JsonNode record;
    /** The SHA-256 of the last trace the runtime uploaded, as it computed it. */
    static String uploadedTraceSha256;
    /** The token records (lines after the header) of the last trace the runtime uploaded. */
    static Integer uploadedTraceTokens;

    @Before(order = 0)
    public void newScenario() {
        scenarioToken = UUID.randomUUID().toString().substring(0, 8);
        profile = null;
        reply = null;
        decisionRequest = null;
        decision = null;
        previousDecision = null;
        record = null;
        uploadedTraceSha256 = null;
        uploadedTraceTokens = null;
    }

    /** The id this scenario uses for a name it mentions. */
    static String id(String name) {
        return name + "-" + scenarioToken;
    }

    /** A role as sent to the PDP: core roles as they are, any other name made unique. */
    static String role(String name) {
        return CORE_ROLES.contains(name) ? name : id(name);
    }

    static String decisionId() {
        if (decision == null) {
            throw new AssertionError("no decision was answered; last reply: " + reply);
        }
        return decision.path("decision_id").asText();
    }
}
