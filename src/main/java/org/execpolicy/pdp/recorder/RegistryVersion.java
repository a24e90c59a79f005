package org.execpolicy.pdp.recorder;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/** The one-row registry_version table: read it, or move it on inside a registry change's transaction. */
final class RegistryVersion {
    private RegistryVersion() {
    }

    static long read(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT version FROM registry_version WHERE id = 1");
             ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                throw new SQLException("registry_version has no row: the store was not migrated by this build");
            }
            return rs.getLong(1);
        }
    }

    /**
     * Increments the version and answers the new one. The UPDATE locks the row until the transaction
     * ends, so concurrent changes from several nodes get distinct, ordered versions.
     */
    static long bump(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE registry_version SET version = version + 1 WHERE id = 1")) {
            ps.executeUpdate();
        }
        return read(c);
    }
}
