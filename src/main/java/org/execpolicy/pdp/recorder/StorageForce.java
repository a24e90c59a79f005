package org.execpolicy.pdp.recorder;

import java.io.IOException;

/**
 * Forces what the store has committed onto the storage device (fdatasync), so that it survives a
 * power cut and not only a killed process. The writer calls it once per batch, after the commit and
 * before any answer, and closes it when it stops.
 */
interface StorageForce extends AutoCloseable {
    /** Forces what {@code connection} has committed (and anything the store wrote before) to the device. */
    void force(java.sql.Connection connection) throws IOException, java.sql.SQLException;

    @Override
    default void close() throws IOException {
    }
}
