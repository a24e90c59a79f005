package org.execpolicy.pdp.recorder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.execpolicy.pdp.recorder.Records.T0;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.execpolicy.pdp.json.TimeOrderedIds;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A decision and its rule firings are stored as one unit (one row), the firings' shared text referenced,
 * and every record still comes back whole: by id, by decision, by type, paged, exported and verified.
 */
class DecisionUnitTest {
    static final String DIGEST = "d".repeat(64);
    static final List<RuleCatalog.RuleText> RULES = List.of(
            new RuleCatalog.RuleText("rule 1", "org.execpolicy.rules", "the first rule, described once"),
            new RuleCatalog.RuleText("rule 2", "org.execpolicy.rules", "the second rule, described once"),
            new RuleCatalog.RuleText("rule 3", "org.execpolicy.rules", "the third rule, described once"));

    @TempDir
    Path dataDir;
    Database db;
    FlightRecorder recorder;

    @BeforeEach
    void open() {
        db = Database.open(dataDir);
        recorder = new FlightRecorder(db, new RecordSchemas());
        recorder.ruleCatalog().register(DIGEST, RULES);
    }

    @AfterEach
    void close() {
        recorder.close();
        db.close();
    }

    /** A decision of the given id with a firing of each catalogued rule, as the decision pipeline builds it. */
    static List<ObjectNode> decision(String decisionId) {
        ObjectNode decision = Records.execPolicy(decisionId, "trace-" + decisionId, T0);
        String group = TimeOrderedIds.nextGroup();
        decision.put("event_id", group).put("ruleset_digest", DIGEST).put("policy_decision_id", decisionId);
        List<ObjectNode> records = new ArrayList<>(List.of(decision));
        for (int seq = 1; seq <= RULES.size(); seq++) {
            ObjectNode firing = Records.ruleFired(decisionId, seq, T0);
            firing.put("event_id", TimeOrderedIds.member(group, seq)).put("trace_id", "trace-" + decisionId)
                    .put("ruleset_digest", DIGEST).put("rule_description", RULES.get(seq - 1).description())
                    .put("policy_decision_id", decisionId);
            firing.putArray("matched").add("DecisionRequest{role=worker}").add("Effective{" + seq + "}");
            records.add(firing);
        }
        return records;
    }

    @Test
    void a_decision_and_its_firings_are_one_row_and_read_back_exactly() throws Exception {
        List<ObjectNode> records = decision("d-1");
        recorder.append(records).join();

        assertThat(rows()).isEqualTo(1);
        assertThat(unchained(recorder.eventsOfDecision("d-1"))).containsExactlyElementsOf(records);
        for (ObjectNode record : records) {
            assertThat(recorder.event(record.get("event_id").asText()).map(DecisionUnitTest::unchained))
                    .contains(record);
        }
        List<ObjectNode> firings = recorder.events(new EventQuery("policy_rule_fired", null, null, null, null, 10,
                null)).items();
        assertThat(firings).extracting(f -> f.get("seq").asInt()).containsExactly(3, 2, 1);
        assertThat(firings).extracting(f -> f.get("chain_seq").asLong()).containsExactly(4L, 3L, 2L);
        assertThat(recorder.verify().intact()).isTrue();
    }

    @Test
    void a_page_may_end_inside_a_unit_and_the_next_continues_there() {
        recorder.append(decision("d-1")).join();
        recorder.append(decision("d-2")).join();
        List<String> seen = new ArrayList<>();
        Long cursor = null;
        do {
            EventPage page = recorder.events(new EventQuery(null, null, null, null, null, 3, cursor));
            page.items().forEach(r -> seen.add(r.get("decision_id").asText() + "/" + r.path("seq").asText("-")));
            cursor = EventPage.decodeCursor(page.nextCursor());
        } while (cursor != null);
        assertThat(seen).containsExactly("d-2/3", "d-2/2", "d-2/1", "d-2/-", "d-1/3", "d-1/2", "d-1/1", "d-1/-");
    }

    @Test
    void a_firing_altered_inside_its_unit_is_caught_at_its_unit() throws Exception {
        recorder.append(decision("d-1")).join();
        recorder.append(decision("d-2")).join();
        assertThat(StoredText.rewrite(db, "decision_id = 'd-2'", text -> text.replace("Effective{2}", "Effective{9}")))
                .isEqualTo(1);
        ChainReport.Chain chain = recorder.verify().chains().get(0);
        assertThat(chain.firstBroken().seq()).as("the unit's first record").isEqualTo(5);
        assertThat(chain.firstBroken().reason()).contains("altered");
        assertThat(chain.recordsChecked()).isEqualTo(4);
    }

    @Test
    void a_firing_the_catalog_cannot_give_back_is_stored_as_a_record_of_its_own() throws Exception {
        List<ObjectNode> records = decision("d-1");
        records.get(2).put("rule_description", "not what the ruleset says");
        recorder.append(records).join();

        assertThat(rows()).as("decision with firing 1, firing 2 alone, firing 3 alone").isEqualTo(3);
        assertThat(unchained(recorder.eventsOfDecision("d-1"))).containsExactlyElementsOf(records);
        assertThat(recorder.verify().intact()).isTrue();
    }

    @Test
    void records_without_policy_decision_id_as_written_before_v2_still_read_back_exactly() throws Exception {
        List<ObjectNode> records = decision("d-1");
        records.forEach(record -> record.remove("policy_decision_id"));
        recorder.append(records).join();

        // nothing is derived onto a record that did not carry it: each is stored as it came
        assertThat(unchained(recorder.eventsOfDecision("d-1"))).containsExactlyElementsOf(records);
        assertThat(recorder.verify().intact()).isTrue();
    }

    @Test
    void a_firing_whose_policy_decision_id_is_not_its_decision_is_stored_as_it_came() throws Exception {
        List<ObjectNode> records = decision("d-1");
        records.get(2).put("policy_decision_id", "d-other");
        recorder.append(records).join();

        assertThat(rows()).as("decision with firing 1, firing 2 alone, firing 3 alone").isEqualTo(3);
        assertThat(unchained(recorder.eventsOfDecision("d-1"))).containsExactlyElementsOf(records);
        assertThat(recorder.verify().intact()).isTrue();
    }

    private long rows() throws Exception {
        try (Connection c = db.connection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM evidence")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static ObjectNode unchained(ObjectNode stored) {
        ObjectNode copy = stored.deepCopy();
        copy.remove(UnitCodec.CHAIN_MEMBERS);
        return copy;
    }

    private static List<ObjectNode> unchained(List<ObjectNode> stored) {
        return stored.stream().map(DecisionUnitTest::unchained).toList();
    }
}
