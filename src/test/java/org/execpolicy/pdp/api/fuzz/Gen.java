package org.execpolicy.pdp.api.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;
import org.execpolicy.pdp.json.Json;

/**
 * jqwik generators of valid request bodies, field by field as SPEC.md and openapi.yaml describe
 * them: decision requests with every field (exec_policy blocks included), Work Profiles,
 * waivers and dynamic roles. Optional fields are present about half the time.
 */
final class Gen {
    static final List<String> CORE_ROLES = List.of("frontend", "orchestrator", "worker", "validator");
    static final List<String> MODES =
            List.of("standard", "spec_decode", "early_exit", "layer_skip", "mixture_of_depths", "mem_offload");

    private Gen() {
    }

    // ---- building blocks

    /** One member of an object: its name, its values and how often (percent) it is present. */
    record Field(String name, Arbitrary<? extends JsonNode> value, int percent) {
    }

    static Field req(String name, Arbitrary<? extends JsonNode> value) {
        return new Field(name, value, 100);
    }

    static Field opt(String name, Arbitrary<? extends JsonNode> value) {
        return new Field(name, value, 50);
    }

    static Field opt(String name, Arbitrary<? extends JsonNode> value, int percent) {
        return new Field(name, value, percent);
    }

    static Arbitrary<ObjectNode> object(Field... fields) {
        List<Arbitrary<Optional<JsonNode>>> members = new ArrayList<>();
        for (Field field : fields) {
            Arbitrary<Optional<JsonNode>> present = field.value().map(v -> Optional.<JsonNode>of(v));
            members.add(field.percent() >= 100 ? present : Arbitraries.frequencyOf(
                    Tuple.of(field.percent(), present),
                    Tuple.of(100 - field.percent(), Arbitraries.just(Optional.<JsonNode>empty()))));
        }
        return Combinators.combine(members).as(values -> {
            ObjectNode object = Json.object();
            for (int i = 0; i < fields.length; i++) {
                String name = fields[i].name();
                values.get(i).ifPresent(v -> object.set(name, v.deepCopy()));
            }
            return object;
        });
    }

    static Arbitrary<JsonNode> text(Arbitrary<String> strings) {
        return strings.map(TextNode::valueOf);
    }

    static Arbitrary<JsonNode> oneOfTexts(List<String> values) {
        return Arbitraries.of(values).map(TextNode::valueOf);
    }

    static Arbitrary<JsonNode> ints(long min, long max) {
        return Arbitraries.longs().between(min, max).map(LongNode::valueOf);
    }

    static Arbitrary<JsonNode> unit() {
        return Arbitraries.doubles().between(0, 1).map(DoubleNode::valueOf);
    }

    static Arbitrary<JsonNode> bools() {
        return Arbitraries.of(true, false).map(BooleanNode::valueOf);
    }

    static Arbitrary<JsonNode> orNull(Arbitrary<JsonNode> value) {
        return Arbitraries.frequencyOf(Tuple.of(4, value), Tuple.of(1, Arbitraries.just(NullNode.getInstance())));
    }

    static Arbitrary<JsonNode> arrayOf(Arbitrary<JsonNode> items, int maxSize) {
        return items.list().ofMaxSize(maxSize).map(list -> {
            ArrayNode array = Json.MAPPER.createArrayNode();
            list.forEach(array::add);
            return array;
        });
    }

    /** Strings an id may be: mostly plain, sometimes any BMP text, an emoji, or exactly 256 long. */
    static Arbitrary<String> idStrings() {
        return Arbitraries.frequencyOf(
                Tuple.of(85, Arbitraries.strings().withCharRange('a', 'z').withCharRange('0', '9').withChars("-_.:@")
                        .ofMinLength(1).ofMaxLength(40)),
                Tuple.of(8, Arbitraries.strings().withCharRange('\u00a0', '\ud7ff').withChars(" \"\\/\t")
                        .ofMinLength(1).ofMaxLength(20)),
                Tuple.of(4, Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(8).map(s -> s + "\uD83D\uDE00")),
                Tuple.of(3, Arbitraries.just("i".repeat(256))));
    }

    static Arbitrary<JsonNode> ids() {
        return text(idStrings());
    }

    /** Free text up to the given length, control characters and quotes included. */
    static Arbitrary<JsonNode> freeText(int maxLength) {
        return text(Arbitraries.frequencyOf(
                Tuple.of(90, Arbitraries.strings().withCharRange(' ', '~').withCharRange('\u00a0', '\u024f')
                        .withChars("\n\t\u0001\u2028\ufeff").ofMinLength(1).ofMaxLength(Math.min(maxLength, 200))),
                Tuple.of(10, Arbitraries.integers().between(1, maxLength).map(n -> "t".repeat(n)))));
    }

    static final DateTimeFormatter RFC3339 = DateTimeFormatter.ISO_OFFSET_DATE_TIME;

    /** RFC 3339 date-times between 2000 and 2100, in UTC or with an offset, with or without fractions. */
    static Arbitrary<JsonNode> dateTimes() {
        return dateTimesFrom(946_684_800L); // 2000-01-01
    }

