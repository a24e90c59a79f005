package org.execpolicy.pdp.recorder;

import java.sql.Connection;
import java.sql.SQLException;
import org.h2.engine.SessionLocal;
import org.h2.jdbc.JdbcConnection;
import org.h2.mvstore.FileStore;
import org.h2.mvstore.MVStore;

/**
 * Durability for the embedded H2 store: after each batch's commit (and after any change made outside
 * the writer, {@link Database#sync}), H2 stores what is committed and the file is forced to the device.
 * H2 runs with {@code WRITE_DELAY=0} ({@link Database#open(java.nio.file.Path)}): every commit is
 * stored by the thread that makes it, so no background store of H2's can hold a batch back.
 * <p>
 * The force is H2's own, on H2's channel: closing a channel of ours on the file would release H2's
 * lock on it (POSIX drops a process's locks on a file when any of its descriptors is closed), and a
 * second process could then open the store. Before it, H2 commits and then waits until its
 * serialisation and save threads have no work left (the H2 API for running a file operation after
 * every pending write).
 */
final class H2Durability implements StorageForce {

    @Override
    public void force(Connection connection) throws SQLException {
        sync(connection);
    }

    /** Makes everything committed so far durable in the store's file; any thread, any connection. */
    static void sync(Connection connection) throws SQLException {
        MVStore store = ((SessionLocal) connection.unwrap(JdbcConnection.class).getSession())
                .getDatabase().getStore().getMvStore();
        store.commit();
        FileStore<?> file = store.getFileStore();
        file.executeFileStoreOperation(file::sync);
    }
}
