package org.execpolicy.pdp.recorder;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.function.UnaryOperator;

/** Tampering as an attacker with database access would: edits the stored text of units, re-deflated. */
final class StoredText {
    private StoredText() {
    }

    /** Rewrites the text of every unit matching {@code where} (SQL on evidence); returns how many. */
    static int rewrite(Database db, String where, UnaryOperator<String> edit) throws SQLException {
        int changed = 0;
        try (Connection c = db.connection();
             PreparedStatement select = c.prepareStatement("SELECT seq, body FROM evidence WHERE " + where);
             PreparedStatement update = c.prepareStatement("UPDATE evidence SET body = ? WHERE seq = ?");
             ResultSet rs = select.executeQuery()) {
            while (rs.next()) {
                String text = UnitCompression.decompress(rs.getBytes(2));
                String edited = edit.apply(text);
                if (!edited.equals(text)) {
                    update.setBytes(1, UnitCompression.compress(edited));
                    update.setLong(2, rs.getLong(1));
                    changed += update.executeUpdate();
                }
            }
        }
        return changed;
    }
}
