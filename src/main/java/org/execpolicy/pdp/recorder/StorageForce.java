package org.execpolicy.pdp.recorder;

import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * Forces what the store has committed onto the storage device (fdatasync), so that it survives a
 * power cut and not only a killed process. The writer calls it once per batch, after the commit and
 * before any answer, and closes it when it stops.
 */
interface StorageForce extends AutoCloseable {
    /**
     * Makes the batch just committed on {@code connection} durable: {@code rows} are its evidence rows,
     * and {@code onlyEvidence} is false when the batch also changed other tables (registry changes).
     */
    void force(Connection connection, List<EvidenceRow> rows, boolean onlyEvidence) throws IOException, SQLException;

    @Override
    default void close() throws IOException {
    }
}
