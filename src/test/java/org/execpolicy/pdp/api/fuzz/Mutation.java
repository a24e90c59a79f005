package org.execpolicy.pdp.api.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.ContainerNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import org.execpolicy.pdp.json.Json;

/**
 * One change to a valid body that may make it invalid: where ({@code where}, taken modulo the
 * places the kind applies to) and which variant of the kind. Tree mutations change the JSON;
 * text mutations change the bytes sent (truncation, duplicate keys, garbage, not JSON at all).
 * Raw JSON tokens Jackson cannot write (1e400, NaN, "\ud800") travel as marked strings that are
 * replaced in the text.
 */
record Mutation(Kind kind, int where, int variant) {

    enum Kind {
        REMOVE_FIELD, WRONG_TYPE, OUT_OF_RANGE_NUMBER, UNKNOWN_FIELD, LONG_STRING, HUGE_ARRAY, DEEP_NESTING,
        BAD_ENUM, LONE_SURROGATE, ODD_DATE_TIME, NULL_VALUE, EMPTY_VALUE, SPECIAL_NUMBER, CONTROL_CHARS,
        DUPLICATE_KEY, TRUNCATE, GARBAGE_BYTES, NOT_AN_OBJECT
    }

    private static final String RAW = "@@raw@@";
    private static final Pattern RAW_TOKEN = Pattern.compile("\"" + RAW + "([0-9a-f]*)" + RAW + "\"");

    static final List<String> NUMBERS = List.of("-1", "-0.0", "0.5", "1.5", "2", "255", "1e9", "2147483648",
            "9223372036854775808", "-9223372036854775809", "1e308", "1.7976931348623157e309", "1e400", "-1e400",
            "1e-400", "0.30000000000000004", "123456789012345678901234567890", "3.0", "-9007199254740993", "1E2");
    static final List<String> SPECIAL_NUMBERS = List.of("NaN", "Infinity", "-Infinity", "01", "1.", ".5", "+1",
            "0x10", "1e", "--1", "1_000");
    static final List<String> DATE_TIMES = List.of("2026-12-31T23:59:60Z", "2027-01-31t00:00:00z",
            "2027-01-31 00:00:00Z", "2027-01-31T00:00:00", "2027-02-30T00:00:00Z", "2027-01-31T24:00:00Z",
            "9999-12-31T23:59:59Z", "0000-01-01T00:00:00Z", "2027-01-31T00:00:00.1234567891Z",
            "2027-01-31T00:00:00+24:00", "2027-01-31T00:00:00-00:00", "+12027-01-31T00:00:00Z", "2027-01-31",
            "next tuesday", "");
    static final List<String> FIELD_NAMES = List.of("prompt", "messages", "x", "__proto__", "constructor", "",
            "trace_id ", "TRACE_ID", "$ref", "settings\u0000", "\u00e9l\u00e8ve");
    static final List<String> NOT_OBJECTS = List.of("[]", "[{}]", "\"text\"", "42", "null", "true", "", " ", "{",
            "}", "\ufeff{}", "{}{}", "{} trailing", "{\"a\":}", "{'a':1}", "{\"a\" 1}", "[" + "[".repeat(3000));

    static Arbitrary<Mutation> any() {
        return Combinators.combine(Arbitraries.of(Kind.class), Arbitraries.integers().between(0, 1 << 20),
                Arbitraries.integers().between(0, 1 << 20)).as(Mutation::new);
    }

    /** One to three mutations. */
    static Arbitrary<List<Mutation>> some() {
        return any().list().ofMinSize(1).ofMaxSize(3);
    }

    /** The body after the mutations, as the bytes to send. */
    static byte[] apply(ObjectNode valid, List<Mutation> mutations) {
        ObjectNode body = valid.deepCopy();
        JsonNode root = body;
        for (Mutation mutation : mutations) {
            root = mutation.applyToTree(root);
        }
        String text = RAW_TOKEN.matcher(root.toString()).replaceAll(m -> Matcher.quoteReplacement(
                new String(HexFormat.of().parseHex(m.group(1)), StandardCharsets.UTF_8)));
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        for (Mutation mutation : mutations) {
            bytes = mutation.applyToBytes(root, bytes);
        }
        return bytes;
    }

