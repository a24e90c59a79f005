package org.execpolicy.pdp.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.RequestValidator;
import io.vertx.openapi.validation.ValidatedRequest;
import io.vertx.openapi.validation.ValidatorException;
import io.vertx.openapi.validation.impl.RequestParameterImpl;
import io.vertx.openapi.validation.impl.ValidatableRequestImpl;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.execpolicy.pdp.json.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link DecisionRequestShape} against the real OpenAPI validator, built from the contract the server
 * loads ({@link PdpServer#loadContract}): "certainly valid" must imply "the validator accepts", and the
 * plain requests runtimes send (the bench body among them) must be recognised, or the fast path is dead.
 */
class DecisionRequestShapeTest {
    static final String JSON = "application/json";
    static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    static Vertx vertx;
    static RequestValidator validator;
    static Operation operation;

    @BeforeAll
    static void loadContract() {
        vertx = Vertx.vertx();
        PdpServer.ServedContract served = PdpServer.loadContract(vertx);
        operation = served.contract().operation(RequestValidation.FAST_OPERATION);
        validator = PdpServer.requestValidator(vertx, served.contract());
    }

    @AfterAll
    static void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void theBenchBodyIsRecognisedAndAccepted() throws Exception {
        byte[] bench = Files.readAllBytes(Path.of("bench/pdp-body.json"));
        assertThat(DecisionRequestShape.certainlyValid(JSON, bench)).isTrue();
        assertThat(accepts(bench, JSON)).isTrue();
    }

    @Test
    void everyMemberAndEnumValueInTheSimpleSubsetIsRecognised() {
        List<ObjectNode> bodies = simpleValidBodies();
        assertThat(bodies).hasSizeGreaterThan(40);
        for (ObjectNode body : bodies) {
            byte[] bytes = bytes(body.toString());
            assertThat(accepts(bytes, JSON)).as("validator on %s", body).isTrue();
            assertThat(DecisionRequestShape.certainlyValid(JSON, bytes)).as("recogniser on %s", body).isTrue();
        }
        // pretty-printed JSON with all members, in reverse order, is the same request
        ObjectNode all = everyMember();
        ObjectNode reversed = Json.object();
        List<String> names = new ArrayList<>();
        all.fieldNames().forEachRemaining(names::add);
        Collections.reverse(names);
        names.forEach(name -> reversed.set(name, all.get(name)));
        byte[] pretty = bytes(reversed.toPrettyString());
        assertThat(accepts(pretty, JSON)).isTrue();
        assertThat(DecisionRequestShape.certainlyValid(JSON, pretty)).isTrue();
    }

    @Test
    void refusedBodiesAreNeverCertainlyValid() {
        List<String> refused = refusedBodies();
        assertThat(refused).hasSizeGreaterThan(80);
        for (String body : refused) {
            byte[] bytes = bytes(body);
            // every mutation is a real refusal, so "not sure" is the only right answer here
            assertThat(accepts(bytes, JSON)).as("validator on %s", body).isFalse();
            assertThat(DecisionRequestShape.certainlyValid(JSON, bytes)).as("recogniser on %s", body).isFalse();
        }
        // the same good request in UTF-16: some JSON readers guess the encoding, the recogniser never does
        assertThat(DecisionRequestShape.certainlyValid(JSON, base().getBytes(StandardCharsets.UTF_16LE))).isFalse();
        assertThat(DecisionRequestShape.certainlyValid(JSON, base().getBytes(StandardCharsets.UTF_16BE))).isFalse();
        assertThat(DecisionRequestShape.certainlyValid(JSON, new byte[0])).isFalse();
    }

    @Test
    void validButUnusualBodiesMayGoToTheValidator() {
        // accepted by the validator, outside the recogniser's subset: "not sure" is allowed, "valid" is not wrong
        String emoji = "\uD83D\uDE00".repeat(129); // 129 code points, 258 UTF-16 units
        List<String> unusual = List.of(
                " " + base(),
                base().replace("{", "{/* Vert.x reads comments */"),
                "\uFEFF" + base(),
                base().replace("{", "{\"settings\":{},"),
                base().replace("{", "{\"settings\":{\"temperature\":0.2},"),
                base().replace("\"trace_id\":\"t-1\"", "\"trace_id\":\"" + emoji + "\""));
        for (String body : unusual) {
            byte[] bytes = bytes(body);
            if (DecisionRequestShape.certainlyValid(JSON, bytes)) {
                assertThat(accepts(bytes, JSON)).as("validator on %s", body).isTrue();
            }
        }
        assertThat(DecisionRequestShape.certainlyValid(JSON, bytes(base().replace("{", "{\"settings\":{},"))))
                .as("settings are left to the validator").isFalse();
    }

    @Test
    void onlyThePlainJsonContentTypeIsRecognised() {
        byte[] body = bytes(base());
        assertThat(DecisionRequestShape.certainlyValid(JSON, body)).isTrue();
        for (String type : new String[] {null, "", "application/json; charset=utf-8", "Application/JSON",
                "application/json ", "text/plain", "application/problem+json", "application/jsonx"}) {
            assertThat(DecisionRequestShape.certainlyValid(type, body)).as("content type %s", type).isFalse();
        }
    }

    /** Random requests from pools of good and bad values: recognised implies accepted, every time. */
    @Test
    void randomRequestsRecognisedOnlyWhenTheValidatorAccepts() {
        Random random = new Random(20261130L);
        int recognised = 0;
        int refused = 0;
        for (int i = 0; i < 3000; i++) {
            Draw draw = draw(random);
            byte[] bytes = bytes(draw.json);
            boolean accepted = accepts(bytes, JSON);
            boolean certain = DecisionRequestShape.certainlyValid(JSON, bytes);
            if (certain) {
                assertThat(accepted).as("recognised but refused by the validator: %s", draw.json).isTrue();
                recognised++;
            }
            if (draw.simple) {
                assertThat(certain).as("simple valid request not recognised: %s", draw.json).isTrue();
            }
            if (draw.broken) {
                assertThat(accepted).as("a broken request the validator accepts: %s", draw.json).isFalse();
                refused++;
            }
        }
        assertThat(recognised).isGreaterThan(1000);
        assertThat(refused).isGreaterThan(300);
    }

    @Test
    void theRecognisedRequestIsWhatTheValidatorLeaves() throws Exception {
        for (String body : List.of(base(), everyMember().toString())) {
            Buffer buffer = Buffer.buffer(body);
            ValidatedRequest full = validated(buffer.getBytes(), JSON);
            ValidatedRequest fast = RequestValidation.recognised(operation, buffer);
            assertThat(values(fast.getQuery())).isEqualTo(values(full.getQuery())).containsKey("explain");
            assertThat(values(fast.getHeaders())).isEqualTo(values(full.getHeaders()));
            assertThat(values(fast.getPathParameters())).isEqualTo(values(full.getPathParameters()));
            assertThat(values(fast.getCookies())).isEqualTo(values(full.getCookies()));
            assertThat(fast.getBody().get()).isEqualTo(full.getBody().get());
            assertThat(fast.getBody().isNull()).isFalse();
        }
    }

    // ---- the validator, as RequestValidation calls it for a request without a query ----

    static ValidatedRequest validated(byte[] body, String contentType) throws Exception {
        Map<String, RequestParameter> query = new HashMap<>();
        operation.getParameters().forEach(p -> query.put(p.getName(), new RequestParameterImpl(null)));
        ValidatableRequestImpl request = new ValidatableRequestImpl(Map.of(), Map.of(), Map.of(), query,
                new RequestParameterImpl(Buffer.buffer(body)), contentType);
        return validator.validate(request, RequestValidation.FAST_OPERATION).toCompletionStage()
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    static boolean accepts(byte[] body, String contentType) {
        try {
            validated(body, contentType);
            return true;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ValidatorException) {
                return false;
            }
            throw new AssertionError(e.getCause());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static Map<String, Object> values(Map<String, RequestParameter> parameters) {
        Map<String, Object> out = new LinkedHashMap<>();
        parameters.forEach((name, value) -> out.put(name, value == null ? "(missing)" : value.get()));
        return out;
    }

    // ---- bodies ----

    static final List<String> TASK_TYPES = List.of("chat", "completion", "tool_call", "system_utility");
    static final List<String> BACKENDS = List.of("local", "cloud", "none");
    static final List<String> PARAMETER_CLASSES = List.of("P7B", "P13B", "P32B", "P72B", "P110B", "PUnknown", "NA");
    static final List<String> RUNTIME_MODES = List.of("AI_ENABLED", "DOCS_ONLY");
    static final List<String> REQUIRED = List.of("trace_id", "role", "task_type", "model_id");
    static final List<String> IDS = List.of("trace_id", "role", "model_id");
    static final List<String> NULLABLE_IDS = List.of("wp_id", "mt_id", "job_id", "session_id", "model_instance_id",
            "model_session_id", "profile_id");
    static final Map<String, List<String>> ENUMS = Map.of("task_type", TASK_TYPES, "backend", BACKENDS,
            "parameter_class", PARAMETER_CLASSES, "runtime_mode", RUNTIME_MODES);

    static String base() {
        return "{\"trace_id\":\"t-1\",\"role\":\"worker\",\"task_type\":\"chat\",\"model_id\":\"m-1\"}";
    }

    static ObjectNode minimal() {
        return Json.parseObject(base());
    }

    static ObjectNode everyMember() {
        ObjectNode body = minimal().put("backend", "cloud").put("parameter_class", "P13B")
                .put("runtime_mode", "AI_ENABLED");
        NULLABLE_IDS.forEach(name -> body.put(name, name + "-1"));
        body.putObject("runtime").putArray("supported_modes").add("standard").add("early_exit");
        return body;
    }

    static List<ObjectNode> simpleValidBodies() {
        List<ObjectNode> bodies = new ArrayList<>();
        bodies.add(minimal());
        bodies.add(everyMember());
        ENUMS.forEach((name, values) -> values.forEach(v -> bodies.add(minimal().put(name, v))));
        for (String name : IDS) {
            bodies.add(minimal().put(name, "x"));
            bodies.add(minimal().put(name, "y".repeat(256)));
            bodies.add(minimal().put(name, "é".repeat(256)));
            bodies.add(minimal().put(name, "\uD83D\uDE00".repeat(128))); // 256 UTF-16 units
            bodies.add(minimal().put(name, " \t\n\u0000\"\\"));
        }
        for (String name : NULLABLE_IDS) {
            bodies.add((ObjectNode) minimal().putNull(name));
            bodies.add(minimal().put(name, ""));
            bodies.add(minimal().put(name, "z".repeat(256)));
        }
        bodies.add(withRuntime(NODES.objectNode()));
        bodies.add(withRuntime(modes(0, "m")));
        bodies.add(withRuntime(modes(32, "m")));
        bodies.add(withRuntime(modes(3, "q".repeat(64))));
        bodies.add(withRuntime(modes(1, "s")));
        return bodies;
    }

    static ObjectNode withRuntime(JsonNode runtime) {
        return (ObjectNode) minimal().set("runtime", runtime);
    }

    static ObjectNode modes(int count, String mode) {
        ObjectNode runtime = NODES.objectNode();
        ArrayNode modes = runtime.putArray("supported_modes");
        for (int i = 0; i < count; i++) {
            modes.add(mode);
        }
        return runtime;
    }

    /** Each one a request the validator refuses. */
    static List<String> refusedBodies() {
        List<String> bodies = new ArrayList<>();
        for (String name : REQUIRED) {
            ObjectNode body = everyMember();
            body.remove(name);
            bodies.add(body.toString());
        }
        List<JsonNode> wrongTypes = List.of(NODES.numberNode(1), NODES.numberNode(1.5), NODES.booleanNode(true),
                NODES.arrayNode(), NODES.objectNode(), NODES.arrayNode().add("chat"));
        for (String name : List.of("trace_id", "role", "task_type", "model_id", "backend", "parameter_class",
                "runtime_mode")) {
            wrongTypes.forEach(v -> bodies.add(minimal().set(name, v).toString()));
            bodies.add(minimal().putNull(name).toString());
        }
        for (String name : NULLABLE_IDS) {
            wrongTypes.forEach(v -> bodies.add(minimal().set(name, v).toString()));
            bodies.add(minimal().put(name, "z".repeat(257)).toString());
        }
        ENUMS.forEach((name, values) -> {
            bodies.add(minimal().put(name, "other").toString());
            bodies.add(minimal().put(name, "").toString());
            bodies.add(minimal().put(name, values.get(0).toUpperCase() + " ").toString());
            bodies.add(minimal().put(name, values.get(0).toLowerCase().equals(values.get(0))
                    ? values.get(0).toUpperCase() : values.get(0).toLowerCase()).toString());
        });
        for (String name : IDS) {
            bodies.add(minimal().put(name, "").toString());
            bodies.add(minimal().put(name, "y".repeat(257)).toString());
            bodies.add(minimal().put(name, "\uD83D\uDE00".repeat(257)).toString());
        }
        bodies.add(minimal().put("x", 1).toString());
        bodies.add(minimal().put("prompt", "hello").toString());
        bodies.add(minimal().put("Trace_id", "t").toString());
        bodies.add(minimal().put("settings", "fast").toString());
        bodies.add(minimal().putNull("settings").toString());
        bodies.add(minimal().set("settings", NODES.objectNode().put("exec_policy", "x")).toString());
        for (JsonNode runtime : List.of(NODES.nullNode(), NODES.arrayNode(), TextNode.valueOf("x"),
                NODES.numberNode(1), NODES.objectNode().put("extra", 1), NODES.objectNode().putNull("supported_modes"),
                NODES.objectNode().put("supported_modes", "standard"),
                NODES.objectNode().set("supported_modes", NODES.arrayNode().add(1)),
                NODES.objectNode().set("supported_modes", NODES.arrayNode().addNull()),
                NODES.objectNode().set("supported_modes", NODES.arrayNode().add("")),
                NODES.objectNode().set("supported_modes", NODES.arrayNode().add(NODES.arrayNode())),
                modes(1, "q".repeat(65)), modes(33, "m"),
                NODES.objectNode().set("supported_modes", NODES.objectNode()))) {
            bodies.add(withRuntime(runtime).toString());
        }
        // not an object, or not JSON
        bodies.addAll(List.of("[]", "[" + base() + "]", "\"text\"", "42", "null", "true", "{", base() + "}",
                base() + " {}", base() + "x", "{'trace_id':'t'}", base().replace("}", ",}"),
                "{}", "{\"trace_id\":\"t-1\"}"));
        return bodies;
    }

    /** A random request: each member present or not, with a value from a pool of good or bad ones. */
    record Draw(String json, boolean simple, boolean broken) {
    }

    static Draw draw(Random random) {
        StringBuilder json = new StringBuilder("{");
        boolean simple = true;
        boolean broken = false;
        List<String> names = new ArrayList<>(List.of("trace_id", "role", "task_type", "model_id", "backend",
                "parameter_class", "runtime_mode", "runtime"));
        names.addAll(NULLABLE_IDS);
        Collections.shuffle(names, random);
        boolean clean = random.nextBoolean(); // half the draws use good values only, so many are valid
        for (String name : names) {
            boolean required = REQUIRED.contains(name);
            if (random.nextInt(10) < (required ? (clean ? 0 : 1) : 5)) {
                if (required) {
                    simple = false;
                    broken = true;
                }
                continue;
            }
            String[] value = value(name, random); // {json, "good" | "bad"}
            while (clean && !value[1].equals("good")) {
                value = value(name, random);
            }
            simple &= value[1].equals("good");
            broken |= value[1].equals("bad");
            json.append(json.length() > 1 ? "," : "").append('"').append(name).append("\":").append(value[0]);
        }
        int extra = random.nextInt(20);
        if (extra == 0) {
            json.append(json.length() > 1 ? "," : "").append("\"settings\":{}");
            simple = false;
        } else if (extra == 1) {
            json.append(json.length() > 1 ? "," : "").append("\"unknown\":\"x\"");
            simple = false;
            broken = true;
        } else if (extra == 2 && json.length() > 1) {
            // a member twice: the validator's reader keeps one of them, the recogniser is never sure
            json.append(",\"backend\":\"none\",\"backend\":\"local\"");
            simple = false;
        }
        return new Draw(json.append('}').toString(), simple, broken);
    }

    static String[] value(String name, Random random) {
        int pick = random.nextInt(8);
        if (pick == 0) {
            String[] wrong = {"1", "true", "[]", name.equals("runtime") ? "\"{}\"" : "{}", "1.5"};
            return new String[] {wrong[random.nextInt(wrong.length)], "bad"};
        }
        if (ENUMS.containsKey(name)) {
            List<String> values = ENUMS.get(name);
            return pick == 1 ? new String[] {random.nextBoolean() ? "\"nope\"" : "null", "bad"}
                    : new String[] {quoted(values.get(random.nextInt(values.size()))), "good"};
        }
        if (IDS.contains(name)) {
            return switch (pick) {
                case 1 -> new String[] {random.nextBoolean() ? "\"\"" : "null", "bad"};
                case 2 -> {
                    int over = random.nextInt(3);
                    yield new String[] {quoted("a".repeat(256 + over)), over == 0 ? "good" : "bad"};
                }
                default -> new String[] {quoted("id-" + random.nextInt(1000)), "good"};
            };
        }
        if (NULLABLE_IDS.contains(name)) {
            return switch (pick) {
                case 1 -> new String[] {"null", "good"};
                case 2 -> new String[] {"\"\"", "good"};
                case 3 -> new String[] {quoted("b".repeat(257)), "bad"};
                default -> new String[] {quoted("n-" + random.nextInt(1000)), "good"};
            };
        }
        // runtime
        return switch (pick) {
            case 1 -> new String[] {"{\"supported_modes\":[\"\"]}", "bad"};
            case 2 -> new String[] {"{\"supported_modes\":null}", "bad"};
            case 3 -> new String[] {"{}", "good"};
            default -> {
                ArrayNode modes = NODES.arrayNode();
                int count = random.nextInt(34);
                for (int i = 0; i < count; i++) {
                    modes.add("mode-" + i);
                }
                yield new String[] {"{\"supported_modes\":" + modes + "}", count > 32 ? "bad" : "good"};
            }
        };
    }

    static String quoted(String text) {
        return TextNode.valueOf(text).toString();
    }

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
