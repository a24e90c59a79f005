package org.execpolicy.pdp.model;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import org.execpolicy.pdp.json.Json;
import org.execpolicy.pdp.json.TimeOrderedIds;

/** The fields every Flight Recorder record starts with (SPEC.md section 4). */
public final class RecordEnvelope {
    private RecordEnvelope() {
    }

    public static ObjectNode of(String type, String actor, Instant at) {
        return of(type, actor, at.toString());
    }

    /** As above, at {@code timestamp}, an instant's ISO-8601 text: a decision's records share one. */
    public static ObjectNode of(String type, String actor, String timestamp) {
        return of(TimeOrderedIds.next(), type, actor, timestamp);
    }

    /** As above, with an id of the caller's (a decision's records take theirs from one group). */
    public static ObjectNode of(String eventId, String type, String actor, String timestamp) {
        ObjectNode record = Json.object();
        record.put("event_id", eventId);
        record.put("timestamp", timestamp);
        record.put("type", type);
        record.put("actor", actor);
        return record;
    }
}
