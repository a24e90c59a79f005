package org.execpolicy.pdp.recorder;

import org.execpolicy.pdp.json.Sha256;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Clock;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.execpolicy.pdp.json.CanonicalJson;
import org.execpolicy.pdp.json.IdentityMemo;

/**
 * What a decision needs to be replayed, content-addressed (V3 migration): the
 * registry snapshots its `inputs` name by SHA-256, and the DRL files of each
 * ruleset that served, by digest. Rows are inserted if absent, never changed.
 * <p>
 * The decision path calls {@link #putSnapshot} for each snapshot: a snapshot
 * already stored (by this process) is answered from memory, keyed by JSON
 * identity (the registry's own trees), else by JSON equality, so a profile that
 * does not change costs one identity lookup per decision, no canonicalization,
 * no SHA-256 and no SQL.
 */
public final class ReplayStore {
    /** One DRL file: its name and exact bytes. */
    public record SourceFile(String name, byte[] bytes) {
    }

    /** Bound of the in-memory snapshot cache; beyond it, it starts over (snapshots are still stored). */
    static final int MAX_CACHED_SNAPSHOTS = 4096;
    private static final String UNIQUE_VIOLATION = "23505"; // H2 and PostgreSQL alike

    private final Database db;
    private final Clock clock;
    /** Snapshots known to be stored, by content (JsonNode equality), with their SHA-256. */
    private final ConcurrentHashMap<JsonNode, String> storedSnapshots = new ConcurrentHashMap<>();
    /** The same, by the tree's identity: an equality lookup hashes the whole tree every decision. */
    private final IdentityMemo<String> storedTrees = new IdentityMemo<>(MAX_CACHED_SNAPSHOTS);
    private final Set<String> storedRulesets = ConcurrentHashMap.newKeySet();

    public ReplayStore(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    /**
     * Stores the snapshot if absent and answers the SHA-256 of its RFC 8785 JSON. The caller must
     * not change {@code body} afterwards (it may be kept as a cache key).
     *
     * @throws RecorderUnavailableException when it cannot be stored (the decision must then fail closed)
     */
    public String putSnapshot(String kind, JsonNode body) {
        // the decision path passes the registry's own trees (RegistryStore.sharedProfile): known by identity
        return storedTrees.get(body, tree -> putSnapshotByContent(kind, tree));
    }

    private String putSnapshotByContent(String kind, JsonNode body) {
        String known = storedSnapshots.get(body);
        if (known != null) {
            return known;
        }
        String canonical = CanonicalJson.canonicalize(body);
        String sha256 = Sha256.hex(canonical.getBytes(StandardCharsets.UTF_8));
        try (Connection c = db.connection()) {
            if (!exists(c, "SELECT 1 FROM input_snapshots WHERE sha256 = ?", sha256)) {
                try (PreparedStatement insert = c.prepareStatement(
                        "INSERT INTO input_snapshots (sha256, kind, body, created_at) VALUES (?, ?, ?, ?)")) {
                    insert.setString(1, sha256);
                    insert.setString(2, kind);
                    insert.setString(3, canonical);
                    insert.setObject(4, OffsetDateTime.now(clock));
                    insert.executeUpdate();
                    db.sync(c); // decisions name this snapshot from now on
                } catch (SQLException e) {
                    if (!UNIQUE_VIOLATION.equals(e.getSQLState())) { // else stored meanwhile by another writer
                        throw e;
                    }
                }
            }
        } catch (SQLException e) {
            throw new RecorderUnavailableException("cannot store an input snapshot: " + e.getMessage(), e);
        }
        if (storedSnapshots.size() >= MAX_CACHED_SNAPSHOTS) {
            storedSnapshots.clear();
        }
        storedSnapshots.put(body, sha256);
        return sha256;
    }

    /** A stored snapshot's canonical JSON text. */
    public Optional<String> snapshot(String sha256) {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(
                "SELECT body FROM input_snapshots WHERE sha256 = ?")) {
            ps.setString(1, sha256);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new RecorderUnavailableException("cannot read an input snapshot: " + e.getMessage(), e);
        }
    }

    /** Stores the files of a ruleset under its digest, unless that digest is stored already. */
    public void putRuleset(String digest, List<SourceFile> files) {
        if (storedRulesets.contains(digest)) {
            return;
        }
        try (Connection c = db.connection()) {
            c.setAutoCommit(false);
            try {
                if (!exists(c, "SELECT 1 FROM ruleset_sources WHERE digest = ?", digest)) {
                    insertFiles(c, digest, files);
                }
                c.commit();
                db.sync(c);
            } catch (SQLException e) {
                c.rollback();
                if (!UNIQUE_VIOLATION.equals(e.getSQLState())) {
                    throw e;
                }
            }
        } catch (SQLException e) {
            throw new RecorderUnavailableException("cannot store the ruleset sources: " + e.getMessage(), e);
        }
        storedRulesets.add(digest);
    }

    /** The files of the ruleset of that digest, in digest order; empty when it was never stored. */
    public Optional<List<SourceFile>> ruleset(String digest) {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(
                "SELECT file_name, encoding, content FROM ruleset_sources WHERE digest = ? ORDER BY seq")) {
            ps.setString(1, digest);
            List<SourceFile> files = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    byte[] bytes = "base64".equals(rs.getString(2))
                            ? Base64.getDecoder().decode(rs.getString(3))
                            : rs.getString(3).getBytes(StandardCharsets.UTF_8);
                    files.add(new SourceFile(rs.getString(1), bytes));
                }
            }
            return files.isEmpty() ? Optional.empty() : Optional.of(files);
        } catch (SQLException e) {
            throw new RecorderUnavailableException("cannot read the ruleset sources: " + e.getMessage(), e);
        }
    }

    private void insertFiles(Connection c, String digest, List<SourceFile> files) throws SQLException {
        OffsetDateTime now = OffsetDateTime.now(clock);
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO ruleset_sources"
                + " (digest, seq, file_name, sha256, encoding, content, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            int seq = 1;
            for (SourceFile file : files) {
                String text = utf8Text(file.bytes());
                insert.setString(1, digest);
                insert.setInt(2, seq++);
                insert.setString(3, file.name());
                insert.setString(4, Sha256.hex(file.bytes()));
                insert.setString(5, text == null ? "base64" : "utf-8");
                insert.setString(6, text == null ? Base64.getEncoder().encodeToString(file.bytes()) : text);
                insert.setObject(7, now);
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    /** The bytes as text when they are valid UTF-8 without NUL (PostgreSQL text cannot hold NUL); else null. */
    private static String utf8Text(byte[] bytes) {
        for (byte b : bytes) {
            if (b == 0) {
                return null;
            }
        }
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes));
            return chars.toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static boolean exists(Connection c, String sql, String key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }
}
