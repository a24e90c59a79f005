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
    void createsTheDataDirectoryAndMigratesOnceAcrossReopens() throws SQLException {
        Path dataDir = tempDir.resolve("nested/data");
        Database.open(dataDir).close();
        assertThat(dataDir.resolve("pdp.mv.db")).exists();

        try (Database db = Database.open(dataDir);
             Connection c = db.connection();
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT COUNT(*), COUNT(DISTINCT \"version\") FROM \"flyway_schema_history\""
                     + " WHERE \"type\" = 'SQL' AND \"success\"")) {
            rs.next();
            // V1 (the store), V2 (registry version), V3 (signed checkpoints), V5 (profiles used), each applied once
            assertThat(rs.getInt(2)).as("migrations applied").isEqualTo(4);
            assertThat(rs.getInt(1)).as("each migration applied once").isEqualTo(4);
        }
    }

    @Test
    void refusesConnectionsAfterClose() {
        Database db = Database.open(tempDir);
        db.close();
        db.close(); // idempotent
        assertThatThrownBy(db::connection).isInstanceOf(SQLException.class);
    }
}
