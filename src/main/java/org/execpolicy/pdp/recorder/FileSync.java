package org.execpolicy.pdp.recorder;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Durability for the embedded H2 store: {@code CHECKPOINT} stores whatever the commit left in memory
 * (with H2's write delay at 0 every store is written by the thread that makes it, see
 * {@link Database#open(java.nio.file.Path)}), then fdatasync through a read-only channel of the
 * recorder's own: a sync on any descriptor of a file flushes all its dirty pages. Opened on first
 * use, by the writer.
 */
final class FileSync implements StorageForce {
    private final Path file;
    private FileChannel channel; // writer thread only

    FileSync(Path file) {
        this.file = file;
    }

    @Override
    public void force(Connection connection) throws IOException, SQLException {
        try (Statement checkpoint = connection.createStatement()) {
            checkpoint.execute("CHECKPOINT");
        }

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
