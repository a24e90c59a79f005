package org.execpolicy.pdp.acceptance;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.execpolicy.pdp.json.Json;

/**
 * The few phrases the features use to describe compute settings and decision
 * requests, turned into the JSON of the API. A phrase is a sequence of known
 * fragments; anything else fails the step loudly rather than being ignored.
 *
 * <pre>
 * compute:  preset "fast_approx" with approximate allowed under waiver "w1" [until 1 day ago]
 *           preset "fast_approx" with approximate not allowed [under waiver "w1"]
 *           preset "fast_approx" with no approximate control
 *           the override "mem_offload" and "exact"
 *           preset "standard" and cloud reasoning strength "high"
 *           preset "fast_exact" with model "local-7b" with fallback "local-3b" and allowed models "a, b"
 *             and may call a cloud backend (the assignment's members: work profiles only)
 *           no compute settings
 * request:  requesting "layer_skip" and "approximate" | with no execution policy
 *           with trace level "summary" | with policy id "team-fast"
 *           for a "tool_call" task | in runtime mode "DOCS_ONLY"
 *           on a runtime supporting only "standard, spec_decode" | on a "local" backend | for model "gpt-4o"
 *           in work packet "wp-7" | in session "s-1" | on model instance "mi-1" | in model session "ms-1"
 * </pre>
 */
final class Phrases {
    private Phrases() {
    }

    private record Fragment(Pattern pattern, BiConsumer<Matcher, ObjectNode> apply) {
        Fragment(String regex, BiConsumer<Matcher, ObjectNode> apply) {
            this(Pattern.compile(regex), apply);
        }
    }

    /** Members of a model assignment a compute phrase may also set: not compute, moved to the assignment. */
    static final String PRIMARY_MODEL = "primary_model_id";
    static final String FALLBACK_MODEL = "fallback_model_id";
    static final String ALLOWED_MODELS = "allowed_models";
    static final String LOCAL_ONLY = "local_only";
    static final List<String> ASSIGNMENT_MEMBERS = List.of(PRIMARY_MODEL, FALLBACK_MODEL, ALLOWED_MODELS, LOCAL_ONLY);

    private static final List<Fragment> COMPUTE = List.of(
            new Fragment("no compute settings", (m, c) -> c.put("none", true)),
            new Fragment("preset \"([^\"]+)\"", (m, c) -> c.put("speed_preset", m.group(1))),
            new Fragment("the override \"([^\"]+)\" and \"([^\"]+)\"", (m, c) -> {
                ObjectNode override = c.putObject("exec_policy_override");
                override.put("mode", m.group(1));
                override.put("exactness", m.group(2));
            }),
            new Fragment("with approximate allowed under waiver \"([^\"]+)\"", (m, c) ->
                    c.putObject("approximate").put("allowed", true).put("waiver_ref", World.id(m.group(1)))),
            new Fragment("with approximate not allowed under waiver \"([^\"]+)\"", (m, c) ->
                    c.putObject("approximate").put("allowed", false).put("waiver_ref", World.id(m.group(1)))),
            new Fragment("with approximate not allowed", (m, c) -> c.putObject("approximate").put("allowed", false)),
            new Fragment("with no approximate control", (m, c) -> c.remove("approximate")),
            new Fragment("until (\\d+) days? ago", (m, c) -> approximate(c).put("waiver_expires_at",
                    Pdp.now().minus(Long.parseLong(m.group(1)), ChronoUnit.DAYS).toString())),
            new Fragment("until (\\d+) days? from now", (m, c) -> approximate(c).put("waiver_expires_at",
                    Pdp.now().plus(Long.parseLong(m.group(1)), ChronoUnit.DAYS).toString())),
            new Fragment("and cloud reasoning strength \"([^\"]+)\"", (m, c) ->
                    c.put("cloud_reasoning_strength", m.group(1))),
            // the assignment's models and locality (work profiles only; RegistrySteps moves them out of compute)
            new Fragment("(?:with )?model \"([^\"]+)\"", (m, c) -> c.put(PRIMARY_MODEL, m.group(1))),
            new Fragment("with fallback \"([^\"]+)\"", (m, c) -> c.put(FALLBACK_MODEL, m.group(1))),
            new Fragment("and allowed models \"([^\"]+)\"", (m, c) -> {
                ArrayNode models = c.putArray(ALLOWED_MODELS);
                Arrays.stream(m.group(1).split(",")).map(String::trim).forEach(models::add);
            }),
            new Fragment("(?:and )?may call a cloud backend", (m, c) -> c.put(LOCAL_ONLY, false)));


