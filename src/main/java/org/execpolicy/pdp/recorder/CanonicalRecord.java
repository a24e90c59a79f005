package org.execpolicy.pdp.recorder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.TreeMap;
import org.execpolicy.pdp.model.CanonicalJson;

/**
 * A record in RFC 8785 form, kept as its sorted, already serialised top-level
 * members (`"name":value`), so that the single writer thread only adds the
 * chain fields and joins, instead of canonicalising whole records. String's
 * natural order is UTF-16 code-unit order, the order RFC 8785 sorts members in.
 */
final class CanonicalRecord {
    private final TreeMap<String, String> members;

    private CanonicalRecord(TreeMap<String, String> members) {
        this.members = members;
    }

    static CanonicalRecord of(ObjectNode record) {
        TreeMap<String, String> members = new TreeMap<>();
        record.fields().forEachRemaining(e -> members.put(e.getKey(), member(e.getKey(), e.getValue())));
        return new CanonicalRecord(members);
    }

    /** A copy to add members to; this record stays as it is. */
    CanonicalRecord copy() {
        return new CanonicalRecord(new TreeMap<>(members));
    }

    CanonicalRecord put(String name, String value) {
        members.put(name, member(name, TextNode.valueOf(value)));
        return this;
    }

    CanonicalRecord put(String name, long value) {
        members.put(name, member(name, LongNode.valueOf(value)));
        return this;
    }

    /** The RFC 8785 canonical JSON text of the record. */
    String json() {
        return "{" + String.join(",", members.values()) + "}";
    }

    private static String member(String name, JsonNode value) {
        return CanonicalJson.canonicalize(TextNode.valueOf(name)) + ":" + CanonicalJson.canonicalize(value);
    }
}