    /** Date-times from 2030 on: a waiver or deadline that is still running when the test runs. */
    static Arbitrary<JsonNode> futureDateTimes() {
        return dateTimesFrom(1_893_456_000L);
    }

    /** A waiver's expiry: from a day to 364 days ahead, the most the server takes being 365. */
    static Arbitrary<JsonNode> waiverExpiries() {
        long now = Instant.now().getEpochSecond();
        return dateTimesBetween(now + 86_400L, now + 364L * 86_400L);
    }

    private static Arbitrary<JsonNode> dateTimesFrom(long epochSecond) {
        return dateTimesBetween(epochSecond, 4_102_444_800L);
    }

    private static Arbitrary<JsonNode> dateTimesBetween(long fromEpochSecond, long toEpochSecond) {
        Arbitrary<Instant> instants = Arbitraries.longs().between(fromEpochSecond, toEpochSecond)
                .flatMap(seconds -> Arbitraries.of(0, 500_000_000, 123_456_789)
                        .map(nanos -> Instant.ofEpochSecond(seconds, nanos)));
        Arbitrary<ZoneOffset> offsets = Arbitraries.of(ZoneOffset.UTC, ZoneOffset.ofHours(2),
                ZoneOffset.ofHoursMinutes(-5, -30), ZoneOffset.ofHours(14));
        return Combinators.combine(instants, offsets)
                .as((instant, offset) -> (JsonNode) TextNode.valueOf(RFC3339.format(instant.atOffset(offset))));
    }

    // ---- the execution policy (SPEC.md section 2)

    static Arbitrary<JsonNode> modes() {
        return Arbitraries.frequencyOf(
                Tuple.of(9, oneOfTexts(MODES)),
                Tuple.of(1, text(Arbitraries.strings().withCharRange('a', 'z').withChars("_").ofMinLength(1).ofMaxLength(64))));
    }

    static Arbitrary<ObjectNode> execPolicy() {
        Arbitrary<JsonNode> budget = ints(0, 1_000_000_000L);
        Arbitrary<ObjectNode> earlyExit = Arbitraries.oneOf(
                object(opt("exit_layer", Arbitraries.oneOf(ints(0, 200), Arbitraries.just(TextNode.valueOf("auto"))))),
                object(req("exit_layer", Arbitraries.just(TextNode.valueOf("auto"))), req("confidence_threshold", unit())));
        return object(
                req("mode", modes()),
                req("exactness", oneOfTexts(List.of("exact", "approximate"))),
                opt("policy_id", ids(), 30),
                opt("budgets", object(opt("max_total_ms", budget), opt("max_decode_ms", budget), opt("max_layers", budget),
                        opt("max_vram_mb", budget), opt("max_ram_mb", budget)), 30),
                opt("spec_decode", object(opt("draft_model_id", ids()), opt("draft_top_k", ints(1, 64)),
                        opt("max_draft_tokens", ints(1, 256)),
                        opt("verify_strategy", oneOfTexts(List.of("classic", "self_speculate"))))),
                opt("early_exit", earlyExit, 30),
                opt("layer_skip", object(opt("schedule", oneOfTexts(List.of("fixed", "adaptive"))),
                        opt("skip_ratio", unit()), opt("protected_layers", arrayOf(ints(0, 200), 16))), 40),
                opt("mem_offload", object(
                        opt("strategy", oneOfTexts(List.of("kv_paged", "layer_paged", "cpu_offload", "disk_offload"))),
                        opt("prefetch", bools())), 30),
                opt("trace", object(
                        opt("level", oneOfTexts(List.of("off", "summary", "per_token", "per_layer", "per_token_per_layer"))),
                        opt("sample_rate", unit()),
                        opt("artifact", object(opt("enabled", bools()),
                                opt("format", Arbitraries.just(TextNode.valueOf("hsk.layerwise_trace@0.1")))))), 30));
    }

    // ---- decision requests (SPEC.md section 5)

    /** A valid decision request; {@code roles} and {@code profiles} are what the server knows. */
    static Arbitrary<ObjectNode> decisionRequest(List<String> roles, List<String> profiles) {
        Arbitrary<JsonNode> role = Arbitraries.frequencyOf(
                Tuple.of(6, oneOfTexts(roles)),
                Tuple.of(1, ids()));
        Arbitrary<ObjectNode> settings = object(
                opt("temperature", Arbitraries.doubles().between(0, 2).map(DoubleNode::valueOf)),
                opt("top_p", unit(), 30),
                opt("max_tokens", ints(1, 100_000), 30),
                opt("stop", arrayOf(freeText(20), 4), 20),
                opt("exec_policy", execPolicy(), 70));
        Arbitrary<JsonNode> supportedModes = arrayOf(modes(), 8);
        return object(
                req("trace_id", ids()),
                req("role", role),
                req("task_type", oneOfTexts(List.of("chat", "completion", "tool_call", "system_utility"))),
                req("model_id", ids()),
                opt("backend", oneOfTexts(List.of("local", "cloud", "none"))),
                opt("parameter_class", oneOfTexts(List.of("P7B", "P13B", "P32B", "P72B", "P110B", "PUnknown", "NA"))),
                opt("wp_id", orNull(ids()), 30),
                opt("mt_id", orNull(ids()), 30),
                opt("job_id", orNull(ids()), 30),
                opt("profile_id", orNull(oneOfTexts(profiles)), 40),
                opt("runtime_mode", oneOfTexts(List.of("AI_ENABLED", "DOCS_ONLY")), 30),
                opt("runtime", object(opt("supported_modes", supportedModes, 80)), 50),
                opt("settings", settings, 70));
    }

