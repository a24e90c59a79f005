package org.execpolicy.pdp.recorder;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.util.Set;
import java.util.concurrent.CompletionException;
import org.execpolicy.pdp.json.CanonicalJson;

/**
 * Work Profiles, dynamic roles and waivers, stored in the database as JSON
 * text with a write-through in-memory copy: decisions read memory only.
 * Writes are serialised, committed before they return, and reach the copy
 * only after the commit, so a reader never sees what the store does not hold.
 * Every write is committed in one transaction with the Flight Recorder records
 * that say who changed what, so there is no change without its evidence.
 * Bodies are stored as given; validating them is the caller's job.
 * <p>
 * Every change also moves the registry version ({@link RegistryVersion}) in its transaction. Nodes
 * sharing one PostgreSQL store reload when it moves ({@link #refreshIfChanged()}, run by
 * {@link RegistrySync}), and a change is made from the current registry, not a stale copy.
 * Rows are never deleted (waivers are revoked, profiles and roles replaced), so a reload only adds
 * and replaces entries.
 * <p>
 * A Work Profile is immutable once used (SPEC 2, spec 4.3.7.1). The first decision a node makes with
 * a profile marks it used ({@code profiles.used_at}) in the transaction of its own records, and the node
 * remembers it: later decisions write nothing more. A profile PUT locks the row and is refused while
 * it is marked, so across nodes sharing one PostgreSQL the database orders a first use and a change.
 */
public final class RegistryStore {

    /** Builds the records of one change from the entry as it was (null when new); runs under the store's lock. */
    @FunctionalInterface
    public interface ChangeRecords {
        List<ObjectNode> of(ObjectNode before);
    }

    private final Database db;
    private final FlightRecorder recorder;
    private final Clock clock;
    private final RegistryTable profiles = new RegistryTable("profiles", "profile_id");
    private final RegistryTable roles = new RegistryTable("roles", "role_id");
    private final RegistryTable waivers = new RegistryTable("waivers", "waiver_id");
    private volatile String activeProfileId;
    /** Profiles this node knows are marked used in the store; only ever grows (a mark is never undone). */
    private final Set<String> usedProfiles = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** The registry version the in-memory copy holds; what each decision records. */
    private volatile long version;
    /**
     * What a decision reads (version, profile, role, waivers) is one state: a reload or a change takes
     * the write side while it replaces cached entries and moves the version, so a decision never
     * records one version while it saw the entries of another.
     */
    private final java.util.concurrent.locks.ReadWriteLock state = new java.util.concurrent.locks.ReentrantReadWriteLock();

    public RegistryStore(Database db, FlightRecorder recorder) {
        this(db, recorder, Clock.systemUTC());
    }

    /** Loads every row into memory. */
    public RegistryStore(Database db, FlightRecorder recorder, Clock clock) {
        this.db = db;
        this.recorder = recorder;
        this.clock = clock;
        try (Connection c = db.connection()) {
            profiles.load(c);
            roles.load(c);
            waivers.load(c);
            activeProfileId = loadActiveProfileId(c);
            usedProfiles.addAll(loadUsedProfileIds(c));
            version = RegistryVersion.read(c);
            // profiles stored before histories were kept start theirs at the version they are
            for (ObjectNode profile : profiles.all()) {
                String id = profile.path("profile_id").asText();
                if (ProfileHistory.isEmpty(c, id)) {
                    ProfileHistory.append(c, id, CanonicalJson.sha256Hex(profile), RecordJson.write(profile), null, now());
                }
            }
            db.sync(c);
        } catch (SQLException e) {
            throw new RecorderUnavailableException("registry store failed: " + e.getMessage(), e);
        }
    }

    /** The registry version of what decisions read now (SPEC 7: each decision records it). */
    public long version() {
        return version;
    }

    /** Runs {@code read} on one state of the registry: no reload or change is applied meanwhile. */
    public <T> T consistently(java.util.function.Supplier<T> read) {
        state.readLock().lock();
        try {
            return read.get();
        } finally {
            state.readLock().unlock();
        }
    }

