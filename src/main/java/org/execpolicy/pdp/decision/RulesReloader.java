package org.execpolicy.pdp.decision;

import org.execpolicy.pdp.engine.RuleEngine;
import org.execpolicy.pdp.engine.RuleMessage;
import org.execpolicy.pdp.engine.RuleSource;
import org.execpolicy.pdp.engine.RulesCompileException;
import org.execpolicy.pdp.engine.Ruleset;
import org.execpolicy.pdp.engine.Warmup;
import org.execpolicy.pdp.model.RecordEnvelope;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.execpolicy.pdp.recorder.EventQuery;
import org.execpolicy.pdp.recorder.EvidenceStore;
import org.execpolicy.pdp.recorder.RuleCatalog;
import org.execpolicy.pdp.recorder.ReplayStore;

/**
 * Loads the rules directory into the running engine. Compiling happens on one
 * thread of its own, never on a request path; a ruleset that compiles and
 * passes the hygiene checks is swapped in atomically, anything else is
 * rejected and the serving one stays. Both outcomes are Flight Recorder
 * evidence (`policy_ruleset_loaded`, `policy_ruleset_rejected`).
 */
public final class RulesReloader implements AutoCloseable {
    /** What asked for the load, as recorded. */
    public enum Source { startup, reload, watch }

    /** The outcome of one reload: the ruleset now serving, or why the attempt was refused. */
    public record ReloadResult(Ruleset serving, boolean changed, Rejection rejection) {
        public boolean rejected() {
            return rejection != null;
        }
    }

    /** The last refused attempt: which digest, why, and when. */
    public record Rejection(String attemptedDigest, List<RuleMessage> messages, Instant at) {
    }

    private static final int MAX_MESSAGE_CHARS = 4000;

    private final Path rulesDir;
    private final Duration warmup;
    private final RuleEngine engine;
    private final EvidenceStore recorder;
    private final ExecutorService compiler = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "rules-compiler");
        thread.setDaemon(true);
        return thread;
    });
    private volatile Rejection lastRejection;
    private final Clock clock;

    public RulesReloader(Path rulesDir, RuleEngine engine, EvidenceStore recorder, Duration warmup, Clock clock) {
        this.clock = clock;
        this.rulesDir = rulesDir;
        this.warmup = warmup;
        this.engine = engine;
        this.recorder = recorder;
    }

    /** Records the ruleset the engine started with, naming the one that served before the restart. */
    public void recordStartup() {
        Ruleset serving = engine.ruleset();
        storeSources(serving);
        String previous = recorder.events(new EventQuery("policy_ruleset_loaded", null, null, null, null, 1, null))
                .items().stream().findFirst().map(r -> r.path("digest").asText()).orElse(null);
        recorder.append(List.of(loaded(serving, previous, Source.startup))).join();
    }

    /**
     * Compiles the directory off the caller's thread and swaps it in if it is
     * sound. The same files as the serving ones change nothing and record nothing.
     *
     * @param operator the token name that asked for it (recorded), or null for the watcher
     */
    public CompletableFuture<ReloadResult> reload(Source source, String operator) {
        return CompletableFuture.supplyAsync(() -> load(source, operator), compiler);
    }

    private ReloadResult load(Source source, String operator) {
        Ruleset serving = engine.ruleset();
        List<RuleSource> sources; // read once: the digest recorded is that of the bytes compiled
        try {
            sources = Ruleset.sourcesOf(rulesDir);
        } catch (RulesCompileException e) {
            return reject(source, operator, null, e.messages());
        }
        String attempted = Ruleset.digestOf(sources);
        if (attempted.equals(serving.digest())) {
            return new ReloadResult(serving, false, null);
        }
        Ruleset next;
        try {
            next = Ruleset.compile(sources);
        } catch (RulesCompileException e) {
            return reject(source, operator, attempted, e.messages());
        }
        storeSources(next);
        Warmup.rules(next, warmup); // off the request path: decisions keep the old ruleset meanwhile
        recorder.append(List.of(withOperator(loaded(next, serving.digest(), source), operator))).join();
        engine.swap(next);
        return new ReloadResult(next, true, null);
    }

    /**
     * Keeps the DRL files of every ruleset that serves, by digest (if absent), so a decision can be
     * replayed, and what it says of each rule, which its firing records refer to.
     */
    private void storeSources(Ruleset ruleset) {
        recorder.ruleCatalog().register(ruleset.digest(), ruleset.rules().stream()
                .map(rule -> new RuleCatalog.RuleText(rule.name(), rule.rulePackage(), rule.description())).toList());
        recorder.replayStore().putRuleset(ruleset.digest(), ruleset.sources().stream()
                .map(source -> new ReplayStore.SourceFile(source.name(), source.bytes())).toList());
    }

    private ReloadResult reject(Source source, String operator, String attemptedDigest, List<RuleMessage> messages) {
        Rejection rejection = new Rejection(attemptedDigest, messages, clock.instant());
        Rejection previous = lastRejection;
        boolean sameFilesSeenAgain = source == Source.watch && previous != null && attemptedDigest != null
                && attemptedDigest.equals(previous.attemptedDigest());
        if (!sameFilesSeenAgain) { // an editor saving the same broken files twice is one rejection
            recorder.append(List.of(withOperator(rejected(rejection, source), operator))).join();
        }
        lastRejection = rejection;
        return new ReloadResult(engine.ruleset(), false, rejection);
    }

    public Optional<Rejection> lastRejection() {
        return Optional.ofNullable(lastRejection);
    }

    private ObjectNode loaded(Ruleset ruleset, String previousDigest, Source source) {
        ObjectNode record = envelope("policy_ruleset_loaded", source);
        record.put("digest", ruleset.digest());
        record.put("previous_digest", previousDigest);
        ArrayNode files = record.putArray("files");
        ruleset.files().forEach(f -> files.addObject().put("name", f.name()).put("sha256", f.sha256()));
        record.put("source", source.name());
        return record;
    }

    private ObjectNode rejected(Rejection rejection, Source source) {
        ObjectNode record = envelope("policy_ruleset_rejected", source);
        record.put("attempted_digest", rejection.attemptedDigest());
        ArrayNode messages = record.putArray("messages");
        rejection.messages().forEach(m -> messages.addObject()
                .put("file", m.file()).put("line", m.line()).put("text", bounded(m.text())));
        record.put("source", source.name());
        return record;
    }

    private static ObjectNode withOperator(ObjectNode record, String operator) {
        if (operator != null) {
            record.put("operator", operator);
        }
        return record;
    }

    /** Compiler messages can quote whole expressions; the record keeps a bounded text. */
    private static String bounded(String text) {
        return text.length() <= MAX_MESSAGE_CHARS ? text : text.substring(0, MAX_MESSAGE_CHARS - 1) + "…";
    }

    /** A reload asked for over the API is a person's act; startup and the watcher are the system's. */
    private ObjectNode envelope(String type, Source source) {
        return RecordEnvelope.of(type, source == Source.reload ? "human" : "system",
                clock.instant().truncatedTo(ChronoUnit.MICROS));
    }

    @Override
    public void close() {
        compiler.shutdown();
        try {
            compiler.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
