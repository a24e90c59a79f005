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
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The H2 store's write-ahead journal of evidence ({@code pdp.journal} in the data directory). The
 * writer appends each committed batch's rows here and forces them to the device before answering;
 * H2 itself stores its file in the background, a chunk every write delay instead of one per batch
 * (which is what cost disk, heap and CPU), and compacts it. Every few seconds the writer makes H2's
 * file durable ({@link H2Durability}) and empties the journal. At open, rows the journal holds and the
 * file lost (a kill -9 or power cut within the last seconds) are inserted again
 * ({@link JournalReplay}), so every answered decision is found.
 * <p>
 * An entry is one batch: its length, a CRC32C of its bytes, then the rows. A torn last entry (the
 * force never returned, so no decision of it was answered) ends the journal. The writer thread alone
 * appends and empties it.
 */
final class EvidenceJournal implements AutoCloseable {
    static final String FILE_NAME = "pdp.journal";
    private static final int HEADER_BYTES = 8;

    private final FileChannel channel;
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(64 * 1024);
    private long size;

    private EvidenceJournal(FileChannel channel, long size) {
        this.channel = channel;
        this.size = size;
    }

    /** Opens (creating if needed) the journal in {@code dataDir}, appending after what it holds. */
    static EvidenceJournal open(Path dataDir) throws IOException {
        FileChannel channel = FileChannel.open(dataDir.resolve(FILE_NAME), StandardOpenOption.CREATE,
                StandardOpenOption.READ, StandardOpenOption.WRITE);
        return new EvidenceJournal(channel, channel.size());
    }

    /** Appends one batch's rows and forces them to the device. */
    void append(List<EvidenceRow> rows) throws IOException {
        buffer.reset();
        DataOutputStream out = new DataOutputStream(buffer);
        out.writeInt(0); // length and CRC, filled in below
        out.writeInt(0);
        out.writeInt(rows.size());
        for (EvidenceRow row : rows) {
            row.writeTo(out);
        }
        out.flush();
        ByteBuffer entry = ByteBuffer.wrap(buffer.toByteArray());
        int length = entry.capacity() - HEADER_BYTES;
        CRC32C crc = new CRC32C();
        crc.update(entry.array(), HEADER_BYTES, length);
        entry.putInt(0, length).putInt(4, (int) crc.getValue());
        long at = size;
        while (entry.hasRemaining()) {
            at += channel.write(entry, at);
        }
        channel.force(false);
        size = at;
    }

    /** Empties the journal: call only once everything it holds is durable in the store's own file. */
    void clear() throws IOException {
        channel.truncate(0);
        channel.force(false);
        size = 0;
    }

    /** Bytes appended since the journal was last emptied. */
    long size() {
        return size;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    /** The rows of every whole entry of the journal in {@code dataDir}, oldest first; none if there is none. */
    static List<EvidenceRow> read(Path dataDir) throws IOException {
        Path file = dataDir.resolve(FILE_NAME);
        List<EvidenceRow> rows = new ArrayList<>();
        if (!Files.exists(file)) {
            return rows;
        }
        ByteBuffer all = ByteBuffer.wrap(Files.readAllBytes(file));
        while (all.remaining() >= HEADER_BYTES) {
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
                for (int i = 0; i < count; i++) {
                    rows.add(EvidenceRow.readFrom(in));
                }
            } catch (EOFException e) {
                throw new IOException("journal entry at " + (all.position() - HEADER_BYTES)
                        + " passed its checksum but is short", e);
            }
            all.position(all.position() + length);
        }
        return rows;
    }
}
