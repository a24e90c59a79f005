package org.execpolicy.pdp.recorder;

import com.fasterxml.jackson.databind.node.ObjectNode;
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
import org.execpolicy.pdp.json.CanonicalJson;

/**
 * Writes stored records as JSON Lines, each its RFC 8785 canonical text with its chain members
 * (node_id, chain_seq, prev_hash, content_hash, record_hash), in chain order per node: an outsider
 * checks them with SHA-256 and RFC 8785 alone (SPEC section 4).
 */
final class ChainExporter {
    private final Database db;
    private final UnitCodec codec;

    ChainExporter(Database db, UnitCodec codec) {
        this.db = db;
        this.codec = codec;
    }

    /** @return how many records were written */
    long export(Instant since, Instant until, Writer out) {
        String sql = "SELECT " + StoredUnit.COLUMNS + " FROM evidence WHERE 1 = 1"
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
                    for (ObjectNode record : StoredUnit.read(rs).records(codec)) {
                        out.write(CanonicalJson.canonicalize(record));
                        out.write('\n');
                        written++;
                    }
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
