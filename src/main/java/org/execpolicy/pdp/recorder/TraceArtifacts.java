package org.execpolicy.pdp.recorder;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.execpolicy.pdp.json.Sha256;

/**
 * Trace artifacts in the store (V6), content-addressed by the SHA-256 of their bytes, so that a
 * stored artifact proves its own integrity against the `layerwise_trace_attached` record that names
 * it, and so that a trace uploaded through one node is served by every node on the same PostgreSQL
 * (SPEC 7). One code path for both engines: H2 keeps them in its file like every other record.
 * <p>
 * An upload is streamed to a scratch file of this node ({@code <data>/traces/incoming/}), checked
 * there, and only then copied into the store, chunk by chunk in one transaction, committed and
 * forced to the device before the record that names it is appended. A refused or interrupted upload
 * leaves nothing in the store; what a crash left in the scratch directory is removed at start.
 */
public final class TraceArtifacts {
    /** Bytes per stored chunk: storing or serving an artifact holds one chunk in memory. */
    public static final int CHUNK_BYTES = 256 * 1024;
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final String UNIQUE_VIOLATION = "23505";

    private final Database database;
    private final Path incoming;
    private final Clock clock;

    /** A stored artifact: its address, size and how many chunks hold it. */
    public record Stored(String sha256, long bytes, int chunks) {
    }

    /** Stores under {@code database}, stamping each artifact with {@code clock}'s time. */
    public TraceArtifacts(Database database, Clock clock) {
        this.database = database;
        this.clock = clock;
        Path root = database.dataDir().resolve("traces");
        this.incoming = root.resolve("incoming");
        try {
            Files.createDirectories(incoming);
            PrivateFiles.ownerOnly(root);
            try (Stream<Path> leftovers = Files.list(incoming)) {
                for (Path leftover : leftovers.toList()) {
                    Files.deleteIfExists(leftover);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the trace scratch directory under " + root, e);
        }
    }

    /** A fresh, empty scratch file for one upload; {@link #keep} or {@link #discard} it. */
    public Path newUpload() {
        try {
            return PrivateFiles.newFile(incoming.resolve(UUID.randomUUID() + ".part"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create an upload file in " + incoming, e);
        }
    }

    /**
     * Stores a checked upload under its SHA-256: committed, and on H2 forced to the device, when this
     * returns. Two nodes storing the same bytes at once store them once (the second waits for the
     * first's commit, then finds them).
     *
     * @return true when the artifact is new; false when the same bytes were already stored
     * @throws RecorderUnavailableException when the store cannot commit (the upload is then refused 503)
     */
    public boolean keep(Path upload, String sha256) {
        try (Connection c = database.connection()) {
            c.setAutoCommit(false);
            try {
                boolean stored = insert(c, upload, sha256, clock.instant());
                if (!stored) {
                    c.rollback();
                    return false;
                }
                c.commit();
                database.sync(c); // the upload is answered, and a record names it, only once durable
                return true;
            } catch (SQLException | IOException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException | IOException e) {
            throw new RecorderUnavailableException("cannot store trace " + sha256 + ": " + e.getMessage(), e);
        }
    }

    /** Removes a stored artifact that no record names (its record could not be appended); best effort. */
    public void forget(String sha256) {
        try (Connection c = database.connection();
             PreparedStatement delete = c.prepareStatement("DELETE FROM trace_artifacts WHERE sha256 = ?")) {
            delete.setString(1, sha256);
            delete.executeUpdate();
        } catch (SQLException e) {
            // the store is down: an unnamed artifact is only bytes no record points to
        }
    }

    /** Removes a scratch file. */
    public void discard(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + file, e);
        }
    }

    /** The stored artifact with this SHA-256, if any. */
    public Optional<Stored> find(String sha256) {
        if (!SHA256.matcher(sha256).matches()) {
            return Optional.empty();
        }
        try (Connection c = database.connection();
             PreparedStatement select = c.prepareStatement(
                     "SELECT bytes, chunks FROM trace_artifacts WHERE sha256 = ?")) {
            select.setString(1, sha256);
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? Optional.of(new Stored(sha256, row.getLong(1), row.getInt(2))) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new RecorderUnavailableException("cannot read trace " + sha256 + ": " + e.getMessage(), e);
        }
    }

    /** The bytes of chunk {@code chunkNo} (0-based) of a stored artifact. */
    public byte[] chunk(Stored artifact, int chunkNo) {
        try (Connection c = database.connection();
             PreparedStatement select = c.prepareStatement(
                     "SELECT data FROM trace_artifact_chunks WHERE sha256 = ? AND chunk_no = ?")) {
            select.setString(1, artifact.sha256());
            select.setInt(2, chunkNo);
            try (ResultSet row = select.executeQuery()) {
                if (!row.next()) {
                    throw new IllegalStateException("chunk " + chunkNo + " of trace " + artifact.sha256() + " is missing");
                }
                return row.getBytes(1);
            }
        } catch (SQLException e) {
            throw new RecorderUnavailableException("cannot read trace " + artifact.sha256() + ": " + e.getMessage(), e);
        }
    }

    /** Inserts the artifact and its chunks; false (nothing inserted) when these bytes are already stored. */
    private static boolean insert(Connection c, Path upload, String sha256, Instant storedAt)
            throws SQLException, IOException {
        long size = Files.size(upload);
        int chunks = (int) ((size + CHUNK_BYTES - 1) / CHUNK_BYTES);
        try (PreparedStatement head = c.prepareStatement(
                "INSERT INTO trace_artifacts (sha256, bytes, chunks, stored_at) VALUES (?, ?, ?, ?)")) {
            head.setString(1, sha256);
            head.setLong(2, size);
            head.setInt(3, chunks);
            head.setTimestamp(4, Timestamp.from(storedAt));
            head.executeUpdate();
        } catch (SQLException e) {
            if (UNIQUE_VIOLATION.equals(e.getSQLState())) {
                return false; // stored already (by this node or another, committed: a concurrent insert waits)
            }
            throw e;
        }
        try (InputStream in = Files.newInputStream(upload);
             PreparedStatement chunk = c.prepareStatement(
                     "INSERT INTO trace_artifact_chunks (sha256, chunk_no, data) VALUES (?, ?, ?)")) {
            for (int n = 0; n < chunks; n++) {
                byte[] data = in.readNBytes(CHUNK_BYTES);
                chunk.setString(1, sha256);
                chunk.setInt(2, n);
                chunk.setBytes(3, data);
                chunk.executeUpdate();
            }
        }
        return true;
    }
}
