package org.execpolicy.pdp.recorder;

import java.sql.Connection;
import java.sql.SQLException;

/** Statements run inside a transaction someone else opens and commits. */
interface SqlWork {
    void run(Connection c) throws SQLException;
}
