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
        ObjectNode record = Json.object();
        record.put("event_id", TimeOrderedIds.next());
        record.put("timestamp", at.toString());
        record.put("type", type);
        record.put("actor", actor);
        return record;
    }
}