    /** A place in the tree: the container holding a value and the value's name or index there. */
    private record Slot(ContainerNode<?> parent, String field, int index, JsonNode value) {
        void set(JsonNode replacement) {
            if (parent instanceof ObjectNode object) {
                object.set(field, replacement);
            } else {
                ((ArrayNode) parent).set(index, replacement);
            }
        }
    }

    private static List<Slot> slots(JsonNode root, Predicate<Slot> filter) {
        List<Slot> slots = new ArrayList<>();
        collect(root, slots);
        slots.removeIf(filter.negate());
        return slots;
    }

    private static void collect(JsonNode node, List<Slot> out) {
        if (node instanceof ObjectNode object) {
            for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> member = it.next();
                out.add(new Slot(object, member.getKey(), -1, member.getValue()));
                collect(member.getValue(), out);
            }
        } else if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                out.add(new Slot(array, null, i, array.get(i)));
                collect(array.get(i), out);
            }
        }
    }

    private static List<ObjectNode> objects(JsonNode node, List<ObjectNode> out) {
        if (node instanceof ObjectNode object) {
            out.add(object);
        }
        node.forEach(child -> objects(child, out));
        return out;
    }

    private <T> T pick(List<T> choices) {
        return choices.get(Math.floorMod(where, choices.size()));
    }

    private <T> T variantOf(List<T> choices) {
        return choices.get(Math.floorMod(variant, choices.size()));
    }

    private static JsonNode raw(String token) {
        return TextNode.valueOf(RAW + HexFormat.of().formatHex(token.getBytes(StandardCharsets.UTF_8)) + RAW);
    }

    /** Slots that hold a value of the wanted sort, or every slot when there is none. */
    private static List<Slot> preferring(JsonNode root, Predicate<Slot> wanted) {
        List<Slot> preferred = slots(root, wanted);
        return preferred.isEmpty() ? slots(root, s -> true) : preferred;
    }

    private JsonNode applyToTree(JsonNode root) {
        List<Slot> all = slots(root, s -> true);
        if (all.isEmpty() && kind.ordinal() < Kind.DUPLICATE_KEY.ordinal() && kind != Kind.UNKNOWN_FIELD) {
            return root;
        }
        switch (kind) {
            case REMOVE_FIELD -> {
                List<Slot> members = slots(root, s -> s.parent() instanceof ObjectNode);
                if (!members.isEmpty()) {
                    Slot slot = pick(members);
                    ((ObjectNode) slot.parent()).remove(slot.field());
                }
            }
            case WRONG_TYPE -> {
                Slot slot = pick(all);
                List<JsonNode> others = new ArrayList<>(List.of(TextNode.valueOf("x"), IntNode.valueOf(7),
                        DoubleNode.valueOf(0.5), BooleanNode.TRUE, NullNode.getInstance(),
                        Json.MAPPER.createArrayNode(), Json.object(), TextNode.valueOf("7"), TextNode.valueOf("true")));
                others.removeIf(o -> o.getNodeType() == slot.value().getNodeType() && o.equals(slot.value()));
                others.removeIf(o -> o.getNodeType() == slot.value().getNodeType() && !o.isTextual());
                slot.set(variantOf(others));
            }
            case OUT_OF_RANGE_NUMBER -> pick(preferring(root, s -> s.value().isNumber())).set(raw(variantOf(NUMBERS)));
            case UNKNOWN_FIELD -> {
                ObjectNode object = pick(objects(root, new ArrayList<>()));
                String name = variant % 3 == 0 ? "f" + variant : variantOf(FIELD_NAMES);
                if (!object.has(name)) {
                    object.put(name, variant % 2 == 0 ? "my bank password is hunter2" : "1");
                }
            }
            case LONG_STRING -> pick(preferring(root, s -> s.value().isTextual()))
                    .set(TextNode.valueOf("s".repeat(variantOf(List.of(65, 129, 257, 2001, 4001, 65_536, 65_537, 200_000)))));
            case HUGE_ARRAY -> {
                int size = variantOf(List.of(9, 17, 33, 257, 1025, 5000));
                ArrayNode array = Json.MAPPER.createArrayNode();
                for (int i = 0; i < size; i++) {
                    if (variant % 2 == 0) {
                        array.add(i);
                    } else {
                        array.add("m" + i);
                    }
                }
                pick(preferring(root, s -> s.value().isArray())).set(array);
            }
            case DEEP_NESTING -> { // at most 3 x 300 levels: Jackson writes no more than 1000
                int depth = variantOf(List.of(8, 31, 32, 33, 64, 300));
                JsonNode nested = IntNode.valueOf(1);
                for (int i = 0; i < depth; i++) {
                    nested = (i + variant) % 2 == 0 ? Json.MAPPER.createArrayNode().add(nested)
                            : Json.object().set("n", nested);
                }
                pick(all).set(nested);
            }
            case BAD_ENUM -> {
                Slot slot = pick(preferring(root, s -> s.value().isTextual()));
                String value = slot.value().asText();
                slot.set(TextNode.valueOf(variantOf(List.of(value.toUpperCase(), " " + value, value + " ", "",
                        value + "\u0000", "unknown_" + variant, value.isEmpty() ? "x" : value.substring(1)))));
            }
            case LONE_SURROGATE -> pick(preferring(root, s -> s.value().isTextual()))
                    .set(raw(variantOf(List.of("\"\\ud800\"", "\"a\\udc00b\"", "\"\\udbff\\udbff\"", "\"x\\ud83d\""))));
            case ODD_DATE_TIME -> pick(preferring(root, s -> s.field() != null && s.field().endsWith("_at")))
                    .set(TextNode.valueOf(variantOf(DATE_TIMES)));
            case NULL_VALUE -> pick(all).set(NullNode.getInstance());
            case EMPTY_VALUE -> pick(all).set(variantOf(List.of(TextNode.valueOf(""), Json.object(),
                    Json.MAPPER.createArrayNode())));
            case SPECIAL_NUMBER -> pick(all).set(raw(variantOf(SPECIAL_NUMBERS)));
            case CONTROL_CHARS -> pick(preferring(root, s -> s.value().isTextual())).set(TextNode.valueOf(
                    variantOf(List.of("\u0000", "a\u0007b", "\r\n", "\u2028\u2029", "\ufeff", "\uffff", "\ufffe",
                            "\uD83D\uDE00", "\\", "\"", "</script>", "${jndi:ldap://x}", "%s%n", "'; DROP TABLE x; --"))));
            default -> {
                // text mutations: see applyToBytes
            }
        }
        return root;
    }

    private byte[] applyToBytes(JsonNode root, byte[] bytes) {
        switch (kind) {
            case DUPLICATE_KEY -> {
                List<String> names = new ArrayList<>();
                root.fieldNames().forEachRemaining(names::add);
                String text = new String(bytes, StandardCharsets.UTF_8);
                if (names.isEmpty() || !text.startsWith("{")) {
                    return bytes;
                }
                String name = pick(names);
                String duplicate = "\"" + name + "\":" + (variant % 2 == 0 ? "\"dup\"" : root.get(name).toString()) + ",";
                return ("{" + duplicate + text.substring(1)).getBytes(StandardCharsets.UTF_8);
            }
            case TRUNCATE -> {
                byte[] cut = new byte[Math.floorMod(where, Math.max(1, bytes.length))];
                System.arraycopy(bytes, 0, cut, 0, cut.length);
                return cut;
            }
            case GARBAGE_BYTES -> {
                if (bytes.length == 0) {
                    return bytes;
                }
                byte[] garbled = bytes.clone();
                int at = Math.floorMod(where, garbled.length);
                int count = 1 + Math.floorMod(variant, 8);
                for (int i = 0; i < count && at + i < garbled.length; i++) {
                    garbled[at + i] = (byte) (variant * 31 + i * 97);
                }
                return garbled;
            }
            case NOT_AN_OBJECT -> {
                return variantOf(NOT_OBJECTS).getBytes(StandardCharsets.UTF_8);
            }
            default -> {
                return bytes;
            }
        }
    }

    @Override
    public String toString() {
        return kind + "(where=" + where + ", variant=" + variant + ")";
    }
}
