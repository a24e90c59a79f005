package org.execpolicy.pdp.recorder;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;

/**
 * Work Profiles, dynamic roles and waivers, stored in the database as JSON
 * text with a write-through in-memory copy: decisions read memory only.
 * Writes are serialised, committed before they return, and reach the copy
 * only after the commit, so a reader never sees what the store does not hold.
 * Bodies are stored as given; validating them is the caller's job.
 */
public final class RegistryStore {

    private final Database db;
    private final Clock clock;
    private final RegistryTable profiles = new RegistryTable("profiles", "profile_id");
    private final RegistryTable roles = new RegistryTable("roles", "role_id");
    private final RegistryTable waivers = new RegistryTable("waivers", "waiver_id");
    private volatile String activeProfileId;

    public RegistryStore(Database db) {
        this(db, Clock.systemUTC());
    }

    /** Loads every row into memory. */
    public RegistryStore(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
        transaction(c -> {
            profiles.load(c);
            roles.load(c);
            waivers.load(c);
            activeProfileId = loadActiveProfileId(c);
        });
    }

    public synchronized void putProfile(String id, ObjectNode body) {
        put(profiles, id, body);
    }

    public Optional<ObjectNode> profile(String id) {
        return profiles.get(id);
    }

    /** Sorted by profile id. */
    public List<ObjectNode> profiles() {
        return profiles.all();
    }

    /**
     * Makes {@code id} the one active profile, in one transaction.
     *
     * @throws NoSuchElementException if no such profile is stored
     */
    public synchronized void activate(String id) {
        transaction(c -> {
            OffsetDateTime now = now();
            try (PreparedStatement others = c.prepareStatement(
                    "UPDATE profiles SET active = FALSE, updated_at = ? WHERE active = TRUE AND profile_id <> ?");
                 PreparedStatement chosen = c.prepareStatement(
                    "UPDATE profiles SET active = TRUE, updated_at = ? WHERE profile_id = ?")) {
                others.setObject(1, now);
                others.setString(2, id);
                others.executeUpdate();
                chosen.setObject(1, now);
                chosen.setString(2, id);
                if (chosen.executeUpdate() != 1) {
                    throw new NoSuchElementException("no profile '" + id + "'");
                }
            }
        });
        activeProfileId = id;
    }

    public Optional<String> activeProfileId() {
        return Optional.ofNullable(activeProfileId);
    }

    public synchronized void putRole(String id, ObjectNode body) {
        put(roles, id, body);
    }

    public Optional<ObjectNode> role(String id) {
        return roles.get(id);
    }

    /** Sorted by role id. */
    public List<ObjectNode> roles() {
        return roles.all();
    }

    /** Waivers are never deleted; revoking one is a put with {@code revoked_at} set. */
    public synchronized void putWaiver(String id, ObjectNode body) {
        put(waivers, id, body);
    }

    public Optional<ObjectNode> waiver(String id) {
        return waivers.get(id);
    }

    /** Sorted by waiver id. */
    public List<ObjectNode> waivers() {
        return waivers.all();
    }

    private void put(RegistryTable table, String id, ObjectNode body) {
        RegistryTable.checkId(id);
        ObjectNode copy = body.deepCopy(); // the caller may keep changing its node
        String text = RecordJson.write(copy);
        transaction(c -> table.upsert(c, id, text, now()));
        table.cache(id, copy);
    }

    private static String loadActiveProfileId(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT profile_id FROM profiles WHERE active = TRUE ORDER BY profile_id");
             ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    private OffsetDateTime now() {
        return OffsetDateTime.now(clock);
    }

    private interface SqlWork {
        void run(Connection c) throws SQLException;
    }

    private void transaction(SqlWork work) {
        try (Connection c = db.connection()) {
            c.setAutoCommit(false);
            try {
                work.run(c);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                try {
                    c.rollback();
                } catch (SQLException rollbackFailure) {
                    e.addSuppressed(rollbackFailure);
                }
                throw e;
            }
        } catch (SQLException e) {
            throw new RecorderUnavailableException("registry store failed: " + e.getMessage(), e);
        }
    }
}
