package org.execpolicy.pdp.recorder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Trace artifacts on disk, content-addressed: {@code <data>/traces/sha256/<hex>.jsonl}, named by
 * the SHA-256 of their bytes, so a stored file proves its own integrity against the
 * `layerwise_trace_attached` record that names it. An upload is written to
 * {@code traces/incoming/} first and moved into place only once it has been checked; a refused
 * or interrupted upload leaves nothing behind (what a crash left there is removed at start).
 */
public final class TraceStore {
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    private final Path incoming;
    private final Path stored;

    public TraceStore(Path dataDir) {
        Path root = dataDir.resolve("traces");
        this.incoming = root.resolve("incoming");
        this.stored = root.resolve("sha256");
        try {
            Files.createDirectories(incoming);
            Files.createDirectories(stored);
            PrivateFiles.ownerOnly(root);
            try (Stream<Path> leftovers = Files.list(incoming)) {
                for (Path leftover : leftovers.toList()) {
                    Files.deleteIfExists(leftover);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the trace store under " + root, e);
        }
    }

    /** A fresh, empty file for one upload; {@link #keep} or {@link #discard} it. */
    public Path newUpload() {
        try {
            return PrivateFiles.newFile(incoming.resolve(UUID.randomUUID() + ".part"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create an upload file in " + incoming, e);
        }
    }

    /**
     * Moves a checked upload to its content address.
     *
     * @return true when the file is new; false when the same bytes were already stored (the upload is dropped)
     */
    public boolean keep(Path upload, String sha256) {
        Path target = file(sha256);
        try {
            if (Files.exists(target)) {
                Files.delete(upload);
                return false;
            }
            try {
                Files.move(upload, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(upload, target);
            }
            return true;
        } catch (FileAlreadyExistsException e) {
            discard(upload);
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store trace " + sha256, e);
        }
    }

    /** Removes a refused upload, or a stored file that no record names (its record could not be appended). */
    public void discard(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + file, e);
        }
    }

    /** The stored artifact with this SHA-256, if it is on disk. */
    public Optional<Path> find(String sha256) {
        if (!SHA256.matcher(sha256).matches()) {
            return Optional.empty();
        }
        Path file = file(sha256);
        return Files.isRegularFile(file) ? Optional.of(file) : Optional.empty();
    }

    public Path file(String sha256) {
        return stored.resolve(sha256 + ".jsonl");
    }
}
