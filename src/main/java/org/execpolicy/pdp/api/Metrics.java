package org.execpolicy.pdp.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.TimeUnit;
import org.execpolicy.pdp.engine.RuleEngine;
import org.execpolicy.pdp.engine.RuleErrors;
import org.execpolicy.pdp.execution.ExecutionService;
import org.execpolicy.pdp.model.SecretRedactor;
import org.execpolicy.pdp.recorder.EvidenceStore;

/**
 * GET /metrics in Prometheus text format: decisions by outcome and reason,
 * downgrades, rule errors, the recorder's queue, batches and commit latency,
 * and JVM basics. There is no count of dropped records: the recorder never
 * drops one, it refuses the decision (503) instead.
 */
final class Metrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Counter downgrades;
    /** Built once; per decision only the tags are looked up. */
    private final Meter.MeterProvider<Counter> decisions;
    private final Meter.MeterProvider<Counter> reasons;

    Metrics(EvidenceStore recorder, RuleEngine engine, ExecutionService runtime, SecretRedactor redactor) {
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        downgrades = Counter.builder("pdp.downgrades").description("Decisions whose effective policy differs from the requested one")
                .register(registry);
        FunctionCounter.builder("pdp.rule.errors", engine.ruleErrors(), RuleErrors::total)
                .description("Decisions answered with the safe default because a rule failed").register(registry);
        FunctionCounter.builder("pdp.exec.policy.violations", runtime, ExecutionService::violationsRecorded)
                .description("exec_policy_violation records: runtimes that ran other than granted").register(registry);
        FunctionCounter.builder("pdp.trace.deadline.checks", runtime, ExecutionService::deadlineChecksDone)
                .description("Trace deadline checks completed").register(registry);
        FunctionCounter.builder("pdp.secrets.redacted", redactor, SecretRedactor::redactions)
                .description("Secrets replaced by [REDACTED] in free text before it was stored").register(registry);
        decisions = Counter.builder("pdp.decisions").description("Decisions answered, by effective mode and exactness")
                .withRegistry(registry);
        reasons = Counter.builder("pdp.decision.reasons").description("Reason codes of answered decisions")
                .withRegistry(registry);
        Gauge.builder("pdp.recorder.queue.depth", recorder, EvidenceStore::queueDepth)
                .description("Appends waiting for the writer").register(registry);
        DistributionSummary batch = DistributionSummary.builder("pdp.recorder.batch.records")
                .description("Records per group commit").publishPercentileHistogram().register(registry);
        Timer commit = Timer.builder("pdp.recorder.commit").description("Group commit latency")
                .publishPercentileHistogram().register(registry);
        recorder.onCommit((appends, records, nanos) -> {
            batch.record(records);
            commit.record(nanos, TimeUnit.NANOSECONDS);
        });
    }

    /** Counts one answered decision by its outcome and each reason code. */
    void decided(JsonNode answer) {
        decisions.withTags("mode", answer.path("mode").asText(), "exactness", answer.path("exactness").asText(),
                "downgraded", answer.path("downgraded").asText()).increment();
        answer.path("reason_codes").forEach(reason -> reasons.withTags("reason", reason.asText()).increment());
        if (answer.path("downgraded").asBoolean()) {
            downgrades.increment();
        }
    }


    void scrape(RoutingContext ctx) {
        ctx.response().putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8").end(registry.scrape());
    }
}
