package org.execpolicy.pdp.api;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A throwaway {@value #PREFIX}* directory inside a node's data directory, where the warm-up keeps a
 * scratch store: on the same file system as the real store, so a force there costs what it costs
 * here. One left by a process killed while it warmed up is deleted when the next one is made.
 */
final class ScratchDirectory {
    static final String PREFIX = "rehearsal-";

    private ScratchDirectory() {
    }

    /** A new, empty scratch directory in {@code dataDir}, after deleting any left over. */
    static Path create(Path dataDir) {
        try {
            Files.createDirectories(dataDir);
            try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(dataDir, PREFIX + "*")) {
                leftovers.forEach(ScratchDirectory::delete);
            }
            return Files.createTempDirectory(dataDir, PREFIX);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the warm-up's scratch store in " + dataDir, e);
        }
    }

    /** Deletes {@code dir} and everything in it. */
    static void delete(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the warm-up's scratch store " + dir, e);
        }
    }
}
