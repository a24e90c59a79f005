package org.execpolicy.pdp.recorder;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Durability for the embedded H2 store: an H2 commit (WRITE_DELAY=0) reaches the operating system,
 * not the device; fdatasync through a read-only channel of the recorder's own flushes the file (a
 * sync on any descriptor of a file flushes all its dirty pages). Opened on first use, by the writer.
 */
final class FileSync implements StorageForce {
    private final Path file;
    private FileChannel channel; // writer thread only

    FileSync(Path file) {
        this.file = file;
    }

    @Override
    public void force(java.sql.Connection connection) throws IOException, java.sql.SQLException {

        if (channel == null || !channel.isOpen()) {
            channel = FileChannel.open(file, StandardOpenOption.READ);
        }
        channel.force(false);
    }

    @Override
    public void close() throws IOException {
        if (channel != null) {
            channel.close();
        }
    }
}
