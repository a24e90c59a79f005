package org.execpolicy.pdp.recorder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.execpolicy.pdp.json.CanonicalJson;

/**
 * The RFC 8785 text of the firings folded into one decision, what their content hashes are taken of.
 * A folded firing has exactly the firing members, all text but {@code seq} and {@code matched} (a
 * list of texts), and shares most of its values with its decision's other firings (ids, time, trace,
 * digest, matched facts): so the members are written in their fixed canonical order and each
 * value shared by reference is escaped once per decision, where walking each firing's tree sorted its members
 * and escaped every value again (a tenth of the decision threads' CPU). The text is the same as
 * {@link CanonicalJson#canonicalize}'s, which the verifier recomputes from the stored records. One
 * instance per decision.
 */
final class FiringText {
    /** The firing members in canonical order (String.compareTo: UTF-16 code units, RFC 8785 3.2.3), quoted. */
    private static final List<Map.Entry<String, String>> MEMBERS = UnitCodec.FIRING_FIELDS.stream().sorted()
            .map(name -> Map.entry(name, CanonicalJson.quote(name) + ":")).toList();

    /**
     * One decision's values, quoted, by identity: its firings hold the same strings (DecisionRecords puts
     * the same ids, time and digest in each; a fact's text is often the fact's cached one), and an
     * identity lookup reads none of their characters, where hashing and comparing them would.
     */
    private final Map<String, String> quotedValues = new IdentityHashMap<>(64); // a decision holds about 30

    /** The canonical text of {@code firing}, a firing folded by {@link UnitCodec}. */
    String of(ObjectNode firing) {
        StringBuilder out = new StringBuilder(1024);
        out.append('{');
        for (Map.Entry<String, String> member : MEMBERS) {
            if (out.length() > 1) {
                out.append(',');
            }
            out.append(member.getValue());
            JsonNode value = firing.get(member.getKey());
            if (value.isTextual()) {
                out.append(quoted(value.textValue()));
            } else if (value.isArray()) {
                out.append('[');
                for (int i = 0; i < value.size(); i++) {
                    out.append(i == 0 ? "" : ",").append(quoted(value.get(i).textValue()));
                }
                out.append(']');
            } else {
                out.append(CanonicalJson.canonicalize(value));
            }
        }
        return out.append('}').toString();
    }

    /** {@code text} as an RFC 8785 JSON string, quoted once per decision. */
    String quoted(String text) {
        return quotedValues.computeIfAbsent(text, CanonicalJson::quote);
    }
}