    /**
     * Reloads the registry when its version in the store has moved (another node changed it).
     *
     * @return true when it reloaded
     * @throws RecorderUnavailableException when the store cannot be read
     */
    public synchronized boolean refreshIfChanged() {
        try (Connection c = db.connection()) {
            // one snapshot: the version read and the rows loaded must be the same state, else a change
            // committed between them would be held under the version before it
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            try {
                long stored = RegistryVersion.read(c);
                if (stored == version) {
                    return false;
                }
                state.writeLock().lock();
                try {
                    profiles.load(c);
                    roles.load(c);
                    waivers.load(c);
                    activeProfileId = loadActiveProfileId(c);
                    usedProfiles.addAll(loadUsedProfileIds(c));
                    version = stored;
                } finally {
                    state.writeLock().unlock();
                }
                return true;
            } finally {
                c.rollback(); // read only
            }
        } catch (SQLException e) {
            throw new RecorderUnavailableException("registry store failed: " + e.getMessage(), e);
        }
    }

    /**
     * Stores the profile as its next version (kept in its history, saved by {@code operator}).
     *
     * @throws ProfileUsedException when a decision has used the profile (on any node); nothing is stored
     */
    public synchronized void putProfile(String id, ObjectNode body, String operator, ChangeRecords records) {
        if (usedProfiles.contains(id)) {
            throw usedProfileRefusal(id);
        }
        try {
            put(profiles, id, body, records, c -> refuseIfUsed(c, id), (c, copy, text, now) ->
                    ProfileHistory.append(c, id, CanonicalJson.sha256Hex(copy), text, operator, now));
        } catch (ProfileUsedException e) {
            usedProfiles.add(id); // another node's decision marked it
            throw e;
        }
    }

    /**
     * True when a decision has used the profile, as far as this node knows without reading the store:
     * its own decisions, and what the store held when it last loaded. A PUT asks the store itself.
     */
    public boolean usedAsKnown(String id) {
        return usedProfiles.contains(id);
    }

