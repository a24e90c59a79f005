package org.execpolicy.pdp.recorder;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * A row of {@code evidence} as read back: where its records sit in their node's chain and their
 * stored text. {@link #records} gives every record with its chain members recomputed from the text
 * alone, so what a reader is served is exactly what verification checks.
 */
record StoredUnit(long seq, String nodeId, long chainSeq, int recordCount, String prevHash, String headHash,
                  byte[] body) {

    /** The columns {@link #read} expects, in order. */
    static final String COLUMNS = "seq, node_id, chain_seq, record_count, prev_hash, head_hash, body";

    static StoredUnit read(ResultSet rs) throws SQLException {
        return new StoredUnit(rs.getLong(1), rs.getString(2), rs.getLong(3), rs.getInt(4), rs.getString(5),
                rs.getString(6), rs.getBytes(7));
    }

    /** Position of record {@code index} for paging: units in commit order, records in chain order. */
    static long position(long seq, int index) {
        return seq * org.execpolicy.pdp.json.TimeOrderedIds.GROUP_SIZE + index;
    }

    /** The records, oldest first, each with node_id, chain_seq, prev_hash, content_hash and record_hash. */
    List<ObjectNode> records(UnitCodec codec) {
        List<ObjectNode> records = codec.decode(recordCount, body);
        List<ObjectNode> chained = new ArrayList<>(records.size());
        String prev = prevHash;
        long position = chainSeq;
        for (ObjectNode record : records) {
            String content = UnitCodec.contentHash(record);
            String hash = HashChain.recordHash(prev, content);
            record.put("node_id", nodeId);
            record.put("chain_seq", position++);
            record.put("prev_hash", prev);
            record.put("content_hash", content);
            record.put("record_hash", hash);
            chained.add(record);
            prev = hash;
        }
        return chained;
    }
}
