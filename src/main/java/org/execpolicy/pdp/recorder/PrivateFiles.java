package org.execpolicy.pdp.recorder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data directory holds all the evidence (the H2 files, trace artifacts, tokens.json), so it
 * is readable by its owner only: directories 0700, files 0600. H2 creates its files with the
 * process umask (0644 as a rule): inside a 0700 directory nobody else can reach them, and they are
 * tightened once H2 has made them. On a file system without POSIX permissions nothing is changed.
 */
public final class PrivateFiles {
    private static final Logger LOG = LoggerFactory.getLogger(PrivateFiles.class);
    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    private static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> OTHERS = EnumSet.of(
            PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    private PrivateFiles() {
    }

    /**
     * Creates {@code dir} (and missing parents) as 0700; an existing one is tightened, with all it
     * holds, and a warning names what was open to other users.
     */
    public static Path directory(Path dir) {
        try {
            if (!POSIX) {
                return Files.createDirectories(dir);
            }
            if (Files.notExists(dir)) {
                return Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(DIRECTORY));
            }
            List<Path> tightened = tighten(dir);
            if (!tightened.isEmpty()) {
                LOG.warn("{}: {} entries were open to other users (first {}); now owner only (directories 0700, "
                        + "files 0600)", dir, tightened.size(), tightened.get(0));
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make the data directory " + dir + " private", e);
        }
    }

    /** Tightens, without a warning, what this process has just created under {@code dir} with the umask's mode. */
    public static void ownerOnly(Path dir) {
        if (!POSIX) {
            return;
        }
        try {
            tighten(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make " + dir + " private", e);
        }
    }

    /** A new, empty file that only the owner may read and write. */
    public static Path newFile(Path file) throws IOException {
        return POSIX ? Files.createFile(file, PosixFilePermissions.asFileAttribute(FILE)) : Files.createFile(file);
    }

    /** Takes group and other permissions off {@code root} and everything under it; links are not followed. */
    private static List<Path> tighten(Path root) throws IOException {
        try (Stream<Path> entries = Files.walk(root)) {
            return entries.filter(PrivateFiles::tightened).toList();
        }
    }

    private static boolean tightened(Path entry) {
        try {
            if (Files.isSymbolicLink(entry)) {
                return false;
            }
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(entry, LinkOption.NOFOLLOW_LINKS);
            if (!permissions.removeAll(OTHERS)) {
                return false;
            }
            Files.setPosixFilePermissions(entry, permissions);
            return true;
        } catch (NoSuchFileException e) {
            return false; // removed meanwhile (an upload discarded): nothing left to protect
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make " + entry + " private", e);
        }
    }
}
