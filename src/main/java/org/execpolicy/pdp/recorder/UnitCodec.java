package org.execpolicy.pdp.recorder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.execpolicy.pdp.json.CanonicalJson;
import org.execpolicy.pdp.json.Json;
import org.execpolicy.pdp.json.Sha256;
import org.execpolicy.pdp.json.TimeOrderedIds;

/**
 * Records to stored units and back. A decision ({@code llm_exec_policy}) and the
 * {@code policy_rule_fired} records that follow it are one unit, stored as
 * {@code {"decision": ..., "facts": [...], "firings": [[rule_name, [fact index, ...]], ...]}}: what
 * every firing of a decision shares (ids, time, decision, trace, ruleset digest) comes from the
 * decision, a rule's package and description from the {@link RuleCatalog}, and a matched fact's
 * text is kept once per decision however many firings matched it. Any other record is a unit of
 * its own, stored as its RFC 8785 JSON.
 *
 * <p>A firing is folded into its decision only if decoding gives back exactly the same record, which
 * is checked field by field here; one that would not is stored as a unit of its own. So what is
 * read back, hashed and verified is always what was appended.
 */
final class UnitCodec {
    static final String FIRED = "policy_rule_fired";
    static final String DECISION = "llm_exec_policy";
    static final Set<String> FIRING_FIELDS = Set.of("actor", "decision_id", "event_id", "matched",
            "policy_decision_id", "rule_description", "rule_name", "rule_package", "ruleset_digest", "seq",
            "timestamp", "trace_id", "type");
    /** The members a stored record never carries itself: the writer's chain adds them. */
    static final Set<String> CHAIN_MEMBERS = Set.of("node_id", "chain_seq", "prev_hash", "content_hash", "record_hash");

    private final RuleCatalog rules;

    UnitCodec(RuleCatalog rules) {
        this.rules = rules;
    }

    /** The units of one append, in order. */
    List<EvidenceUnit> encode(List<ObjectNode> records) {
        List<EvidenceUnit> units = new ArrayList<>();
        for (int i = 0; i < records.size(); ) {
            ObjectNode first = records.get(i);
            requireNoChainMembers(first);
            int end = i + 1;
            if (DECISION.equals(first.path("type").asText()) && isGroupId(first)) {
                while (end < records.size() && end - i < TimeOrderedIds.GROUP_SIZE
                        && foldable(first, records.get(end), end - i)) {
                    end++;
                }
            }
            units.add(end == i + 1 ? single(first) : decision(records.subList(i, end)));
            i = end;
        }
        return units;
    }

    /** The records of a stored unit, oldest first, without their chain members. */
    List<ObjectNode> decode(int recordCount, byte[] body) {
        ObjectNode stored = RecordJson.read(UnitCompression.decompress(body));
        if (recordCount == 1) {
            return List.of(stored);
        }
        ObjectNode decision = (ObjectNode) stored.get("decision");
        if (stored.get("firings").size() != recordCount - 1) {
            throw new IllegalStateException("stored unit holds " + (stored.get("firings").size() + 1)
                    + " records, its row says " + recordCount);
        }
        JsonNode facts = stored.get("facts");
        String digest = decision.path("ruleset_digest").asText();
        List<ObjectNode> records = new ArrayList<>(recordCount);
        records.add(decision);
        int seq = 1;
        for (JsonNode firing : stored.get("firings")) {
            String name = firing.get(0).asText();
            RuleCatalog.RuleText rule = rules.rule(digest, name).orElseThrow(() -> new IllegalStateException(
                    "stored decision " + decision.path("decision_id").asText() + " names rule '" + name
                            + "' that ruleset " + digest + " does not have"));
            ObjectNode record = Json.object();
            record.put("actor", "system");
            record.put("decision_id", decision.path("decision_id").asText());
            record.put("event_id", TimeOrderedIds.member(decision.path("event_id").asText(), seq));
            ArrayNode matched = record.putArray("matched");
            firing.get(1).forEach(index -> matched.add(facts.get(index.asInt())));
            // Folded firings carry it (see foldable) since decisions do (v2); units stored before then
            // hold neither, and must decode to exactly what was appended so their hashes still verify.
            if (decision.has("policy_decision_id")) {
                record.put("policy_decision_id", decision.path("decision_id").asText());
            }
            record.put("rule_description", rule.description());
            record.put("rule_name", name);
            record.put("rule_package", rule.rulePackage());
            record.put("ruleset_digest", digest);
            record.put("seq", seq++);
            record.put("timestamp", decision.path("timestamp").asText());
            record.put("trace_id", decision.path("trace_id").asText());
            record.put("type", FIRED);
            records.add(record);
        }
        return records;
    }

