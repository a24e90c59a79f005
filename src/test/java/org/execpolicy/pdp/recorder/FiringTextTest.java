package org.execpolicy.pdp.recorder;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Random;
import org.execpolicy.pdp.json.CanonicalJson;
import org.execpolicy.pdp.json.Json;
import org.junit.jupiter.api.Test;

/** A folded firing's text, built from parts escaped once, is exactly its RFC 8785 text. */
class FiringTextTest {
    /** Characters JCS escapes or treats specially, and plain ones. */
    private static final String[] PIECES = {"a", "Z", "0", " ", "\"", "\\", "/", "\n", "\t", "\u0000", "\u001f",
        "\u007f", "é", "€", "\u2028", "😀", "ExecPolicy{\"mode\":\"layer_skip\"}", "…"};

    @Test
    void equals_the_canonical_text_of_the_record_for_any_text_values() {
        Random random = new Random(11);
        for (int n = 0; n < 2_000; n++) {
            FiringText text = new FiringText(); // per decision: values repeat across its firings
            String decisionId = text(random);
            String shared = text(random);
            for (int seq = 1; seq <= 4; seq++) {
                ObjectNode firing = firing(random, decisionId, shared, seq);
                assertThat(text.of(firing)).isEqualTo(CanonicalJson.canonicalize(firing));
            }
        }
    }

    @Test
    void covers_every_firing_member() {
        ObjectNode firing = firing(new Random(1), "d-1", "f", 1);
        assertThat(firing.properties()).hasSize(UnitCodec.FIRING_FIELDS.size());
        assertThat(new FiringText().of(firing)).isEqualTo(CanonicalJson.canonicalize(firing));
    }

    private static ObjectNode firing(Random random, String decisionId, String sharedFact, int seq) {
        ObjectNode firing = Json.object();
        // inserted in record order, not canonical order, as DecisionRecords builds them
        firing.put("event_id", text(random));
        firing.put("timestamp", "2025-01-01T00:00:00Z");
        firing.put("type", UnitCodec.FIRED);
        firing.put("actor", "system");
        firing.put("decision_id", decisionId);
        firing.put("policy_decision_id", decisionId);
        firing.put("trace_id", text(random));
        firing.put("seq", seq);
        firing.put("rule_name", text(random));
        firing.put("rule_package", text(random));
        firing.put("rule_description", text(random));
        firing.put("ruleset_digest", "a".repeat(64));
        ArrayNode matched = firing.putArray("matched");
        for (int i = random.nextInt(4); i > 0; i--) {
            matched.add(random.nextBoolean() ? sharedFact : text(random));
        }
        return firing;
    }

    private static String text(Random random) {
        StringBuilder text = new StringBuilder();
        for (int i = random.nextInt(8); i > 0; i--) {
            text.append(PIECES[random.nextInt(PIECES.length)]);
        }
        return text.toString();
    }
}
