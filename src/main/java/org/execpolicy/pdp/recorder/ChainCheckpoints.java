package org.execpolicy.pdp.recorder;

import java.time.Clock;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Signs this node's chain head every {@link #EVERY_MS} ms when it has moved (SPEC 7 asks for at
 * least every 10 s) and stores the signed checkpoint in chain_checkpoints, where
 * {@link ChainVerifier} finds it. The head signed is the committed one, read from the store, so a
 * checkpoint never names a record that is not stored. A serving node only: offline commands never sign.
 */
public final class ChainCheckpoints implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ChainCheckpoints.class);
    public static final long EVERY_MS = 5_000;

    private final Database db;
    private final String nodeId;
    private final NodeKey key;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "pdp-chain-checkpoints");
        thread.setDaemon(true);
        return thread;
    });
    private long lastSignedSeq = -1; // guarded by this

    private final Clock clock;

    private ChainCheckpoints(Database db, String nodeId, NodeKey key, Clock clock) {
        this.clock = clock;
        this.db = db;
        this.nodeId = nodeId;
        this.key = key;
    }

    /** Registers the node's public key (refusing one that differs from the stored one) and starts signing. */
    public static ChainCheckpoints start(Database db, String nodeId) {
        return start(db, nodeId, Clock.systemUTC());
    }

    /** As above, dating checkpoints by {@code clock}. */
    public static ChainCheckpoints start(Database db, String nodeId, Clock clock) {
        ChainCheckpoints checkpoints = new ChainCheckpoints(db, nodeId, NodeKey.of(db.dataDir()), clock);
        checkpoints.registerKey();
        checkpoints.timer.scheduleWithFixedDelay(() -> {
            try {
                checkpoints.signNow();
            } catch (RuntimeException e) {
                // the store is down: the next run signs the head once it is back
                LOG.debug("chain checkpoint not stored: {}", e.getMessage());
            }
        }, EVERY_MS, EVERY_MS, TimeUnit.MILLISECONDS);
        return checkpoints;
    }

    /** Signs and stores the committed head now unless it was signed already; empty when nothing was signed. */
    public synchronized Optional<SignedCheckpoint> signNow() {
        try (Connection c = db.connection()) {
            long seq = 0;
            String hash = null;
            try (PreparedStatement ps = c.prepareStatement(EventReader.CHAIN_HEAD)) {
                ps.setString(1, nodeId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        seq = rs.getLong(1);
                        hash = rs.getString(2);
                    }
                }
            }
            if (hash == null || seq == lastSignedSeq) {
                return Optional.empty();
            }
            String at = clock.instant().truncatedTo(ChronoUnit.MILLIS).toString();
            SignedCheckpoint checkpoint = SignedCheckpoint.sign(key.privateKey(), nodeId, seq, hash, at);
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO chain_checkpoints"
                    + " (node_id, chain_seq, record_hash, signed_at, signature) VALUES (?, ?, ?, ?, ?)")) {
                insert.setString(1, nodeId);
                insert.setLong(2, seq);
                insert.setString(3, hash);
                insert.setString(4, at);
                insert.setString(5, checkpoint.signature());
                insert.executeUpdate();
            }
            db.sync(c);
            lastSignedSeq = seq;
            return Optional.of(checkpoint);
        } catch (SQLException e) {
            if (e.getSQLState() != null && e.getSQLState().startsWith("23")) {
                return Optional.empty(); // this head was signed before a restart
            }
            throw new RecorderUnavailableException("cannot store a chain checkpoint: " + e.getMessage(), e);
        }
    }

    private void registerKey() {
        try (Connection c = db.connection()) {
            String stored = ChainCheckpointRows.publicKey(c, nodeId);
            if (stored == null) {
                try (PreparedStatement insert = c.prepareStatement(
                        "INSERT INTO node_keys (node_id, public_key, created_at) VALUES (?, ?, ?)")) {
                    insert.setString(1, nodeId);
                    insert.setString(2, key.publicKeyBase64());
                    insert.setObject(3, OffsetDateTime.now(clock));
                    insert.executeUpdate();
                }
                db.sync(c);
            } else if (!stored.equals(key.publicKeyBase64())) {
                throw new IllegalStateException("node id '" + nodeId + "' is registered in the store with another"
                        + " signing key: another node uses this --node-id, or its data directory (node_key) was"
                        + " replaced; give this node its own --node-id");
            }
        } catch (SQLException e) {
            throw new RecorderUnavailableException("cannot register the node's signing key: " + e.getMessage(), e);
        }
    }

    /** Stops signing after one last checkpoint of the head (call before the recorder's database closes). */
    @Override
    public void close() {
        timer.shutdownNow();
        try {
            signNow();
        } catch (RuntimeException e) {
            LOG.warn("last chain checkpoint not stored: {}", e.getMessage());
        }
    }
}