    /** The unit's first record (a decision, or the only record) without decoding the rest. */
    static ObjectNode firstRecord(int recordCount, byte[] body) {
        ObjectNode stored = RecordJson.read(UnitCompression.decompress(body));
        return recordCount == 1 ? stored : (ObjectNode) stored.get("decision");
    }

    /** SHA-256 of the record's RFC 8785 JSON: the record without chain members. */
    static String contentHash(ObjectNode record) {
        return Sha256.hex(CanonicalJson.canonicalize(record));
    }

    private static EvidenceUnit single(ObjectNode record) {
        String canonical = CanonicalJson.canonicalize(record);
        return unit(record, List.of(Sha256.hex(canonical)), canonical);
    }

    private static EvidenceUnit decision(List<ObjectNode> records) {
        ObjectNode decision = records.get(0);
        String decisionJson = CanonicalJson.canonicalize(decision);
        List<String> hashes = new ArrayList<>(records.size());
        hashes.add(Sha256.hex(decisionJson));
        Map<String, Integer> factIndex = new HashMap<>();
        // the facts' text as canonical JSON, from the texts the firings' hashes quoted already
        StringBuilder facts = new StringBuilder(4096).append('[');
        ArrayNode firings = Json.MAPPER.createArrayNode();
        FiringText firingText = new FiringText();
        for (ObjectNode firing : records.subList(1, records.size())) {
            hashes.add(Sha256.hex(firingText.of(firing)));
            ArrayNode matched = Json.MAPPER.createArrayNode();
            for (JsonNode fact : firing.get("matched")) {
                matched.add(factIndex.computeIfAbsent(fact.textValue(), text -> {
                    facts.append(factIndex.isEmpty() ? "" : ",").append(firingText.quoted(text));
                    return factIndex.size();
                }));
            }
            firings.addArray().add(firing.get("rule_name").asText()).add(matched);
        }
        String body = "{\"decision\":" + decisionJson + ",\"facts\":" + facts.append(']')
                + ",\"firings\":" + CanonicalJson.canonicalize(firings) + "}";
        return unit(decision, hashes, body);
    }

    private static EvidenceUnit unit(ObjectNode first, List<String> hashes, String body) {
        String type = first.path("type").asText();
        OffsetDateTime ts;
        try {
            ts = utc(first.path("timestamp").asText());
        } catch (DateTimeParseException e) {
            throw new RecordRejectedException(type, "/timestamp", type + " record rejected at '/timestamp': "
                    + e.getMessage());
        }
        boolean traceReserved = DECISION.equals(type) && first.path("trace_artifact_ref").isTextual();
        return new EvidenceUnit(first.path("event_id").asText(), type, ts, textOrNull(first.get("trace_id")),
                textOrNull(first.get("decision_id")), traceReserved, List.copyOf(hashes),
                UnitCompression.compress(body));
    }

