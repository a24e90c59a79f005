package org.execpolicy.pdp.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.execpolicy.pdp.recorder.Database;

/**
 * Opens the store an offline command (recorder verify|export, replay) reads: H2 in an existing
 * {@code --data} directory, or the PostgreSQL database of {@code --database}. The offline commands
 * never create a store; on PostgreSQL they need no data directory of a node, so a missing one is
 * replaced by a temporary directory (the recorder keeps a node id there, which they never write under).
 */
final class OfflineStore {
    private OfflineStore() {
    }

    /** Null when there is nothing to read: no --database and no data directory (said on stderr by the caller). */
    static Database open(Path data, String databaseUrl) {
        if (databaseUrl == null) {
            return Files.isDirectory(data) ? Database.open(data) : null;
        }
        Path dir = data;
        if (!Files.isDirectory(data)) {
            try {
                dir = Files.createTempDirectory("pdp-offline-");
                dir.toFile().deleteOnExit();
                dir.resolve("node_id").toFile().deleteOnExit();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return Database.open(dir, databaseUrl);
    }
}
