package org.execpolicy.pdp.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.execpolicy.pdp.engine.DecisionInputs;
import org.execpolicy.pdp.engine.DecisionPipeline;
import org.execpolicy.pdp.engine.RuleEngine;
import org.execpolicy.pdp.engine.RuleSource;
import org.execpolicy.pdp.engine.Ruleset;
import org.execpolicy.pdp.engine.RulesCompileException;
import org.execpolicy.pdp.json.CanonicalJson;
import org.execpolicy.pdp.execution.ExecutionService;
import org.execpolicy.pdp.json.Json;
import org.execpolicy.pdp.recorder.Database;
import org.execpolicy.pdp.recorder.EvidenceStore;
import org.execpolicy.pdp.recorder.FlightRecorder;
import org.execpolicy.pdp.recorder.ReplayStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * `replay`: re-evaluates a recorded decision offline (the PDP must not be
 * running on DIR) with its recorded inputs (request, profile, dynamic role and
 * waiver snapshots, clock) and the ruleset of its digest, and says whether the
 * effective policy hash is the one recorded.
 */
@Command(name = "replay", mixinStandardHelpOptions = true, description = {
        "Replay a recorded decision with its recorded inputs and ruleset; compare the effective policy hash.",
        "Exit codes: 0 the hash matches, 1 it differs, 2 the decision, its inputs or its ruleset cannot be found."})
final class ReplayCommand implements Callable<Integer> {
    /** Fields compared besides the effective policy hash, reported as differences. */
    private static final List<String> COMPARED = List.of("mode", "exactness", "downgraded", "reason_codes",
            "waiver_ref", "requested_policy_hash", "requested_source");

    @Spec
    CommandSpec spec;

    @Option(names = "--data", paramLabel = "DIR", description = "Data directory (default: ${DEFAULT-VALUE}).")
    Path data = Path.of("data");

    @Option(names = "--database", paramLabel = "URL",
            description = "A shared PostgreSQL store (jdbc:postgresql://HOST:PORT/DB?user=U; password from "
                    + "PDP_DATABASE_PASSWORD) instead of the H2 store in --data.")
    String database;

    @Option(names = "--decision", required = true, paramLabel = "ID", description = "The decision_id to replay.")
    String decisionId;

    @Option(names = "--rules", paramLabel = "DIR",
            description = "Replay against this directory's ruleset when the recorded one is not stored (said so in the output).")
    Path rules;

    /** The decision, its inputs or its ruleset cannot be found: nothing was replayed. */
    private static final class NotFound extends RuntimeException {
        NotFound(String message) {
            super(message);
        }
    }

