package org.execpolicy.pdp.recorder;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.execpolicy.pdp.json.Json;

/** The versions of each Work Profile (table profile_versions): appended on every save, never changed. */
final class ProfileHistory {
    private ProfileHistory() {
    }

    /** Appends the next version; writes are serialised by the registry store (across nodes: the registry_version row lock it takes first). */
    static void append(Connection c, String profileId, String hash, String body, String operator,
                       OffsetDateTime savedAt) throws SQLException {
        int version = 1;
        try (PreparedStatement last = c.prepareStatement(
                "SELECT MAX(version) FROM profile_versions WHERE profile_id = ?")) {
            last.setString(1, profileId);
            try (ResultSet rs = last.executeQuery()) {
                if (rs.next()) {
                    version = rs.getInt(1) + 1;
                }
            }
        }
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO profile_versions"
                + " (profile_id, version, profile_hash, body, operator, saved_at) VALUES (?, ?, ?, ?, ?, ?)")) {
            insert.setString(1, profileId);
            insert.setInt(2, version);
            insert.setString(3, hash);
            insert.setString(4, body);
            insert.setString(5, operator);
            insert.setObject(6, savedAt);
            insert.executeUpdate();
        }
    }

    static boolean isEmpty(Connection c, String profileId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM profile_versions WHERE profile_id = ?")) {
            ps.setString(1, profileId);
            ps.setMaxRows(1);
            try (ResultSet rs = ps.executeQuery()) {
                return !rs.next();
            }
        }
    }

    /** Newest first: {version, profile_hash, saved_at, operator, profile}. */
    static List<ObjectNode> of(Connection c, String profileId) throws SQLException {
        List<ObjectNode> versions = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT version, profile_hash, saved_at, operator, body"
                + " FROM profile_versions WHERE profile_id = ? ORDER BY version DESC")) {
            ps.setString(1, profileId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ObjectNode version = Json.object();
                    version.put("version", rs.getInt(1));
                    version.put("profile_hash", rs.getString(2));
                    version.put("saved_at", rs.getObject(3, OffsetDateTime.class)
                            .withOffsetSameInstant(ZoneOffset.UTC).toInstant().toString());
                    version.put("operator", rs.getString(4));
                    version.set("profile", RecordJson.read(rs.getString(5)));
                    versions.add(version);
                }
            }
        }
        return versions;
    }
}
