package org.execpolicy.pdp.recorder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/**
 * The writer node's id, which names its hash chain. Kept in DATA/node_id so a
 * restarted node continues its own chain; several nodes sharing one store each
 * have their own.
 */
public final class NodeIdentity {
    private static final String FILE = "node_id";

    private NodeIdentity() {
    }

    public static String of(Path dataDir) {
        Path file = dataDir.resolve(FILE);
        try {
            if (Files.exists(file)) {
                return Files.readString(file).strip();
            }
            String id = "node-" + UUID.randomUUID().toString().substring(0, 8);
            Files.writeString(PrivateFiles.newFile(file), id + "\n");
            return id;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create " + file, e);
        }
    }
}
