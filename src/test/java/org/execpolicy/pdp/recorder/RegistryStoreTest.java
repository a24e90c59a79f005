package org.execpolicy.pdp.recorder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.NoSuchElementException;
import org.execpolicy.pdp.registry.RegistryChangeRecords;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RegistryStoreTest {

    @TempDir
    Path dataDir;
    private static final RegistryStore.ChangeRecords UNRECORDED = before -> List.of();
    private Database db;
    private FlightRecorder recorder;
    private RegistryStore store;

    @BeforeEach
    void open() {
        db = Database.open(dataDir);
        recorder = new FlightRecorder(db, new RecordSchemas());
        store = new RegistryStore(db, recorder);
    }

    @AfterEach
    void close() {
        recorder.close();
        db.close();
    }

    @Test
    void a_change_and_its_record_are_committed_together() {
        ObjectNode v1 = profile("a", "A");
        store.putProfile("a", v1, "alice", before -> List.of(
                RegistryChangeRecords.profileChanged("a", before, v1, "alice", Instant.now())));
        ObjectNode v2 = profile("a", "A2");
        store.putProfile("a", v2, "bob", before -> List.of(
                RegistryChangeRecords.profileChanged("a", before, v2, "bob", Instant.now())));

        List<ObjectNode> changes = recorder.events(new EventQuery("work_profile_changed", null, null, null, null, 10, null))
                .items();
        assertThat(changes).extracting(r -> r.get("operator").asText()).containsExactly("bob", "alice");
        assertThat(changes.get(0).get("changed_paths").toString()).isEqualTo("[\"/name\"]");
        assertThat(changes.get(0).get("before_hash").asText()).isEqualTo(changes.get(1).get("after_hash").asText());
        assertThat(changes.get(1).get("before_hash").isNull()).isTrue();

        List<ObjectNode> history = store.profileHistory("a");
        assertThat(history).extracting(v -> v.get("version").asInt()).containsExactly(2, 1);
        assertThat(history).extracting(v -> v.get("operator").asText()).containsExactly("bob", "alice");
        assertThat(history.get(0).get("profile")).isEqualTo(v2);
        assertThat(history.get(0).get("profile_hash").asText()).isEqualTo(changes.get(0).get("after_hash").asText());
    }

    @Test
    void only_the_first_decision_a_node_makes_with_a_profile_writes_the_used_mark() throws SQLException {
        store.putProfile("a", profile("a", "A"), "alice", UNRECORDED);

        store.appendDecision("a", "d-1", List.of()).join();
        assertThat(usedMark("a")).isEqualTo("d-1");
        assertThat(store.usedAsKnown("a")).isTrue();
        clearUsedMark("a");
        store.appendDecision("a", "d-2", List.of()).join();

        assertThat(usedMark("a")).as("the node knew: the second decision wrote no mark").isNull();
        RegistryStore otherNode = new RegistryStore(db, recorder);
        otherNode.appendDecision("a", "d-3", List.of()).join();
        assertThat(usedMark("a")).as("a node that did not know marks it once").isEqualTo("d-3");
    }

    @Test
    void a_put_of_a_profile_another_node_used_is_refused_in_its_transaction_and_the_store_stays_healthy() throws SQLException {
        ObjectNode v1 = profile("a", "A");
        store.putProfile("a", v1, "alice", UNRECORDED);
        new RegistryStore(db, recorder).appendDecision("a", "d-1", List.of()).join();
        assertThat(store.usedAsKnown("a")).as("this node has not seen the mark").isFalse();

        assertThatThrownBy(() -> store.putProfile("a", profile("a", "A2"), "bob", UNRECORDED))
                .isInstanceOf(ProfileUsedException.class).hasMessageContaining("d-1")
                .hasMessageContaining("new profile_id");

        assertThat(store.profile("a")).contains(v1);
        assertThat(store.profileHistory("a")).hasSize(1);
        assertThat(new RegistryStore(db, recorder).profile("a")).contains(v1);
        assertThat(recorder.healthy()).isTrue();
        assertThat(store.usedAsKnown("a")).isTrue();
        store.activate("a", UNRECORDED); // activation is not a change
        assertThat(store.activeProfileId()).contains("a");
    }

    @Test
    void a_profile_stored_before_histories_were_kept_starts_its_history_at_the_next_start() throws SQLException {
        ObjectNode old = profile("old", "Old");
        try (Connection c = db.connection(); Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO profiles (profile_id, body, active, updated_at) VALUES ('old', '"
                    + old + "', FALSE, CURRENT_TIMESTAMP)");
        }

        List<ObjectNode> history = new RegistryStore(db, recorder).profileHistory("old");

        assertThat(history).hasSize(1);
        assertThat(history.get(0).get("profile")).isEqualTo(old);
        assertThat(history.get(0).get("operator").isNull()).isTrue();
        assertThat(new RegistryStore(db, recorder).profileHistory("old")).hasSize(1); // once only
    }

    @Test
    void a_change_whose_record_is_refused_is_not_stored() {
        ObjectNode invalid = Records.MAPPER.createObjectNode().put("type", "work_profile_changed"); // no envelope
        assertThatThrownBy(() -> store.putProfile("a", profile("a", "A"), "alice", before -> List.of(invalid)))
                .isInstanceOf(RecordRejectedException.class);
        assertThat(store.profile("a")).isEmpty();
        assertThat(store.profileHistory("a")).isEmpty();
        assertThat(new RegistryStore(db, recorder).profile("a")).isEmpty(); // read from the table
    }

    @Test
    void puts_and_gets_profiles_sorted_by_id() {
        store.putProfile("zeta", profile("zeta", "Z"), "alice", UNRECORDED);
        store.putProfile("alpha", profile("alpha", "A"), "alice", UNRECORDED);
        store.putProfile("alpha", profile("alpha", "A2"), "alice", UNRECORDED); // replaces

        assertThat(store.profile("alpha")).contains(profile("alpha", "A2"));
        assertThat(store.profile("missing")).isEmpty();
        assertThat(store.profiles()).extracting(p -> p.get("name").asText()).containsExactly("A2", "Z");
    }

    @Test
    void activation_is_exclusive() throws SQLException {
        store.putProfile("a", profile("a", "A"), "alice", UNRECORDED);
        store.putProfile("b", profile("b", "B"), "alice", UNRECORDED);
        assertThat(store.activeProfileId()).isEmpty();

        store.activate("a", UNRECORDED);
        store.activate("b", UNRECORDED);
        assertThat(store.activeProfileId()).contains("b");
        assertThat(activeRows()).isEqualTo(1);

        store.putProfile("b", profile("b", "B2"), "alice", UNRECORDED); // editing keeps it active
        assertThat(store.activeProfileId()).contains("b");
        assertThat(activeRows()).isEqualTo(1);

        assertThatThrownBy(() -> store.activate("nope", UNRECORDED)).isInstanceOf(NoSuchElementException.class);
        assertThat(store.activeProfileId()).contains("b");
        assertThat(activeRows()).isEqualTo(1); // the failed activation was rolled back
    }

    @Test
    void stores_roles_and_waivers() {
        ObjectNode role = Records.MAPPER.createObjectNode().put("role_id", "reviewer").put("inherits", "validator");
        store.putRole("reviewer", role, UNRECORDED);
        ObjectNode waiver = Records.MAPPER.createObjectNode().put("waiver_id", "W-1").put("check_waived", "approximate_execution");
        store.putWaiver("W-1", waiver, UNRECORDED);
        store.putWaiver("W-1", waiver.deepCopy().put("revoked_at", "2025-02-01T00:00:00Z"), UNRECORDED);

        assertThat(store.role("reviewer")).contains(role);
        assertThat(store.roles()).containsExactly(role);
        assertThat(store.waiver("W-1").orElseThrow().get("revoked_at").asText()).isEqualTo("2025-02-01T00:00:00Z");
        assertThat(store.waivers()).hasSize(1);
        assertThat(store.role("other")).isEmpty();
    }

    @Test
    void cached_bodies_cannot_be_changed_from_outside() {
        ObjectNode body = profile("a", "A");
        store.putProfile("a", body, "alice", UNRECORDED);
        body.put("name", "changed after put");
        store.profile("a").orElseThrow().put("name", "changed after get");
        assertThat(store.profile("a").orElseThrow().get("name").asText()).isEqualTo("A");
    }

    @Test
    void reloads_everything_from_the_database_after_reopening() {
        store.putProfile("a", profile("a", "A"), "alice", UNRECORDED);
        store.putProfile("b", profile("b", "B"), "alice", UNRECORDED);
        store.activate("b", UNRECORDED);
        store.putRole("reviewer", Records.MAPPER.createObjectNode().put("inherits", "validator"), UNRECORDED);
        store.putWaiver("W-1", Records.MAPPER.createObjectNode().put("justification", "bench"), UNRECORDED);
        recorder.close();
        db.close();

        db = Database.open(dataDir);
        recorder = new FlightRecorder(db, new RecordSchemas());
        RegistryStore reloaded = new RegistryStore(db, recorder);
        assertThat(reloaded.profiles()).containsExactly(profile("a", "A"), profile("b", "B"));
        assertThat(reloaded.activeProfileId()).contains("b");
        assertThat(reloaded.role("reviewer")).isPresent();
        assertThat(reloaded.waiver("W-1")).isPresent();
    }

    @Test
    void rejects_ids_the_table_cannot_hold() {
        assertThatThrownBy(() -> store.putRole("", Records.MAPPER.createObjectNode(), UNRECORDED))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.putRole("r".repeat(257), Records.MAPPER.createObjectNode(), UNRECORDED))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static ObjectNode profile(String id, String name) {
        ObjectNode p = Records.MAPPER.createObjectNode();
        p.put("schema_version", "hsk.work_profile@0.6").put("profile_id", id).put("name", name);
        p.putObject("governance").put("automation_level", "HYBRID").put("allow_cloud_escalation", false);
        return p;
    }

    /** The first_decision_id of the profile's used mark, null when unmarked. */
    private String usedMark(String id) throws SQLException {
        try (Connection c = db.connection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT used_at, first_decision_id FROM profiles WHERE profile_id = '"
                     + id + "'")) {
            assertThat(rs.next()).isTrue();
            return rs.getObject(1) == null ? null : rs.getString(2);
        }
    }

    private void clearUsedMark(String id) throws SQLException {
        try (Connection c = db.connection(); Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE profiles SET used_at = NULL, first_decision_id = NULL WHERE profile_id = '" + id + "'");
        }
    }

    private long activeRows() throws SQLException {
        try (Connection c = db.connection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM profiles WHERE active = TRUE")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
