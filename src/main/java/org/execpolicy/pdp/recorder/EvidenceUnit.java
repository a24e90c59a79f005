package org.execpolicy.pdp.recorder;

import java.time.OffsetDateTime;
import java.util.List;

/**
 * What one row of {@code evidence} stores: a decision with its rule firings, or a single record.
 * Built on the caller's thread ({@link UnitCodec}) with the content hash of every record, so the
 * single writer only links hashes into the chain and binds values.
 *
 * @param eventId the first record's event_id (the group id of a decision's records)
 * @param type    the first record's type
 * @param traceReserved whether the first record is a decision that reserved a trace artifact
 * @param body    the records' stored text, deflated ({@link UnitCodec})
 */
record EvidenceUnit(String eventId, String type, OffsetDateTime ts, String traceId, String decisionId,
                    boolean traceReserved, List<String> contentHashes, byte[] body) {

    int recordCount() {
        return contentHashes.size();
    }
}