    private static final List<Fragment> REQUEST = List.of(
            new Fragment("with no execution policy", (m, r) -> { }),
            new Fragment("requesting \"([^\"]+)\" and \"([^\"]+)\"", (m, r) -> {
                ObjectNode policy = execPolicy(r);
                policy.put("mode", m.group(1));
                policy.put("exactness", m.group(2));
            }),
            new Fragment("with trace level \"([^\"]+)\"", (m, r) -> execPolicy(r).putObject("trace").put("level", m.group(1))),
            new Fragment("with policy id \"([^\"]+)\"", (m, r) -> execPolicy(r).put("policy_id", m.group(1))),
            new Fragment("for an? \"([^\"]+)\" task", (m, r) -> r.put("task_type", m.group(1))),
            new Fragment("in runtime mode \"([^\"]+)\"", (m, r) -> r.put("runtime_mode", m.group(1))),
            new Fragment("on a runtime supporting only \"([^\"]+)\"", (m, r) -> {
                ArrayNode modes = r.putObject("runtime").putArray("supported_modes");
                Arrays.stream(m.group(1).split(",")).map(String::trim).forEach(modes::add);
            }),
            new Fragment("on an? \"([^\"]+)\" backend", (m, r) -> r.put("backend", m.group(1))),
            new Fragment("(?:for|on) model \"([^\"]+)\"", (m, r) -> r.put("model_id", m.group(1))),
            new Fragment("in work packet \"([^\"]+)\"", (m, r) -> r.put("wp_id", m.group(1))),
            new Fragment("carrying a later version's member \"([^\"]+)\"", (m, r) ->
                    execPolicy(r).putObject(m.group(1)).put("setting", "value of a later version")),
            new Fragment("in session \"([^\"]+)\"", (m, r) -> r.put("session_id", m.group(1))),
            new Fragment("on model instance \"([^\"]+)\"", (m, r) -> r.put("model_instance_id", m.group(1))),
            new Fragment("in model session \"([^\"]+)\"", (m, r) -> r.put("model_session_id", m.group(1))));

    /** The compute block a phrase describes, or null for "no compute settings". */
    static ObjectNode compute(String phrase) {
        ObjectNode compute = Json.object();
        apply(COMPUTE, phrase, compute, "compute settings");
        if (compute.has("none")) {
            if (compute.size() > 1) {
                throw new IllegalArgumentException("'no compute settings' cannot be combined: " + phrase);
            }
            return null;
        }
        return compute;
    }

    /** A decision request for the role, as the phrase describes it; the trace id is unique to the call. */
    static ObjectNode decisionRequest(String role, String phrase) {
        ObjectNode request = Json.object();
        request.put("trace_id", World.id("trace-" + java.util.UUID.randomUUID()));
        request.put("role", World.role(role));
        request.put("task_type", "chat");
        request.put("model_id", "local-7b");
        apply(REQUEST, phrase, request, "decision request");
        ObjectNode policy = (ObjectNode) request.path("settings").get("exec_policy");
        if (policy != null && !policy.has("mode")) {
            throw new IllegalArgumentException("a trace level or policy id needs 'requesting \"mode\" and \"exactness\"': "
                    + phrase);
        }
        return request;
    }

    private static ObjectNode execPolicy(ObjectNode request) {
        ObjectNode settings = request.has("settings") ? (ObjectNode) request.get("settings") : request.putObject("settings");
        return settings.has("exec_policy") ? (ObjectNode) settings.get("exec_policy") : settings.putObject("exec_policy");
    }

    private static ObjectNode approximate(ObjectNode compute) {
        if (!compute.has("approximate")) {
            throw new IllegalArgumentException("'until ...' follows 'with approximate allowed under waiver ...'");
        }
        return (ObjectNode) compute.get("approximate");
    }

    private static void apply(List<Fragment> fragments, String phrase, ObjectNode target, String what) {
        String rest = phrase.trim();
        List<String> seen = new ArrayList<>();
        while (!rest.isEmpty()) {
            boolean matched = false;
            for (Fragment fragment : fragments) {
                Matcher m = fragment.pattern().matcher(rest);
                if (m.lookingAt()) {
                    fragment.apply().accept(m, target);
                    seen.add(m.group());
                    rest = rest.substring(m.end()).replaceFirst("^\\s*(,\\s*)?", "");
                    matched = true;
                    break;
                }
            }
            if (!matched) {
                throw new IllegalArgumentException("unknown " + what + " phrase at '" + rest + "' (understood so far: "
                        + seen + ")");
            }
        }
    }
}
