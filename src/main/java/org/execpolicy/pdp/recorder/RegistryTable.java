package org.execpolicy.pdp.recorder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * One registry table (id, JSON body, updated_at) and its in-memory copy.
 * Callers write the row inside their transaction and update the copy only
 * after the commit; readers get deep copies so they cannot change the cache.
 */
final class RegistryTable {

    static final int MAX_ID_LENGTH = 256;

    private final String table;
    private final String idColumn;
    private final ConcurrentSkipListMap<String, ObjectNode> cache = new ConcurrentSkipListMap<>();

    RegistryTable(String table, String idColumn) {
        this.table = table;
        this.idColumn = idColumn;
    }

    void load(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + idColumn + ", body FROM " + table);
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                cache.put(rs.getString(1), RecordJson.read(rs.getString(2)));
            }
        }
    }

    /** Update-then-insert: portable between H2 and PostgreSQL, and writes are serialised by the store (across nodes: the registry_version row lock). */
    void upsert(Connection c, String id, String body, OffsetDateTime now) throws SQLException {
        try (PreparedStatement update = c.prepareStatement(
                "UPDATE " + table + " SET body = ?, updated_at = ? WHERE " + idColumn + " = ?")) {
            update.setString(1, body);
            update.setObject(2, now);
            update.setString(3, id);
            if (update.executeUpdate() == 1) {
                return;
            }
        }
        try (PreparedStatement insert = c.prepareStatement(
                "INSERT INTO " + table + " (" + idColumn + ", body, updated_at) VALUES (?, ?, ?)")) {
            insert.setString(1, id);
            insert.setString(2, body);
            insert.setObject(3, now);
            insert.executeUpdate();
        }
    }

    /** The entry as stored now, read inside the caller's transaction (not the cache). */
    Optional<ObjectNode> stored(Connection c, String id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT body FROM " + table + " WHERE " + idColumn + " = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(RecordJson.read(rs.getString(1))) : Optional.empty();
            }
        }
    }

    /** The table's name, for messages. */
    String name() {
        return table;
    }

    /** Call after the commit succeeded; {@code body} must be the caller's private copy. */
    void cache(String id, ObjectNode body) {
        cache.put(id, body);
    }

    boolean contains(String id) {
        return cache.containsKey(id);
    }

    Optional<ObjectNode> get(String id) {
        ObjectNode body = cache.get(id);
        return body == null ? Optional.empty() : Optional.of(body.deepCopy());
    }

    /**
     * The cached entry itself, for a reader that never changes it. {@link #cache} replaces an entry
     * whole, never in place, so the tree stays what it was when read.
     */
    Optional<JsonNode> shared(String id) {
        return Optional.ofNullable(cache.get(id));
    }

    /** The stored ids, sorted (a read-only view: no entry is copied). */
    Set<String> ids() {
        return Collections.unmodifiableSet(cache.keySet());
    }

    /** Sorted by id. */
    List<ObjectNode> all() {
        return cache.values().stream().map(ObjectNode::deepCopy).toList();
    }

    static void checkId(String id) {
        if (id == null || id.isEmpty() || id.length() > MAX_ID_LENGTH) {
            throw new IllegalArgumentException("id must be 1.." + MAX_ID_LENGTH + " characters");
        }
    }
}
