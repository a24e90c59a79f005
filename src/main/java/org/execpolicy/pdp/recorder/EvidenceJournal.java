package org.execpolicy.pdp.recorder;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * Where the H2 store's evidence is durable: {@code evidence-journal/} in the data directory, a sequence
 * of segment files. The writer appends each batch's rows to the open segment and forces them to the
 * device (one fdatasync a batch) before any of them is answered; H2 receives the rows later, a segment
 * at a time ({@link EvidenceIndex}), as the queryable index of the journal. Segments are kept until
 * retention purges their records ({@link #prune}): H2 was seen to come back after a kill -9 without
 * commits it had forced to the device (README, Known problems), so nothing H2 says it holds empties
 * the journal. At open, what H2 lacks of the journal's tail is inserted again ({@link JournalReplay}).
 * <p>
 * An entry is one batch: its length, a CRC32C of its bytes, its row count, then the rows. A torn last
 * entry (its force never returned, so no decision of it was answered) ends its segment. Appends and
 * rotation are serialised by the caller ({@link EvidenceIndex}).
 */
final class EvidenceJournal implements AutoCloseable {
    static final String DIRECTORY = "evidence-journal";
    private static final String SUFFIX = ".seg";
    private static final int HEADER_BYTES = 8;
    /**
     * Set in an entry's row count when its rows are in the compact form ({@link EvidenceRow#writeTo}):
     * an entry without it is of the first form, each row all text, as this build's predecessors wrote.
     */
    private static final int FORMAT_2 = 0x8000_0000;

    /** How an appended entry reaches the device; tests replace it to hold or fail the force. */
    interface Sync {
        Sync FDATASYNC = channel -> channel.force(false);

        void force(FileChannel channel) throws IOException;
    }

    private final Path dir;
    private final Sync sync;
    /**
     * Segment numbers, unique in the process (several recorders may write one store) and growing
     * across restarts: microseconds since the epoch when taken, or one more than the last.
     */
    private static final AtomicLong LAST_NUMBER = new AtomicLong();

    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(64 * 1024);
    private Segment open; // null until the first append after a rotation
    private FileChannel channel;
    private boolean broken; // an append failed and could not be undone: refuse further appends

    /** A segment file and its place in the journal's order. */
    record Segment(Path file, long number) {
    }

    private EvidenceJournal(Path dir, Sync sync) {
        this.dir = dir;
        this.sync = sync;
    }

    /** Opens the journal in {@code dataDir}, creating its directory. */
    static EvidenceJournal open(Path dataDir, Sync sync) throws IOException {
        return new EvidenceJournal(PrivateFiles.directory(dataDir.resolve(DIRECTORY)), sync);
    }

    /** Appends one batch's rows to the open segment (opening one if none is) and forces them to the device. */
    void append(List<EvidenceRow> rows) throws IOException {
        if (broken) {
            throw new IOException("the evidence journal could not undo a failed append; restart the node");
        }
        if (channel == null) {
            startSegment();
        }
        ByteBuffer entry = encode(rows);
        long before = channel.size();
        try {
            long at = before;
            while (entry.hasRemaining()) {
                at += channel.write(entry, at);
            }
            sync.force(channel);
        } catch (IOException e) {
            undo(before);
            throw e;
        }
    }

    /**
     * Closes the open segment, if any, and returns it: later appends go to a new one. The caller hands
     * the closed segment's rows to H2; the file stays.
     */
    Segment rotate() throws IOException {
        Segment closed = open;
        if (channel != null) {
            channel.close();
        }
        channel = null;
        open = null;
        return closed;
    }

    /** Deletes a segment; tests and {@link #prune} only. */
    static void delete(Segment segment) throws IOException {
        Files.deleteIfExists(segment.file());
    }

    /**
     * Deletes the segments that hold only records of {@code nodeId} at or before {@code throughSeq}:
     * retention has purged them from the store, and the journal must not bring them back.
     */
    static int prune(Path dataDir, String nodeId, long throughSeq) throws IOException {
        int deleted = 0;
        for (Segment segment : segments(dataDir)) { // oldest first: stop at the node's first kept segment
            List<EvidenceRow> rows = read(segment);
            if (rows.isEmpty() || !rows.get(0).nodeId().equals(nodeId)) {
                continue; // another node's (several recorders on one store), or nothing whole
            }
            EvidenceRow last = rows.get(rows.size() - 1);
            if (last.chainSeq() + last.recordCount() - 1 > throughSeq) {
                break;
            }
            delete(segment);
            deleted++;
        }
        return deleted;
    }

    @Override
    public void close() throws IOException {
        rotate();
    }

    /** The segments in {@code dataDir}'s journal, oldest first; none if it has no journal. */
    static List<Segment> segments(Path dataDir) throws IOException {
        Path dir = dataDir.resolve(DIRECTORY);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(SUFFIX))
                    .map(f -> {
                        String name = f.getFileName().toString();
                        return new Segment(f, Long.parseLong(name.substring(0, name.length() - SUFFIX.length())));
                    })
                    .sorted(java.util.Comparator.comparingLong(Segment::number))
                    .toList();
        }
    }

    /** The rows of every whole entry of a segment, oldest first. */
    static List<EvidenceRow> read(Segment segment) throws IOException {
        return rows(ByteBuffer.wrap(Files.readAllBytes(segment.file())), Integer.MAX_VALUE);
    }

    /** The rows of the first {@code entries} whole entries in {@code all}. */
    private static List<EvidenceRow> rows(ByteBuffer all, int entries) throws IOException {
        List<EvidenceRow> rows = new ArrayList<>();
        for (int entry = 0; entry < entries && all.remaining() >= HEADER_BYTES; entry++) {
            int length = all.getInt();
            int crcStored = all.getInt();
            if (length < 4 || length > all.remaining()) {
                break; // torn: its force never returned
            }
            CRC32C crc = new CRC32C();
            crc.update(all.array(), all.position(), length);
            if ((int) crc.getValue() != crcStored) {
                break;
            }
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(all.array(), all.position(), length));
            try {
                int count = in.readInt();
                boolean compact = (count & FORMAT_2) != 0;
                count &= ~FORMAT_2;
                EvidenceRow previous = null;
                for (int i = 0; i < count; i++) {
                    previous = compact ? EvidenceRow.readFrom(in, previous) : EvidenceRow.readFrom(in);
                    rows.add(previous);
                }
            } catch (EOFException e) {
                throw new IOException("a journal entry at " + (all.position() - HEADER_BYTES)
                        + " passed its checksum but is short", e);
            }
            all.position(all.position() + length);
        }
        return rows;
    }

    /** The first row of a segment, or null if it holds no whole entry; reads that entry only. */
    static EvidenceRow firstRow(Segment segment) throws IOException {
        try (FileChannel in = FileChannel.open(segment.file(), StandardOpenOption.READ)) {
            ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
            while (header.hasRemaining() && in.read(header) >= 0) {
                // read on
            }
            if (header.hasRemaining()) {
                return null;
            }
            int length = header.getInt(0);
            if (length < 4 || length > in.size() - HEADER_BYTES) {
                return null;
            }
            ByteBuffer entry = ByteBuffer.allocate(HEADER_BYTES + length).put(header.flip());
            while (entry.hasRemaining() && in.read(entry) >= 0) {
                // read on
            }
            List<EvidenceRow> rows = rows(entry.flip(), 1);
            return rows.isEmpty() ? null : rows.get(0);
        }
    }

    private void startSegment() throws IOException {
        long micros = ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
        long number = LAST_NUMBER.updateAndGet(last -> Math.max(last + 1, micros));
        Path file = dir.resolve(String.format("%020d%s", number, SUFFIX));
        channel = FileChannel.open(PrivateFiles.newFile(file), StandardOpenOption.READ, StandardOpenOption.WRITE);
        open = new Segment(file, number);
        // the new file's name must survive a power cut too, not only the bytes its appends force
        try (FileChannel directory = FileChannel.open(dir, StandardOpenOption.READ)) {
            directory.force(true);
        }
    }

    private ByteBuffer encode(List<EvidenceRow> rows) throws IOException {
        buffer.reset();
        DataOutputStream out = new DataOutputStream(buffer);
        out.writeInt(0); // length and CRC, filled in below
        out.writeInt(0);
        out.writeInt(FORMAT_2 | rows.size());
        EvidenceRow previous = null;
        for (EvidenceRow row : rows) {
            row.writeTo(out, previous);
            previous = row;
        }
        out.flush();
        ByteBuffer entry = ByteBuffer.wrap(buffer.toByteArray());
        int length = entry.capacity() - HEADER_BYTES;
        CRC32C crc = new CRC32C();
        crc.update(entry.array(), HEADER_BYTES, length);
        entry.putInt(0, length).putInt(4, (int) crc.getValue());
        return entry;
    }

    /**
     * A failed append may have left a whole entry that a replay would take for answered, and the next
     * batch reuses its chain positions: cut it off, or refuse every later append.
     */
    private void undo(long size) {
        try {
            channel.truncate(size);
            sync.force(channel);
        } catch (IOException | RuntimeException e) {
            broken = true;
        }
    }
}