    /**
     * The record's time in UTC. The PDP's own records carry Instant.toString()'s form
     * (2026-11-30T14:00:21.345652Z), read here digit by digit: OffsetDateTime.parse was 2% of the
     * decision threads' CPU. Any other form, and any that does not make a date, goes to
     * OffsetDateTime.parse, which accepts what it accepts and names what it refuses.
     */
    static OffsetDateTime utc(String text) {
        int n = text.length();
        if (n >= 20 && n <= 30 && n != 21 && text.charAt(4) == '-' && text.charAt(7) == '-'
                && text.charAt(10) == 'T' && text.charAt(13) == ':' && text.charAt(16) == ':'
                && text.charAt(n - 1) == 'Z' && (n == 20 || text.charAt(19) == '.')) {
            int year = digits(text, 0, 4);
            int month = digits(text, 5, 7);
            int day = digits(text, 8, 10);
            int hour = digits(text, 11, 13);
            int minute = digits(text, 14, 16);
            int second = digits(text, 17, 19);
            int fraction = n == 20 ? 0 : digits(text, 20, n - 1);
            if ((year | month | day | hour | minute | second | fraction) >= 0) {
                try {
                    int nanos = fraction;
                    for (int scale = n - 21; scale < 9; scale++) {
                        nanos *= 10;
                    }
                    return OffsetDateTime.of(year, month, day, hour, minute, second, n == 20 ? 0 : nanos,
                            ZoneOffset.UTC);
                } catch (java.time.DateTimeException e) {
                    // not a date (February 30th, hour 24): let the parser say so
                }
            }
        }
        return OffsetDateTime.parse(text).withOffsetSameInstant(ZoneOffset.UTC);
    }

    /** The decimal number of text[from, to), or -1 when any of it is not an ASCII digit. */
    private static int digits(String text, int from, int to) {
        int value = 0;
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    /** True when decoding the decision's unit would give back exactly this firing as record {@code seq}. */
    private boolean foldable(ObjectNode decision, ObjectNode firing, int seq) {
        if (!FIRED.equals(firing.path("type").asText()) || firing.size() != FIRING_FIELDS.size()) {
            return false;
        }
        for (Iterator<String> names = firing.fieldNames(); names.hasNext(); ) {
            if (!FIRING_FIELDS.contains(names.next())) {
                return false;
            }
        }
        String digest = decision.path("ruleset_digest").asText(null);
        boolean shared = "system".equals(firing.get("actor").asText(null))
                && decision.get("decision_id") != null && decision.get("decision_id").isTextual()
                && decision.get("decision_id").equals(firing.get("decision_id"))
                && decision.get("decision_id").equals(firing.get("policy_decision_id"))
                && decision.get("decision_id").equals(decision.get("policy_decision_id"))
                && decision.get("trace_id") != null && decision.get("trace_id").isTextual()
                && decision.get("trace_id").equals(firing.get("trace_id"))
                && decision.get("timestamp").equals(firing.get("timestamp"))
                && digest != null && isText(firing.get("ruleset_digest"), digest)
                && firing.get("seq").isIntegralNumber() && firing.get("seq").asLong() == seq
                && isText(firing.get("event_id"), TimeOrderedIds.member(decision.get("event_id").asText(), seq))
                && firing.get("rule_name").isTextual() && allText(firing.get("matched"));
        if (!shared) {
            return false;
        }
        Optional<RuleCatalog.RuleText> rule = rules.rule(digest, firing.get("rule_name").asText());
        return rule.isPresent() && isText(firing.get("rule_package"), rule.get().rulePackage())
                && isText(firing.get("rule_description"), rule.get().description());
    }

    private static boolean isGroupId(ObjectNode decision) {
        String id = decision.path("event_id").asText("");
        try {
            return TimeOrderedIds.groupOf(id).equals(id);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static boolean allText(JsonNode array) {
        if (array == null || !array.isArray()) {
            return false;
        }
        for (JsonNode item : array) {
            if (!item.isTextual()) {
                return false;
            }
        }
        return true;
    }

    private static void requireNoChainMembers(ObjectNode record) {
        for (String member : CHAIN_MEMBERS) {
            if (record.has(member)) {
                String type = record.path("type").asText();
                throw new RecordRejectedException(type, "/" + member, type + " record rejected at '/" + member
                        + "': chain members are added by the recorder");
            }
        }
    }

    private static String textOrNull(JsonNode node) {
        return node != null && node.isTextual() ? node.asText() : null;
    }

    /** Text equality that treats a missing or non-text node as unequal. */
    private static boolean isText(JsonNode node, String text) {
        return node != null && node.isTextual() && node.asText().equals(text);
    }
}
