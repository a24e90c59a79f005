package org.execpolicy.pdp.recorder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/**
 * One row of {@code events}, taken from a validated record in the caller's
 * thread (canonical form included): the writer only links it into the hash
 * chain and binds values, and later changes to the caller's ObjectNode cannot
 * alter what is stored.
 */
record EventRow(String eventId, String type, OffsetDateTime ts, String traceId, String decisionId,
                CanonicalRecord record) {

    static EventRow of(ObjectNode record) {
        String type = record.path("type").asText();
        OffsetDateTime ts;
        try {
            ts = OffsetDateTime.parse(record.path("timestamp").asText()).withOffsetSameInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            throw new RecordRejectedException(type, "/timestamp", type + " record rejected at '/timestamp': " + e.getMessage());
        }
        return new EventRow(
                record.path("event_id").asText(),
                type,
                ts,
                textOrNull(record.get("trace_id")),
                textOrNull(record.get("decision_id")),
                CanonicalRecord.of(record));
    }

    private static String textOrNull(JsonNode node) {
        return node != null && node.isTextual() ? node.asText() : null;
    }
}
