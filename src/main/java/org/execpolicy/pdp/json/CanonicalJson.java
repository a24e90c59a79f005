package org.execpolicy.pdp.json;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Objects;

/**
 * RFC 8785 JSON Canonicalization Scheme (JCS) over Jackson trees, so that equal JSON data always
 * hashes to the same bytes whatever its original formatting, member order or number spelling.
 *
 * <p>Rejects (with {@link IllegalArgumentException}) what JCS cannot represent: NaN, infinities,
 * numbers outside the double range, lone UTF-16 surrogates, and non-JSON nodes (binary, POJO,
 * missing).
 */
public final class CanonicalJson {

    private static final double TWO_POW_53 = 9007199254740992d;

    private CanonicalJson() {}

    /** The canonical JSON text of {@code node}. */
    public static String canonicalize(JsonNode node) {
        StringBuilder out = new StringBuilder();
        write(Objects.requireNonNull(node, "node"), out);
        return out.toString();
    }

    /** The canonical text as UTF-8, the byte form RFC 8785 hashes and signs. */
    public static byte[] canonicalBytes(JsonNode node) {
        return canonicalize(node).getBytes(StandardCharsets.UTF_8);
    }

    /** Lower-case hex SHA-256 of {@link #canonicalBytes}. */
    public static String sha256Hex(JsonNode node) {
        return Sha256.hex(canonicalBytes(node));
    }

    /** {@code s} as an RFC 8785 JSON string, quotes included. */
    public static String quote(String s) {
        StringBuilder out = new StringBuilder(s.length() + 2);
        writeString(s, out);
        return out.toString();
    }

