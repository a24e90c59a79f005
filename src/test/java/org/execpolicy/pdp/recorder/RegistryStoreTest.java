package org.execpolicy.pdp.recorder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RegistryStoreTest {

    @TempDir
    Path dataDir;
    private Database db;
    private RegistryStore store;

    @BeforeEach
    void open() {
        db = Database.open(dataDir);
        store = new RegistryStore(db);
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void putsAndGetsProfilesSortedById() {
        store.putProfile("zeta", profile("zeta", "Z"));
        store.putProfile("alpha", profile("alpha", "A"));
        store.putProfile("alpha", profile("alpha", "A2")); // replaces

        assertThat(store.profile("alpha")).contains(profile("alpha", "A2"));
        assertThat(store.profile("missing")).isEmpty();
        assertThat(store.profiles()).extracting(p -> p.get("name").asText()).containsExactly("A2", "Z");
    }

    @Test
    void activationIsExclusive() throws SQLException {
        store.putProfile("a", profile("a", "A"));
        store.putProfile("b", profile("b", "B"));
        assertThat(store.activeProfileId()).isEmpty();

        store.activate("a");
        store.activate("b");
        assertThat(store.activeProfileId()).contains("b");
        assertThat(activeRows()).isEqualTo(1);

        store.putProfile("b", profile("b", "B2")); // editing keeps it active
        assertThat(store.activeProfileId()).contains("b");
        assertThat(activeRows()).isEqualTo(1);

        assertThatThrownBy(() -> store.activate("nope")).isInstanceOf(NoSuchElementException.class);
        assertThat(store.activeProfileId()).contains("b");
        assertThat(activeRows()).isEqualTo(1); // the failed activation was rolled back
    }

    @Test
    void storesRolesAndWaivers() {
        ObjectNode role = Records.MAPPER.createObjectNode().put("role_id", "reviewer").put("inherits", "validator");
        store.putRole("reviewer", role);
        ObjectNode waiver = Records.MAPPER.createObjectNode().put("waiver_id", "W-1").put("check_waived", "approximate_execution");
        store.putWaiver("W-1", waiver);
        store.putWaiver("W-1", waiver.deepCopy().put("revoked_at", "2025-02-01T00:00:00Z"));

        assertThat(store.role("reviewer")).contains(role);
        assertThat(store.roles()).containsExactly(role);
        assertThat(store.waiver("W-1").orElseThrow().get("revoked_at").asText()).isEqualTo("2025-02-01T00:00:00Z");
        assertThat(store.waivers()).hasSize(1);
        assertThat(store.role("other")).isEmpty();
    }

    @Test
    void cachedBodiesCannotBeChangedFromOutside() {
        ObjectNode body = profile("a", "A");
        store.putProfile("a", body);
        body.put("name", "changed after put");
        store.profile("a").orElseThrow().put("name", "changed after get");
        assertThat(store.profile("a").orElseThrow().get("name").asText()).isEqualTo("A");
    }

    @Test
    void reloadsEverythingFromTheDatabaseAfterReopening() {
        store.putProfile("a", profile("a", "A"));
        store.putProfile("b", profile("b", "B"));
        store.activate("b");
        store.putRole("reviewer", Records.MAPPER.createObjectNode().put("inherits", "validator"));
        store.putWaiver("W-1", Records.MAPPER.createObjectNode().put("justification", "bench"));
        db.close();

        db = Database.open(dataDir);
        RegistryStore reloaded = new RegistryStore(db);
        assertThat(reloaded.profiles()).containsExactly(profile("a", "A"), profile("b", "B"));
        assertThat(reloaded.activeProfileId()).contains("b");
        assertThat(reloaded.role("reviewer")).isPresent();
        assertThat(reloaded.waiver("W-1")).isPresent();
    }

    @Test
    void rejectsIdsTheTableCannotHold() {
        assertThatThrownBy(() -> store.putRole("", Records.MAPPER.createObjectNode()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.putRole("r".repeat(257), Records.MAPPER.createObjectNode()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static ObjectNode profile(String id, String name) {
        ObjectNode p = Records.MAPPER.createObjectNode();
        p.put("schema_version", "hsk.work_profile@0.6").put("profile_id", id).put("name", name);
        return p;
    }

    private long activeRows() throws SQLException {
        try (Connection c = db.connection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM profiles WHERE active = TRUE")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
