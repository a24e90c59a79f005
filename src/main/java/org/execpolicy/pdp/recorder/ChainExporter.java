package org.execpolicy.pdp.recorder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * Writes stored records as JSON Lines, exactly as stored (RFC 8785 canonical
 * text with their chain fields), in chain order per node: an outsider checks
 * them with SHA-256 alone.
 */
final class ChainExporter {
    private final Database db;

    ChainExporter(Database db) {
        this.db = db;
    }

    /** @return how many records were written */
    long export(Instant since, Instant until, Writer out) {
        String sql = "SELECT body FROM events WHERE node_id IS NOT NULL"
                + (since == null ? "" : " AND ts >= ?") + (until == null ? "" : " AND ts < ?")
                + " ORDER BY node_id, chain_seq";
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(sql)) {
            int i = 1;
            if (since != null) {
                ps.setObject(i++, OffsetDateTime.ofInstant(since, ZoneOffset.UTC));
            }
            if (until != null) {
                ps.setObject(i, OffsetDateTime.ofInstant(until, ZoneOffset.UTC));
            }
            ps.setFetchSize(1000);
            long written = 0;
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.write(rs.getString(1));
                    out.write('\n');
                    written++;
                }
            }
            out.flush();
            return written;
        } catch (SQLException e) {
            throw new RecorderUnavailableException("cannot read the Flight Recorder: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
