package org.execpolicy.pdp.recorder;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/** Reads node_keys and chain_checkpoints (V3). */
final class ChainCheckpointRows {
    private ChainCheckpointRows() {
    }

    /** The node's registered public key (X.509, base64), or null. */
    static String publicKey(Connection c, String nodeId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT public_key FROM node_keys WHERE node_id = ?")) {
            ps.setString(1, nodeId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    /** The node's checkpoint of the furthest chain position, or null. */
    static SignedCheckpoint latest(Connection c, String nodeId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT chain_seq, record_hash, signed_at, signature"
                + " FROM chain_checkpoints WHERE node_id = ? ORDER BY node_id DESC, chain_seq DESC LIMIT 1")) {
            ps.setString(1, nodeId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new SignedCheckpoint(nodeId, rs.getLong(1), rs.getString(2), rs.getString(3),
                        rs.getString(4)) : null;
            }
        }
    }

    /** The record_hash of the record at {@code seq} when a stored unit ends there, else null. */
    static String hashAtUnitEnd(Connection c, String nodeId, long seq) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT head_hash FROM evidence"
                + " WHERE node_id = ? AND chain_seq <= ? AND chain_seq + record_count - 1 = ?")) {
            ps.setString(1, nodeId);
            ps.setLong(2, seq);
            ps.setLong(3, seq);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }
}
