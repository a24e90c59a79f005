package org.execpolicy.pdp.recorder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatabaseTest {

    @TempDir
    Path tempDir;

    @Test
    void creates_the_data_directory_and_migrates_once_across_reopens() throws Exception {
        long shipped = 0;
        for (String location : new String[] {"migration", "h2"}) { // shared, and H2's own
            try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(Path.of("src/main/resources/db", location))) {
                shipped += files.filter(f -> f.getFileName().toString().matches("V\\d+__.*\\.sql")).count();
            }
        }
        Path dataDir = tempDir.resolve("nested/data");
        Database.open(dataDir).close();
        assertThat(dataDir.resolve("pdp.mv.db")).exists();

        try (Database db = Database.open(dataDir);
             Connection c = db.connection();
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT COUNT(*), COUNT(DISTINCT \"version\") FROM \"flyway_schema_history\""
                     + " WHERE \"type\" = 'SQL' AND \"success\"")) {
            rs.next();
            // every shipped migration (V1 the store, V2 registry version, V3 signed checkpoints, V6 trace
            // artifacts, ...), each applied once
            assertThat(shipped).isGreaterThanOrEqualTo(4);
            assertThat(rs.getInt(2)).as("migrations applied").isEqualTo((int) shipped);
            assertThat(rs.getInt(1)).as("each migration applied once").isEqualTo((int) shipped);
        }
    }

    @Test
    void the_evidence_seq_of_an_h2_store_is_cached_in_large_blocks() throws Exception {
        // H2's default of 32 made every 32nd evidence row commit the sequence's margin in a chunk of its own
        try (Database db = Database.open(tempDir);
             Connection c = db.connection();
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT IDENTITY_CACHE FROM INFORMATION_SCHEMA.COLUMNS"
                     + " WHERE TABLE_NAME = 'EVIDENCE' AND COLUMN_NAME = 'SEQ'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getLong(1)).isGreaterThanOrEqualTo(100_000);
        }
    }

    @Test
    void refuses_connections_after_close() {
        Database db = Database.open(tempDir);
        db.close();
        db.close(); // idempotent
        assertThatThrownBy(db::connection).isInstanceOf(SQLException.class);
    }
}
