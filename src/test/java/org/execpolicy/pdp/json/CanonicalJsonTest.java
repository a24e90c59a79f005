package org.execpolicy.pdp.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * RFC 8785 conformance. The RFC samples live in src/test/resources/rfc8785 because their
 * {@code \}{@code u000a}/{@code \}{@code u0022} escapes cannot be written in Java source: javac
 * translates unicode escapes before it tokenizes string literals.
 */
class CanonicalJsonTest {

    /** Floats as DoubleNode (not BigDecimal), the same view of numbers JCS takes. */
    private static final JsonMapper MAPPER =
            JsonMapper.builder().disable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).build();

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    // RFC 8785 section 3.2.2 sample input -> section 3.2.3 canonical form.
    @Test
    void rfc_sample_canonicalizes_to_published_output() throws IOException {
        JsonNode input = MAPPER.readTree(resource("sample-input.json"));

        assertThat(input.get("numbers").get(0)).isInstanceOf(DoubleNode.class);
        assertThat(CanonicalJson.canonicalize(input)).isEqualTo(resource("sample-output.json"));
    }

    // RFC 8785 section 3.2.4: the same sample as UTF-8 bytes.
    @Test
    void rfc_sample_produces_published_utf8_bytes() throws IOException {
        JsonNode input = MAPPER.readTree(resource("sample-input.json"));
        String expectedHex = resource("sample-output-utf8.hex").replaceAll("\\s+", "");

        assertThat(HexFormat.of().formatHex(CanonicalJson.canonicalBytes(input))).isEqualTo(expectedHex);
    }

    // RFC 8785 section 3.2.3: member names sort by UTF-16 code units, not code points or locale.
    @Test
    void rfc_sorting_example_orders_by_utf16_code_units() throws IOException {
        String canonical = CanonicalJson.canonicalize(MAPPER.readTree(resource("sorting-input.json")));

        Matcher values = Pattern.compile(":\"([^\"]*)\"").matcher(canonical);
        List<String> order = values.results().map(m -> m.group(1)).collect(Collectors.toList());
        assertThat(order).containsExactly(
                "Carriage Return",
                "One",
                "Control",
                "Latin Small Letter O With Diaeresis",
                "Euro Sign",
                "Emoji: Grinning Face",
                "Hebrew Letter Dalet With Dagesh");
        assertThat(canonical).isEqualTo("{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u0080\":\"Control\","
                + "\"\u00f6\":\"Latin Small Letter O With Diaeresis\",\"\u20ac\":\"Euro Sign\","
                + "\"\ud83d\ude00\":\"Emoji: Grinning Face\",\"\ufb33\":\"Hebrew Letter Dalet With Dagesh\"}");
    }

    // RFC 8785 Appendix B: IEEE 754 bit patterns and their required serialization.
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "0000000000000000, 0",
        "8000000000000000, 0",
        "0000000000000001, 5e-324",
        "8000000000000001, -5e-324",
        "7fefffffffffffff, 1.7976931348623157e+308",
        "ffefffffffffffff, -1.7976931348623157e+308",
        "4340000000000000, 9007199254740992",
        "c340000000000000, -9007199254740992",
        "4430000000000000, 295147905179352830000",
        "44b52d02c7e14af5, 9.999999999999997e+22",
        "44b52d02c7e14af6, 1e+23",
        "44b52d02c7e14af7, 1.0000000000000001e+23",
        "444b1ae4d6e2ef4e, 999999999999999700000",
        "444b1ae4d6e2ef4f, 999999999999999900000",
        "444b1ae4d6e2ef50, 1e+21",
        "3eb0c6f7a0b5ed8c, 9.999999999999997e-7",
        "3eb0c6f7a0b5ed8d, 0.000001",
        "41b3de4355555553, 333333333.3333332",
        "41b3de4355555554, 333333333.33333325",
        "41b3de4355555555, 333333333.3333333",
        "41b3de4355555556, 333333333.3333334",
        "41b3de4355555557, 333333333.33333343",
        "becbf647612f3696, -0.0000033333333333333333",
        "43143ff3c1cb0959, 1424953923781206.2",
    })
    void appendixBNumbers(String ieeeHex, String expected) {
        double value = Double.longBitsToDouble(Long.parseUnsignedLong(ieeeHex, 16));

        assertThat(CanonicalJson.canonicalize(DoubleNode.valueOf(value))).isEqualTo(expected);
    }

    // Appendix B lists NaN (7fffffffffffffff) and Infinity (7ff0000000000000) as errors.
    @ParameterizedTest
    @ValueSource(strings = {"7fffffffffffffff", "7ff0000000000000", "fff0000000000000"})
    void non_finite_numbers_are_rejected(String ieeeHex) {
        double value = Double.longBitsToDouble(Long.parseUnsignedLong(ieeeHex, 16));
        ArrayNode nested = NODES.arrayNode().add(1).add(value);

        assertThatThrownBy(() -> CanonicalJson.canonicalize(DoubleNode.valueOf(value)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CanonicalJson.canonicalize(nested))
                .isInstanceOf(IllegalArgumentException.class);
    }

    // Before JDK 19 Double.toString does not always give the shortest digits: it prints 2e23 as
    // 1.9999999999999998E23, 8.41e21 as 8.409999999999999E21 and 5e-324 as 4.9E-324.
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "2e23, 2e+23",
        "1.0E23, 1e+23",
        "8.41E21, 8.41e+21",
        "5.0E-324, 5e-324",
        "0.1, 0.1",
        "-1.5, -1.5",
        "100, 100",
        "1e21, 1e+21",
        "123456789012345680000, 123456789012345680000",
        "0.000001, 0.000001",
        "0.0000001, 1e-7",
        "1.2345e-7, 1.2345e-7",
        "4.35, 4.35",
        "0.3, 0.3",
        "-0.0, 0",
    })
    void numbersUseEcmaScriptShortestForm(double value, String expected) {
        assertThat(CanonicalJson.canonicalize(DoubleNode.valueOf(value))).isEqualTo(expected);
    }

    // Powers of two whose shortest form lies on the far side of the value: the nearest candidate
    // with as many digits does not round-trip. Expected strings are node's JSON.stringify output.
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "0060000000000000, 7.120236347223045e-307",
        "0100000000000000, 7.291122019556398e-304",
        "0d70000000000000, 5.858190679279809e-244",
    })
    void powersOfTwoWithLopsidedRoundTripInterval(String ieeeHex, String expected) {
        double value = Double.longBitsToDouble(Long.parseUnsignedLong(ieeeHex, 16));

        assertThat(CanonicalJson.canonicalize(DoubleNode.valueOf(value))).isEqualTo(expected);
    }

    @Test
    void integral_and_decimal_nodes_are_serialized_as_doubles() {
        assertThat(CanonicalJson.canonicalize(IntNode.valueOf(1))).isEqualTo("1");
        assertThat(CanonicalJson.canonicalize(IntNode.valueOf(-42))).isEqualTo("-42");
        assertThat(CanonicalJson.canonicalize(LongNode.valueOf(9007199254740992L))).isEqualTo("9007199254740992");
        // 2^53 + 1 is not a double: JCS rounds it to the nearest one, 2^53.
        assertThat(CanonicalJson.canonicalize(LongNode.valueOf(9007199254740993L))).isEqualTo("9007199254740992");
        assertThat(CanonicalJson.canonicalize(LongNode.valueOf(Long.MAX_VALUE))).isEqualTo("9223372036854776000");
        assertThat(CanonicalJson.canonicalize(BigIntegerNode.valueOf(BigInteger.TEN.pow(30)))).isEqualTo("1e+30");
        assertThat(CanonicalJson.canonicalize(DecimalNode.valueOf(new BigDecimal("4.50")))).isEqualTo("4.5");
        assertThat(CanonicalJson.canonicalize(DecimalNode.valueOf(new BigDecimal("333333333.33333329"))))
                .isEqualTo("333333333.3333333");
        assertThat(CanonicalJson.canonicalize(DecimalNode.valueOf(new BigDecimal("1E-27")))).isEqualTo("1e-27");
    }

    @Test
    void numbers_beyond_double_range_are_rejected() {
        assertThatThrownBy(() -> CanonicalJson.canonicalize(BigIntegerNode.valueOf(BigInteger.TEN.pow(400))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CanonicalJson.canonicalize(DecimalNode.valueOf(new BigDecimal("1e400"))))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void same_data_in_any_layout_gives_same_canonical_form() throws IOException {
        JsonNode a = MAPPER.readTree("{ \"b\" : [3, {\"z\":1,\"a\":2.0}], \"a\" : {\"y\":null,\"x\":true} }");
        JsonNode b = MAPPER.readTree("{\"a\":{\"x\":true,\"y\":null},\"b\":[3,{\"a\":2,\"z\":1e0}]}");

        assertThat(CanonicalJson.canonicalize(a)).isEqualTo("{\"a\":{\"x\":true,\"y\":null},\"b\":[3,{\"a\":2,\"z\":1}]}");
        assertThat(CanonicalJson.canonicalize(b)).isEqualTo(CanonicalJson.canonicalize(a));
        assertThat(CanonicalJson.canonicalize(MAPPER.readTree("{}"))).isEqualTo("{}");
        assertThat(CanonicalJson.canonicalize(MAPPER.readTree("[ ]"))).isEqualTo("[]");
    }

    @Test
    void strings_are_escaped_like_json_stringify() {
        String raw = "\"\\\b\f\n\r\t\u0000\u001f\u007f/\u00e9\u2028\ud83d\ude00";

        assertThat(CanonicalJson.canonicalize(TextNode.valueOf(raw)))
                .isEqualTo("\"\\\"\\\\\\b\\f\\n\\r\\t\\u0000\\u001f\u007f/\u00e9\u2028\ud83d\ude00\"");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a\ud800b", "a\udc00b", "end\ud83d", "\ude00\ud83d"})
    void lone_surrogates_are_rejected_in_values_and_names(String text) {
        ObjectNode withName = NODES.objectNode().put(text, 1);

        assertThatThrownBy(() -> CanonicalJson.canonicalize(TextNode.valueOf(text)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CanonicalJson.canonicalize(withName))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void non_json_nodes_are_rejected() {
        assertThatThrownBy(() -> CanonicalJson.canonicalize(NODES.binaryNode(new byte[] {1})))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CanonicalJson.canonicalize(NODES.missingNode()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void sha256_hex_hashes_the_canonical_utf8_bytes() throws Exception {
        JsonNode input = MAPPER.readTree(resource("sample-input.json"));
        byte[] expectedDigest = MessageDigest.getInstance("SHA-256")
                .digest(resource("sample-output.json").getBytes(StandardCharsets.UTF_8));

        assertThat(CanonicalJson.sha256Hex(input))
                .isEqualTo(HexFormat.of().formatHex(expectedDigest))
                .matches("[0-9a-f]{64}");
    }

    @Test
    void sha256_hex_of_simple_object_matches_known_digest() throws Exception {
        JsonNode input = MAPPER.readTree("{\"b\": 1, \"a\": \"x\", \"c\": [true, 2.0]}");
        String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest("{\"a\":\"x\",\"b\":1,\"c\":[true,2]}".getBytes(StandardCharsets.UTF_8)));

        assertThat(CanonicalJson.sha256Hex(input)).isEqualTo(expected);
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = CanonicalJsonTest.class.getResourceAsStream("/rfc8785/" + name)) {
            assertThat(in).as("test resource rfc8785/%s", name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
