package org.execpolicy.pdp.recorder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.Map;
import java.util.TreeMap;
import org.execpolicy.pdp.model.CanonicalJson;

/**
 * A record in RFC 8785 form, kept as its sorted top-level members so that the
 * writer can add the chain fields without canonicalising the whole record again
 * on its (single) thread. String's natural order is UTF-16 code-unit order,
 * which is the order RFC 8785 sorts members in.
 */
final class CanonicalRecord {
    private final TreeMap<String, String> members;

    private CanonicalRecord(TreeMap<String, String> members) {
        this.members = members;
    }

    static CanonicalRecord of(ObjectNode record) {
        TreeMap<String, String> members = new TreeMap<>();
        record.fields().forEachRemaining(e -> members.put(e.getKey(), CanonicalJson.canonicalize(e.getValue())));
        return new CanonicalRecord(members);
    }

    /** A copy with one more member (a string or a whole number), in canonical form. */
    CanonicalRecord with(String name, JsonNode value) {
        TreeMap<String, String> copy = new TreeMap<>(members);
        copy.put(name, CanonicalJson.canonicalize(value));
        return new CanonicalRecord(copy);
    }

    CanonicalRecord with(String name, String value) {
        return with(name, TextNode.valueOf(value));
    }

    CanonicalRecord with(String name, long value) {
        return with(name, LongNode.valueOf(value));
    }

    /** The RFC 8785 canonical JSON text of the record. */
    String json() {
        StringBuilder out = new StringBuilder(members.size() * 48);
        out.append('{');
        boolean first = true;
        for (Map.Entry<String, String> member : members.entrySet()) {
            if (!first) {
                out.append(',');
            }
            first = false;
            out.append(CanonicalJson.canonicalize(TextNode.valueOf(member.getKey()))).append(':').append(member.getValue());
        }
        return out.append('}').toString();
    }
}
