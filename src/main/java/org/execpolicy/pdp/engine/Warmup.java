package org.execpolicy.pdp.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.execpolicy.pdp.json.Json;

/**
 * Synthetic decisions that exercise a ruleset before it serves: the JIT compiler and Drools' own
 * constraint compilation (after a constraint has been evaluated some times) would otherwise make the
 * first minutes after a start or reload several times slower than the rest. The requests cover the
 * core roles, task types, exact and approximate policies and a profile that grants under a waiver,
 * so the paths decisions take are the paths that get compiled. Nothing here is stored.
 */
public final class Warmup {
    /** How long a start or a reload spends at most; enough for the JIT to compile the hot paths. */
    public static final Duration BUDGET = Duration.ofSeconds(4);
    private static final int MAX_ROUNDS = 40;
    private static final String WAIVER_ID = "warmup-waiver";

    private Warmup() {
    }

    /** Evaluates the synthetic decisions on {@code ruleset} until the budget is spent; returns how many. */
    public static int rules(Ruleset ruleset, Duration budget) {
        DecisionPipeline pipeline = new DecisionPipeline(new RuleEngine(ruleset));
        return run(budget, pipeline::decide);
    }

    /** Runs {@code decide} over the synthetic decisions until the budget is spent; returns how many. */
    public static int run(Duration budget, Consumer<DecisionPipeline.Question> decide) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        JsonNode profile = profile();
        JsonNode waiver = waiver(now);
        List<JsonNode> requests = requests();
        long deadline = System.nanoTime() + budget.toNanos();
        int done = 0;
        for (int round = 0; round < MAX_ROUNDS && System.nanoTime() < deadline; round++) {
            for (JsonNode request : requests) {
                JsonNode profileInForce = (done & 1) == 0 ? profile : null;
                decide.accept(new DecisionPipeline.Question(request, profileInForce == null ? null : "warmup",
                        profileInForce, null, id -> WAIVER_ID.equals(id) ? Optional.of(waiver) : Optional.empty(),
                        now));
                done++;
            }
        }
        return done;
    }

    static List<JsonNode> requests() {
        List<JsonNode> requests = new ArrayList<>();
        String[][] policies = {null, {"standard", "exact"}, {"spec_decode", "exact"},
                {"layer_skip", "approximate"}, {"early_exit", "approximate"}, {"mem_offload", "exact"}};
        int i = 0;
        for (String role : List.of("worker", "validator", "frontend", "orchestrator")) {
            for (String task : List.of("chat", "tool_call", "completion", "system_utility")) {
                for (String[] policy : policies) {
                    ObjectNode request = Json.object();
                    request.put("trace_id", "warmup-" + i).put("role", role).put("task_type", task)
                            .put("model_id", "warmup-model").put("backend", i % 3 == 0 ? "cloud" : "local");
                    request.putObject("runtime").set("supported_modes",
                            Json.array(List.of("standard", "spec_decode", "layer_skip", "early_exit")));
                    if (policy != null) {
                        ObjectNode exec = request.putObject("settings").putObject("exec_policy")
                                .put("mode", policy[0]).put("exactness", policy[1]);
                        if (policy[0].equals("layer_skip")) {
                            exec.putObject("layer_skip").put("skip_ratio", 0.3);
                        }
                    }
                    requests.add(request);
                    i++;
                }
            }
        }
        return requests;
    }

    private static JsonNode profile() {
        ObjectNode profile = Json.object();
        profile.put("schema_version", "hsk.work_profile@0.6").put("profile_id", "warmup").put("name", "warm-up");
        profile.putObject("governance").put("automation_level", "HYBRID").put("allow_cloud_escalation", false);
        ObjectNode assignments = profile.putObject("model_assignments");
        for (String role : List.of("frontend", "orchestrator", "validator", "worker")) {
            ObjectNode assignment = assignments.putObject(role).put("primary_model_id", "warmup-model")
                    .put("local_only", true);
            if (role.equals("worker")) {
                assignment.putObject("compute").put("speed_preset", "fast_approx").putObject("approximate")
                        .put("allowed", true).put("waiver_ref", WAIVER_ID);
            } else if (role.equals("validator")) {
                assignment.putObject("compute").put("speed_preset", "fast_exact");
            }
        }
        return profile;
    }

    private static JsonNode waiver(Instant now) {
        ObjectNode waiver = Json.object();
        waiver.put("waiver_id", WAIVER_ID).put("check_waived", "approximate_execution")
                .put("justification", "warm-up").put("approver", "warm-up")
                .put("created_at", now.toString()).put("expires_at", now.plus(Duration.ofDays(1)).toString());
        waiver.putObject("scope").set("roles", Json.array(List.of("worker")));
        return waiver;
    }
}