    @Override
    public Integer call() throws JsonProcessingException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (database == null && !Files.isDirectory(data)) {
            err.println("no data directory " + data);
            return 2;
        }
        ObjectNode report;
        try (Database db = OfflineStore.open(data, database); EvidenceStore recorder = new FlightRecorder(db)) {
            report = replay(recorder);
        } catch (NotFound e) {
            err.println(e.getMessage());
            return 2;
        } catch (RulesCompileException e) {
            e.messages().forEach(err::println);
            return 2;
        }
        out.println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(report));
        out.flush();
        return report.path("match").asBoolean() ? 0 : 1;
    }

    private ObjectNode replay(EvidenceStore recorder) {
        ObjectNode recorded = recorder.eventsOfDecision(decisionId).stream()
                .filter(ExecutionService::isDecision).findFirst() // not the executed record a report adds
                .orElseThrow(() -> new NotFound("no decision '" + decisionId + "' in " + data));
        JsonNode inputs = recorded.get("inputs");
        if (inputs == null || !inputs.isObject()) {
            throw new NotFound("decision '" + decisionId + "' was recorded without inputs (before replay was possible)");
        }
        ReplayStore store = recorder.replayStore();
        JsonNode profile = snapshot(store, inputs.get("profile_sha256"), "work profile");
        JsonNode dynamicRole = snapshot(store, inputs.get("dynamic_role_sha256"), "dynamic role");
        Map<String, JsonNode> waivers = new HashMap<>();
        inputs.path("waiver_sha256s").forEach(sha -> {
            JsonNode waiver = snapshot(store, sha, "waiver");
            waivers.put(waiver.path("waiver_id").asText(), waiver);
        });
        Instant now = instant(recorded.path("evaluated_at").asText());

        String digest = recorded.path("ruleset_digest").asText();
        ObjectNode report = Json.object();
        report.put("decision_id", decisionId);
        report.put("ruleset_digest", digest);
        ArrayNode notes = Json.MAPPER.createArrayNode();
        Optional<Ruleset> stored = storedRuleset(store, digest, notes);
        report.put("ruleset_present", stored.isPresent());
        Ruleset ruleset;
        if (stored.isPresent()) {
            ruleset = stored.get();
        } else if (rules != null) {
            ruleset = Ruleset.compile(rules);
            notes.add("ruleset " + digest + " is not stored; replayed with the rules of " + rules
                    + " (digest " + ruleset.digest() + ")");
        } else {
            throw new NotFound("ruleset " + digest + " of decision '" + decisionId
                    + "' is not stored; pass --rules DIR to replay it against a directory's ruleset");
        }
        report.put("replayed_with_digest", ruleset.digest());

        // The same assembly as the server's, from the recorded inputs: the request is already sanitized.
        ObjectNode replayed = new DecisionPipeline(new RuleEngine(ruleset)).decide(new DecisionPipeline.Question(
                        inputs.get("request"), Json.textOrNull(recorded, "profile_id"), profile, dynamicRole,
                        id -> Optional.ofNullable(waivers.get(id)), now))
                .records(decisionId, DecisionInputs.Snapshots.HASH_ONLY).get(0);

        String recordedHash = recorded.path("effective_policy_hash").asText();
        String replayedHash = replayed.path("effective_policy_hash").asText();
        report.put("recorded_effective_policy_hash", recordedHash);
        report.put("replayed_effective_policy_hash", replayedHash);
        report.put("match", recordedHash.equals(replayedHash));
        ArrayNode differences = report.putArray("differences");
        for (String field : COMPARED) {
            JsonNode was = recorded.get(field);
            JsonNode again = replayed.get(field);
            if (was == null ? again != null : !was.equals(again)) {
                differences.addObject().put("field", field).<ObjectNode>set("recorded", was).set("replayed", again);
            }
        }
        if (!replayed.path("inputs").equals(inputs)) { // only if the record or the assembly changed since
            notes.add("the inputs assembled again differ from the recorded inputs");
        }
        report.set("notes", notes);
        return report;
    }

    /** The ruleset of the digest compiled from its stored sources, if they are stored and hash to it. */
    private static Optional<Ruleset> storedRuleset(ReplayStore store, String digest, ArrayNode notes) {
        Optional<List<ReplayStore.SourceFile>> files = store.ruleset(digest);
        if (files.isEmpty()) {
            return Optional.empty();
        }
        List<RuleSource> sources = files.get().stream().map(f -> new RuleSource(f.name(), f.bytes())).toList();
        String actual = Ruleset.digestOf(sources);
        if (!actual.equals(digest)) {
            notes.add("the stored sources of ruleset " + digest + " hash to " + actual + "; not used");
            return Optional.empty();
        }
        return Optional.of(Ruleset.compile(sources));
    }

    /** A recorded snapshot, checked against its hash; null when the decision used none. */
    private JsonNode snapshot(ReplayStore store, JsonNode sha, String what) {
        if (sha == null || sha.isNull()) {
            return null;
        }
        String text = store.snapshot(sha.asText()).orElseThrow(() -> new NotFound(
                "the " + what + " snapshot " + sha.asText() + " of decision '" + decisionId + "' is not stored"));
        JsonNode body = Json.parseObject(text);
        if (!CanonicalJson.sha256Hex(body).equals(sha.asText())) {
            throw new NotFound("the stored " + what + " snapshot " + sha.asText() + " does not hash to its key (altered)");
        }
        return body;
    }

    private Instant instant(String text) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new NotFound("decision '" + decisionId + "' has no readable evaluated_at: '" + text + "'");
        }
    }
}
