package org.execpolicy.pdp.ruletest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.execpolicy.pdp.json.FieldError;

/**
 * What a test case expects of the answer. Fields are named and compared as
 * the HTTP answer has them (lists in order, null is a value); `rules_fired`
 * lists rules that must be among those that fired, in any order (a case with
 * a report: the decision's firings and the report's). `violations` and
 * `runtime_downgrade` are what report.drl concluded on the case's report.
 */
public final class Expectations {
    private record Kind(String name, Predicate<JsonNode> accepts) {
    }

    private static final Kind TEXT = new Kind("a string", JsonNode::isTextual);
    private static final Kind TEXT_OR_NULL = new Kind("a string or null", n -> n.isTextual() || n.isNull());
    private static final Kind BOOLEAN = new Kind("true or false", JsonNode::isBoolean);
    private static final Kind TEXT_LIST = new Kind("a list of strings",
            n -> n.isArray() && StreamSupport.stream(n.spliterator(), false).allMatch(JsonNode::isTextual));
    private static final Kind MAPPING = new Kind("a mapping", JsonNode::isObject);

    static final String RULES_FIRED = "rules_fired";
    /** What report.drl concluded on the case's report: the violation kinds, and whether it is a permitted downgrade. */
    static final String VIOLATIONS = "violations";
    static final String RUNTIME_DOWNGRADE = "runtime_downgrade";

    /** Every field an `expect` may hold, in the order differences are reported. */
    private static final Map<String, Kind> FIELDS = fields();

    private static Map<String, Kind> fields() {
        Map<String, Kind> fields = new LinkedHashMap<>();
        fields.put("requested_source", TEXT);
        fields.put("mode", TEXT);
        fields.put("exactness", TEXT);
        fields.put("downgraded", BOOLEAN);
        fields.put("downgrade_reason", TEXT_OR_NULL);
        fields.put("adjusted", BOOLEAN);
        fields.put("model_permitted", BOOLEAN);
        fields.put("reason_codes", TEXT_LIST);
        fields.put("waiver_ref", TEXT_OR_NULL);
        fields.put("adjustments", TEXT_LIST);
        fields.put("dropped_fields", TEXT_LIST);
        fields.put("codes", TEXT_LIST);
        fields.put("cloud_reasoning_strength", TEXT_OR_NULL);
        fields.put("trace_artifact_null_reason", TEXT_OR_NULL);
        fields.put("trace_expected", BOOLEAN);
        fields.put("effective_policy", MAPPING);
        fields.put(VIOLATIONS, TEXT_LIST);
        fields.put(RUNTIME_DOWNGRADE, BOOLEAN);
        fields.put(RULES_FIRED, TEXT_LIST);
        return fields;
    }

    /** Numbers compare by value: YAML's 0.3 and the policy's 0.3 may be different node types. */
    private static final Comparator<JsonNode> BY_VALUE = (a, b) -> a.isNumber() && b.isNumber()
            ? a.decimalValue().compareTo(b.decimalValue()) : a.equals(b) ? 0 : 1;

    private final JsonNode expect;

    private Expectations(JsonNode expect) {
        this.expect = expect;
    }

    /** Reads `expect` at pointer `at`; a case must expect at least one thing. */
    static Expectations read(JsonNode expect, String at, List<FieldError> problems) {
        if (expect == null || !expect.isObject() || expect.isEmpty()) {
            problems.add(new FieldError(at, "expect must be a mapping with at least one of: " + String.join(", ", FIELDS.keySet())));
            return null;
        }
        int before = problems.size();
        expect.fieldNames().forEachRemaining(field -> {
            Kind kind = FIELDS.get(field);
            if (kind == null) {
                problems.add(new FieldError(at + "/" + field, "unknown field '" + field + "' in expect (known: "
                        + String.join(", ", FIELDS.keySet()) + ")"));
            } else if (!kind.accepts().test(expect.get(field))) {
                problems.add(new FieldError(at + "/" + field, "expect." + field + " must be " + kind.name()));
            }
        });
        return problems.size() == before ? new Expectations(expect) : null;
    }

    /** Whether the case expects something only a report can give. */
    boolean expectsReport() {
        return expect.has(VIOLATIONS) || expect.has(RUNTIME_DOWNGRADE);
    }

    /** What differs, one phrase each; empty when the answer meets every expectation. */
    List<String> differences(JsonNode answer, Set<String> ruleNames) {
        List<String> differences = new ArrayList<>();
        for (String field : FIELDS.keySet()) {
            JsonNode expected = expect.get(field);
            if (expected == null) {
                continue;
            }
            if (field.equals(RULES_FIRED)) {
                List<String> fired = texts(answer.path("ruleset").path("rules_fired"));
                expected.forEach(rule -> {
                    if (!ruleNames.contains(rule.asText())) {
                        differences.add("rules_fired: no rule is named '" + rule.asText() + "'");
                    } else if (!fired.contains(rule.asText())) {
                        differences.add("rules_fired: '" + rule.asText() + "' did not fire");
                    }
                });
                continue;
            }
            JsonNode actual = answer.get(field);
            if (actual == null || !expected.equals(BY_VALUE, actual)) {
                differences.add(field + " expected " + show(expected) + " but was " + show(actual));
            }
        }
        return differences;
    }

    /** As an author wrote it: a list of codes as [A, B], a string bare, anything else as JSON. */
    private static String show(JsonNode value) {
        if (value == null || value.isNull()) {
            return "null";
        }
        if (value.isTextual()) {
            return value.asText();
        }
        if (value instanceof ArrayNode array && TEXT_LIST.accepts().test(array)) {
            return texts(array).stream().collect(Collectors.joining(", ", "[", "]"));
        }
        return value.toString();
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(item -> texts.add(item.asText()));
        return texts;
    }
}