    /** The refusal of a change to a profile this node knows is used, naming its first decision as stored. */
    public ProfileUsedException usedProfileRefusal(String id) {
        try (Connection c = db.connection();
             PreparedStatement ps = c.prepareStatement(
                     "SELECT used_at, first_decision_id FROM profiles WHERE profile_id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next() && rs.getObject(1) != null) {
                    return new ProfileUsedException(id, rs.getString(2),
                            rs.getObject(1, OffsetDateTime.class).toInstant().toString());
                }
            }
        } catch (SQLException e) {
            // the refusal stands on what this node knows; only its words lose the first decision
        }
        return new ProfileUsedException(id, null, null);
    }

    /** The ids of the profiles any decision has used, read from the store (so marks by other nodes count). */
    public Set<String> usedProfileIds() {
        try (Connection c = db.connection()) {
            Set<String> used = loadUsedProfileIds(c);
            usedProfiles.addAll(used);
            return used;
        } catch (SQLException e) {
            throw new RecorderUnavailableException("registry store failed: " + e.getMessage(), e);
        }
    }

    /**
     * Appends a decision's records. While this node does not know {@code profileId} (the profile the
     * decision used, null for none) to be marked used, the same transaction marks it; once such an
     * append commits, the node knows, and later decisions with that profile add no write at all.
     */
    public java.util.concurrent.CompletableFuture<Void> appendDecision(String profileId, String decisionId,
                                                                       List<ObjectNode> records) {
        if (profileId == null || usedProfiles.contains(profileId)) {
            return recorder.append(records);
        }
        OffsetDateTime now = now();
        return recorder.append(records, c -> markUsed(c, profileId, decisionId, now))
                .thenRun(() -> usedProfiles.add(profileId));
    }

    public Optional<ObjectNode> profile(String id) {
        return profiles.get(id);
    }

    /**
     * The entries as the decision path reads them: the registry's own trees, not copies (copying the
     * profile and its waivers was 1.5% of the decision threads' CPU, and a copy is a new tree each
     * time, which no cache keyed by the tree can recognise). The caller must not change them: the
     * decision path only reads them, and the facts copy what they keep.
     */
    public Optional<JsonNode> sharedProfile(String id) {
        return profiles.shared(id);
    }

    /** As {@link #sharedProfile}. */
    public Optional<JsonNode> sharedRole(String id) {
        return roles.shared(id);
    }

    /** As {@link #sharedProfile}. */
    public Optional<JsonNode> sharedWaiver(String id) {
        return waivers.shared(id);
    }

    /** Sorted by profile id. */
    public List<ObjectNode> profiles() {
        return profiles.all();
    }

    /** The stored profile ids, sorted (a read-only view). */
    public Set<String> profileIds() {
        return profiles.ids();
    }

    /** Every saved version of a profile, newest first; empty when there is no such profile. */
    public List<ObjectNode> profileHistory(String id) {
        try (Connection c = db.connection()) {
            return ProfileHistory.of(c, id);
        } catch (SQLException e) {
            throw new RecorderUnavailableException("registry store failed: " + e.getMessage(), e);
        }
    }

    /**
     * Makes {@code id} the one active profile, in one transaction with its records,
     * which are built from the profile that was active before (null if none).
     *
     * @throws NoSuchElementException if no such profile is stored
     */
    public synchronized void activate(String id, ChangeRecords records) {
        refreshIfShared();
        if (!profiles.contains(id)) {
            throw new NoSuchElementException("no profile '" + id + "'");
        }
        String previousId = activeProfileId;
        ObjectNode previous = previousId == null ? null : profiles.get(previousId).orElse(null);
        write(records.of(previous), version, c -> {
            if (!java.util.Objects.equals(loadActiveProfileId(c), previousId)) {
                throw new ConcurrentChangeException("the active profile was changed through another node while this"
                        + " activation was being made; nothing was stored: read it again and retry");
            }
        }, c -> {
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
                chosen.executeUpdate();
            }
        }, () -> activeProfileId = id);
    }

    public Optional<String> activeProfileId() {
        return Optional.ofNullable(activeProfileId);
    }

    public synchronized void putRole(String id, ObjectNode body, ChangeRecords records) {
        put(roles, id, body, records, NOTHING_MORE);
    }

    public Optional<ObjectNode> role(String id) {
        return roles.get(id);
    }

    /** Sorted by role id. */
    public List<ObjectNode> roles() {
        return roles.all();
    }

    /** The stored role ids, sorted (a read-only view). */
    public Set<String> roleIds() {
        return roles.ids();
    }

    /** Waivers are never deleted; revoking one is a put with {@code revoked_at} set. */
    public synchronized void putWaiver(String id, ObjectNode body, ChangeRecords records) {
        put(waivers, id, body, records, NOTHING_MORE);
    }

    /**
     * Changes a stored waiver (approve, revoke) from its current state: on a shared store the registry
     * is reloaded first if another node moved it, so a node whose copy is up to a second old never
     * approves a waiver another node revoked, nor undoes that node's change. {@code change} gets a
     * private copy and answers the waiver to store, or throws to refuse (nothing is stored).
     *
     * @return the waiver as stored
     * @throws NoSuchElementException if no such waiver is stored
     */
    public synchronized ObjectNode changeWaiver(String id, java.util.function.UnaryOperator<ObjectNode> change,
                                                ChangeRecords records) {
        refreshIfShared();
        ObjectNode current = waivers.get(id).orElseThrow(() -> new NoSuchElementException("no waiver '" + id + "'"));
        ObjectNode changed = change.apply(current);
        put(waivers, id, changed, records, NOTHING_MORE);
        return changed;
    }

    public Optional<ObjectNode> waiver(String id) {
        return waivers.get(id);
    }

    /** Sorted by waiver id. */
    public List<ObjectNode> waivers() {
        return waivers.all();
    }

    /** The stored waiver ids, sorted (a read-only view). */
    public Set<String> waiverIds() {
        return waivers.ids();
    }

    /** What else a put writes in its transaction, given the stored copy, its text and the time. */
    private interface AlsoWrite {
        void run(Connection c, ObjectNode copy, String text, OffsetDateTime now) throws SQLException;
    }

    private static final AlsoWrite NOTHING_MORE = (c, copy, text, now) -> { };

    private void put(RegistryTable table, String id, ObjectNode body, ChangeRecords records, AlsoWrite also) {
        put(table, id, body, records, c -> { }, also);
    }

    /** {@code check} runs first in the transaction and may refuse the change ({@link ChangeRefusedException}). */
    private void put(RegistryTable table, String id, ObjectNode body, ChangeRecords records, SqlWork check,
                     AlsoWrite also) {
        RegistryTable.checkId(id);
        refreshIfShared();
        ObjectNode copy = body.deepCopy(); // the caller may keep changing its node
        String text = RecordJson.write(copy);
        ObjectNode previous = table.get(id).orElse(null);
        long basis = version;
        write(records.of(previous), basis, c -> {
            if (!sameEntry(table.stored(c, id).orElse(null), previous)) {
                throw new ConcurrentChangeException(singular(table) + " '" + id + "' was changed through another node"
                        + " while this change was being made; nothing was stored: read it again and retry");
            }
        }, c -> {
            check.run(c);
            OffsetDateTime now = now();
            table.upsert(c, id, text, now);
            also.run(c, copy, text, now);
        }, () -> table.cache(id, copy));
    }

    private static boolean sameEntry(ObjectNode stored, ObjectNode previous) {
        if (stored == null || previous == null) {
            return stored == previous;
        }
        return CanonicalJson.sha256Hex(stored).equals(CanonicalJson.sha256Hex(previous));
    }

    private static String singular(RegistryTable table) {
        String name = table.name();
        return name.endsWith("s") ? name.substring(0, name.length() - 1) : name;
    }

    /**
     * The change and its records in one transaction of the recorder's writer; once committed, {@code
     * applied} updates the cache and the version moves, together, on the write side of the state lock.
     * <p>
     * The version is moved first: its row lock then serialises registry changes across nodes (a second
     * node's change waits for the first's commit and, PostgreSQL being read committed, sees it). When
     * the version had moved since {@code basis}, the registry this node built the change's records from
     * may be stale, and {@code check} holds them against the stored entry: a change another
     * node made to the same entry meanwhile refuses this one (409) instead of failing on a key (two
     * inserts of one new id, two history rows of one version) or overwriting what its records never saw.
     */
    private void write(List<ObjectNode> records, long basis, SqlWork check, SqlWork change, Runnable applied) {
        long[] moved = {0};
        try {
            recorder.append(records, c -> {
                moved[0] = RegistryVersion.bump(c);
                if (moved[0] - 1 != basis) {
                    check.run(c);
                }
                change.run(c);
            }).join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
        // only this change since what we hold: hold its version; else another node's change came between,
        // and the next refreshIfChanged() reloads everything
        state.writeLock().lock();
        try {
            applied.run();
            if (moved[0] == version + 1) {
                version = moved[0];
            }
        } finally {
            state.writeLock().unlock();
        }
    }

    /**
     * On a shared store, reloads what another node changed before a change is checked and its records
     * built (no need to wait for the next poll); on H2 nothing: this node is the only writer.
     */
    public synchronized void catchUp() {
        refreshIfShared();
    }

    /** A change builds its records from the current registry: on a shared store, another node may have moved it. */
    private void refreshIfShared() {
        if (db.shared()) {
            refreshIfChanged();
        }
    }

    /**
     * Locks the profile's row (FOR UPDATE) and refuses the change when it is marked used: a first use
     * committing meanwhile on another node is waited for, then seen.
     */
    private static void refuseIfUsed(Connection c, String id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT used_at, first_decision_id FROM profiles WHERE profile_id = ? FOR UPDATE")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next() && rs.getObject(1) != null) {
                    OffsetDateTime usedAt = rs.getObject(1, OffsetDateTime.class);
                    throw new ProfileUsedException(id, rs.getString(2), usedAt.toInstant().toString());
                }
            }
        }
    }

    /** Marks the profile used by {@code decisionId}, unless it already is (the first decision stays named). */
    private static void markUsed(Connection c, String id, String decisionId, OffsetDateTime now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE profiles SET used_at = ?, first_decision_id = ? WHERE profile_id = ? AND used_at IS NULL")) {
            ps.setObject(1, now);
            ps.setString(2, decisionId);
            ps.setString(3, id);
            ps.executeUpdate();
        }
    }

    private static Set<String> loadUsedProfileIds(Connection c) throws SQLException {
        Set<String> used = new java.util.HashSet<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT profile_id FROM profiles WHERE used_at IS NOT NULL");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                used.add(rs.getString(1));
            }
        }
        return used;
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
}
