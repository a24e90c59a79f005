package org.execpolicy.pdp.recorder;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.stream.Stream;

/**
 * {@link Rehearsal} on a scratch H2 store in a {@value #PREFIX}* directory inside the node's data
 * directory (the same file system as the real store, so the same cost of a force), with a writer
 * and a hash chain of its own. Closing deletes the directory; one left by a process killed while
 * it warmed up is deleted at the next start.
 */
final class ScratchRehearsal implements Rehearsal {
    static final String PREFIX = "rehearsal-";
    /**
     * Appends in flight at most: callers do not wait for each force (a warm-up thread waiting on every
     * fdatasync rehearsed a few hundred decisions in 20 s), yet the queue stays bounded.
     */
    private static final int IN_FLIGHT = GroupCommitWriter.MAX_APPENDS_PER_BATCH;

    private final UnitCodec codec;
    private final Path dir;
    private final Database scratch;
    private final GroupCommitWriter writer;
    private final Semaphore inFlight = new Semaphore(IN_FLIGHT);
    private volatile Throwable failure;

    ScratchRehearsal(Path dataDir, UnitCodec codec) {
        this.codec = codec;
        deleteLeftovers(dataDir);
        try {
            this.dir = Files.createTempDirectory(dataDir, PREFIX);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the warm-up's scratch store in " + dataDir, e);
        }
        this.scratch = Database.open(dir);
        this.writer = new GroupCommitWriter(scratch, scratch.storageForce(), new HashChain("rehearsal", 0, null));
    }

    @Override
    public void append(List<ObjectNode> records) {
        if (failure != null) {
            throw new RecorderUnavailableException("the warm-up's scratch store failed: " + failure.getMessage(), failure);
        }
        List<EvidenceUnit> units = codec.encode(records);
        inFlight.acquireUninterruptibly();
        writer.submit(units, null).whenComplete((done, e) -> {
            inFlight.release();
            if (e != null) {
                failure = e;
            }
        });
    }

    @Override
    public void close() {
        writer.close();
        scratch.close();
        delete(dir);
    }

    private static void deleteLeftovers(Path dataDir) {
        try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(dataDir, PREFIX + "*")) {
            leftovers.forEach(ScratchRehearsal::delete);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dataDir, e);
        }
    }

    private static void delete(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the warm-up's scratch store " + dir, e);
        }
    }
}
