package org.execpolicy.pdp.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.execpolicy.pdp.json.Json;

/**
 * Synthetic decisions that exercise a ruleset before it serves: the JIT compiler and Drools' own
 * constraint compilation (after a constraint has been evaluated some times) would otherwise make the
 * first minutes after a start or reload several times slower than the rest. The requests cover the
 * core roles, task types, exact and approximate policies and a profile that grants under a waiver,
 * so the paths decisions take are the paths that get compiled. Nothing here is stored.
 * <p>
 * One thread per core rehearses until the JIT compilers have settled (at most {@value #SETTLED_QUEUE}
 * methods queued or compiling, twice in a row half a second apart: {@link CompilerQueue}) or the
 * budget is spent: a fixed few thousand decisions left the compiler busy for minutes after ready, at
 * a third of the throughput it reached later, and so did a rehearsal that stopped once the compile
 * time stood still for half a second (C2 was then in the middle of one long compilation with some
 * seventy methods queued behind it, which it compiled over the next minute of real load).
 */
public final class Warmup {
    /** How long a start spends at most; it ends sooner once the JIT compilers have settled. */
    public static final Duration BUDGET = Duration.ofSeconds(40);
    /**
     * A reload's warm-up spends at most this long, however long a start may: it compiles only the new
     * ruleset's own classes, and the operator's reload request waits for it.
     */
    public static final Duration RELOAD_BUDGET = Duration.ofSeconds(20);
    /** Rehearsed at least this long, so that the compiler has work queued before settling is judged. */
    private static final long MIN_NANOS = 1_000_000_000L;
    private static final long SAMPLE_MS = 500;
    /** At most this many methods queued or compiling counts as settled (the decision path's are compiled). */
    private static final int SETTLED_QUEUE = 2;
    /** Where the JVM cannot list its compile queue: compiling less than this share of a sample's wall time. */
    private static final double SETTLED_SHARE = 0.1;
    private static final String WAIVER_ID = "warmup-waiver";

    private Warmup() {
    }

    /** Evaluates the synthetic decisions on {@code ruleset} until settled or the budget is spent; returns how many. */
    public static int rules(Ruleset ruleset, Duration budget) {
        DecisionPipeline pipeline = new DecisionPipeline(new RuleEngine(ruleset));
        return run(budget, pipeline::decide);
    }

    /**
     * Runs {@code decide} (which must be safe to call from several threads) over the synthetic
     * decisions on one thread per core until the JIT compiler has settled or the budget is spent;
     * returns how many. A failure of {@code decide} ends the warm-up and is thrown.
     */
    public static int run(Duration budget, Consumer<DecisionPipeline.Question> decide) {
        if (budget.isZero() || budget.isNegative()) {
            return 0;
        }
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        JsonNode profile = profile();
        JsonNode waiver = waiver(now);
        List<JsonNode> requests = requests();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger done = new AtomicInteger();
        AtomicReference<RuntimeException> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < Runtime.getRuntime().availableProcessors(); t++) {
            Thread thread = new Thread(() -> {
                try {
                    for (int i = 0; !stop.get(); i++) {
                        JsonNode profileInForce = (i & 1) == 0 ? profile : null;
                        decide.accept(new DecisionPipeline.Question(requests.get(i % requests.size()),
                                profileInForce == null ? null : "warmup", profileInForce, null,
                                id -> WAIVER_ID.equals(id) ? Optional.of(waiver) : Optional.empty(), now));
                        done.incrementAndGet();
                    }
                } catch (RuntimeException e) {
                    failure.compareAndSet(null, e);
                    stop.set(true);
                }
            }, "pdp-warmup-" + t);
            thread.start();
            threads.add(thread);
        }
        awaitSettled(budget, stop);
        stop.set(true);
        for (Thread thread : threads) {
            joinUninterruptibly(thread);
        }
        if (failure.get() != null) {
            throw failure.get();
        }
        return done.get();
    }

    /**
     * Returns once the budget is spent, {@code stop} is set, or the JIT compiler has settled (for a
     * warm-up that drives the work itself, rather than through {@link #run}).
     */
    public static void awaitSettled(Duration budget, AtomicBoolean stop) {
        awaitSettled(budget, stop, CompilerQueue::length);
    }

    /** As {@link #awaitSettled(Duration, AtomicBoolean)}, reading the compile queue from {@code queue}. */
    static void awaitSettled(Duration budget, AtomicBoolean stop, Supplier<OptionalInt> queue) {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        boolean timed = jit != null && jit.isCompilationTimeMonitoringSupported();
        long start = System.nanoTime();
        long deadline = start + budget.toNanos();
        long compiled = timed ? jit.getTotalCompilationTime() : 0;
        int quietSamples = 0;
        while (!stop.get() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(Math.min(SAMPLE_MS, Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            OptionalInt queued = queue.get();
            boolean quiet;
            if (queued.isPresent()) {
                quiet = queued.getAsInt() <= SETTLED_QUEUE;
            } else if (timed) {
                long now = jit.getTotalCompilationTime();
                quiet = now - compiled < SAMPLE_MS * SETTLED_SHARE;
                compiled = now;
            } else {
                continue; // nothing to judge by: the budget decides
            }
            quietSamples = quiet ? quietSamples + 1 : 0;
            if (quietSamples >= 2 && System.nanoTime() - start >= MIN_NANOS) {
                return;
            }
        }
    }

    private static void joinUninterruptibly(Thread thread) {
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** The synthetic decision requests: every core role and task type, with and without a policy asked for. */
    public static List<JsonNode> requests() {
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

    /** The synthetic Work Profile: a worker on fast_approx under {@link #waiver}, a validator on fast_exact. */
    public static JsonNode profile() {
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

    /** The waiver the synthetic profile names, valid for a day from {@code now}. */
    public static JsonNode waiver(Instant now) {
        ObjectNode waiver = Json.object();
        waiver.put("waiver_id", WAIVER_ID).put("check_waived", "approximate_execution")
                .put("justification", "warm-up").put("approver", "warm-up")
                .put("created_at", now.toString()).put("expires_at", now.plus(Duration.ofDays(1)).toString());
        waiver.putObject("scope").set("roles", Json.array(List.of("worker")));
        return waiver;
    }
}
