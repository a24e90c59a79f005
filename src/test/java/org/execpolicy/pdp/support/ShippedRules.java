package org.execpolicy.pdp.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** Copies the shipped rules/*.drl into a directory a test may edit. */
public final class ShippedRules {
    private ShippedRules() {
    }

    public static Path copyTo(Path dir) {
        try (Stream<Path> files = Files.list(Path.of("rules"))) {
            for (Path file : files.filter(p -> p.toString().endsWith(".drl")).toList()) {
                Files.copy(file, dir.resolve(file.getFileName()));
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