    // ---- Work Profiles, dynamic roles, waivers (SPEC.md sections 2 and 5)

    /**
     * A compute block; approximate.allowed=true always names the first waiver, which must be one the
     * rules grant with, and a deadline still running (else saving it is a 422).
     */
    static Arbitrary<ObjectNode> compute(List<String> waivers) {
        Arbitrary<JsonNode> waiverRef = Arbitraries.frequencyOf(
                Tuple.of(3, oneOfTexts(waivers)), Tuple.of(1, ids()));
        Arbitrary<ObjectNode> approximate = Arbitraries.oneOf(
                object(req("allowed", Arbitraries.just(BooleanNode.TRUE)), req("waiver_ref", oneOfTexts(waivers.subList(0, 1))),
                        opt("waiver_expires_at", orNull(futureDateTimes()), 30)),
                object(opt("allowed", Arbitraries.just(BooleanNode.FALSE)), opt("waiver_ref", orNull(waiverRef), 30),
                        opt("waiver_expires_at", orNull(dateTimes()), 20)));
        return object(
                opt("speed_preset", oneOfTexts(List.of("standard", "fast_exact", "fast_approx"))),
                opt("approximate", approximate),
                opt("exec_policy_override", execPolicy(), 25),
                opt("cloud_reasoning_strength", orNull(text(Arbitraries.strings().alpha().ofMinLength(0).ofMaxLength(64))), 20));
    }

    static Arbitrary<ObjectNode> modelAssignment(List<String> waivers) {
        return object(
                req("primary_model_id", ids()),
                opt("fallback_model_id", orNull(ids()), 30),
                req("local_only", bools()),
                opt("allowed_models", arrayOf(ids(), 8), 30),
                opt("compute", compute(waivers), 60));
    }

    /** A Work Profile without its profile_id (the test sets it to the id of the path). */
    static Arbitrary<ObjectNode> profile(List<String> waivers) {
        Arbitrary<ObjectNode> assignment = modelAssignment(waivers);
        Arbitrary<ObjectNode> partial = object(opt("primary_model_id", ids()), opt("local_only", bools()));
        return object(
                req("schema_version", Arbitraries.just(TextNode.valueOf("hsk.work_profile@0.6"))),
                req("name", freeText(256)),
                opt("description", orNull(freeText(4000)), 30),
                req("model_assignments", object(req("frontend", assignment), req("orchestrator", assignment),
                        req("worker", assignment), req("validator", assignment))),
                req("governance", object(
                        req("automation_level", oneOfTexts(List.of("FULL_HUMAN", "HYBRID", "AUTONOMOUS"))),
                        req("allow_cloud_escalation", bools()),
                        opt("max_cloud_escalations_per_job", ints(0, 100)))),
                opt("overrides", object(opt("task_type_rules", object(opt("chat", partial), opt("tool_call", partial))),
                        opt("filetype_rules", object(opt(".py", partial)))), 20),
                opt("routing", object(req("selection_policy", oneOfTexts(List.of("largest_available", "explicit"))),
                        opt("candidate_models", arrayOf(object(req("model_id", ids()),
                                req("backend", oneOfTexts(List.of("local", "cloud"))),
                                opt("parameter_class", oneOfTexts(List.of("P7B", "P70B")))).map(n -> (JsonNode) n), 4), 50)), 20));
    }

    /** A dynamic role without its role_id. */
    static Arbitrary<ObjectNode> role(List<String> waivers) {
        return object(
                req("inherits", oneOfTexts(CORE_ROLES)),
                opt("compute", compute(waivers), 80));
    }

    /** A waiver without its waiver_id. */
    static Arbitrary<ObjectNode> waiver(List<String> roles) {
        Arbitrary<JsonNode> roleIds = Arbitraries.frequencyOf(Tuple.of(3, oneOfTexts(roles)), Tuple.of(1, ids()));
        return object(
                req("check_waived", Arbitraries.frequencyOf(
                        Tuple.of(9, Arbitraries.just(TextNode.valueOf("approximate_execution"))),
                        Tuple.of(1, text(Arbitraries.strings().alpha().withChars("_").ofMinLength(1).ofMaxLength(128))))),
                opt("scope", object(opt("roles", arrayOf(roleIds, 6)), opt("model_ids", arrayOf(ids(), 6), 30),
                        opt("wp_ids", arrayOf(ids(), 6), 30))),
                req("justification", freeText(4000)),
                req("approver", text(Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(256))),
                req("expires_at", waiverExpiries()));
    }
}