    private static void write(JsonNode node, StringBuilder out) {
        switch (node.getNodeType()) {
            case OBJECT -> {
                // String.compareTo compares UTF-16 code units, exactly the order RFC 8785 3.2.3 asks for.
                // The names alone are sorted (an array of them, natural order), then each value looked up:
                // sorting the entries through a comparator was a quarter of this method's time.
                String[] names = new String[node.size()];
                int n = 0;
                for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
                    names[n++] = it.next();
                }
                Arrays.sort(names);
                out.append('{');
                for (int i = 0; i < n; i++) {
                    if (i > 0) {
                        out.append(',');
                    }
                    writeString(names[i], out);
                    out.append(':');
                    write(node.get(names[i]), out);
                }
                out.append('}');
            }
            case ARRAY -> {
                out.append('[');
                for (int i = 0; i < node.size(); i++) {
                    if (i > 0) {
                        out.append(',');
                    }
                    write(node.get(i), out);
                }
                out.append(']');
            }
            case STRING -> writeString(node.textValue(), out);
            case NUMBER -> out.append(formatNumber(toDouble(node)));
            case BOOLEAN -> out.append(node.booleanValue());
            case NULL -> out.append("null");
            default -> throw new IllegalArgumentException("Not a JSON value: " + node.getNodeType());
        }
    }

    /** JCS sees every number as an IEEE double, whatever Jackson node type carries it. */
    private static double toDouble(JsonNode node) {
        // Parsing the decimal text is correctly rounded; this also covers BigInteger beyond long.
        double d = node.isBigDecimal() || node.isBigInteger()
                ? Double.parseDouble(node.numberValue().toString())
                : node.doubleValue();
        if (!Double.isFinite(d)) {
            throw new IllegalArgumentException("JSON number is not a finite double: " + node);
        }
        return d;
    }

    /** ECMAScript Number.prototype.toString, as required by RFC 8785 section 3.2.2.3. */
    private static String formatNumber(double d) {
        if (!Double.isFinite(d)) {
            throw new IllegalArgumentException("NaN and Infinity are not valid JSON numbers: " + d);
        }
        if (d == 0) {
            return "0"; // also -0
        }
        if (d < 0) {
            return "-" + formatNumber(-d);
        }
        if (d < TWO_POW_53 && d == Math.rint(d)) {
            return Long.toString((long) d); // fast path: exact integers need no digit search
        }
        BigDecimal shortest = shortestDigits(d);
        String digits = shortest.unscaledValue().toString(); // k significant digits, no trailing zeros
        int k = digits.length();
        int n = k - shortest.scale(); // value = 0.digits * 10^n, as in the ECMAScript spec
        if (k <= n && n <= 21) {
            return digits + "0".repeat(n - k);
        }
        if (0 < n && n <= 21) {
            return digits.substring(0, n) + "." + digits.substring(n);
        }
        if (-6 < n && n <= 0) {
            return "0." + "0".repeat(-n) + digits;
        }
        int e = n - 1;
        String mantissa = k == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
        return mantissa + "e" + (e < 0 ? "-" : "+") + Math.abs(e);
    }

    /**
     * The fewest decimal digits that read back as {@code d}, and of those the closest to it.
     * Double.toString cannot be used: before JDK 19 it sometimes emits a digit too many.
     */
    private static BigDecimal shortestDigits(double d) {
        BigDecimal exact = new BigDecimal(d);
        for (int precision = 1; precision <= 17; precision++) {
            // The nearest p-digit decimal is the preferred answer when it round-trips...
            BigDecimal nearest = exact.round(new MathContext(precision, RoundingMode.HALF_EVEN));
            if (roundTrips(nearest, d)) {
                return nearest.stripTrailingZeros();
            }
            // ...but next to a power of two the round-trip interval is lopsided, so the p-digit
            // decimal on the other side of d may still read back as d while the nearest does not.
            RoundingMode other = nearest.compareTo(exact) > 0 ? RoundingMode.FLOOR : RoundingMode.CEILING;
            BigDecimal farther = exact.round(new MathContext(precision, other));
            if (roundTrips(farther, d)) {
                return farther.stripTrailingZeros();
            }
        }
        throw new AssertionError("17 significant digits always round-trip a double: " + d);
    }

    private static boolean roundTrips(BigDecimal candidate, double d) {
        return Double.parseDouble(candidate.toString()) == d;
    }

    /**
     * JSON.stringify string escaping (RFC 8785 section 3.2.2.2); all else is emitted literally. Runs
     * that need no escape (nearly every string of a record) are appended whole: this is on the path
     * of every record's content hash.
     */
    private static void writeString(String s, StringBuilder out) {
        out.append('"');
        if (needsNoEscape(s)) {
            // append(String) copies the string's bytes at once; append(s, from, to) goes a char at a time
            out.append(s).append('"');
            return;
        }
        int run = 0; // start of the characters not yet appended, none of which needs an escape
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c != '"' && c != '\\' && !Character.isSurrogate(c)) {
                continue;
            }
            if (Character.isSurrogate(c)) {
                // A lone surrogate has no UTF-8 form: encoding would silently turn it into '?'
                // and let different strings share one hash, so refuse it (I-JSON, RFC 7493).
                boolean paired = Character.isHighSurrogate(c) && i + 1 < s.length()
                        && Character.isLowSurrogate(s.charAt(i + 1));
                if (!paired) {
                    throw new IllegalArgumentException("Lone surrogate U+"
                            + Integer.toHexString(c).toUpperCase() + " at index " + i);
                }
                i++; // a pair is emitted literally, within the run
                continue;
            }
            out.append(s, run, i).append(escape(c));
            run = i + 1;
        }
        out.append(s, run, s.length()).append('"');
    }

    private static boolean needsNoEscape(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == '"' || c == '\\' || Character.isSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    private static String escape(char c) {
        return switch (c) {
            case '"' -> "\\\"";
            case '\\' -> "\\\\";
            case '\b' -> "\\b";
            case '\t' -> "\\t";
            case '\n' -> "\\n";
            case '\f' -> "\\f";
            case '\r' -> "\\r";
            default -> String.format("\\u%04x", (int) c);
        };
    }
}
