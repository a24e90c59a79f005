package org.execpolicy.pdp.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.execpolicy.pdp.decision.DecisionView;
import org.execpolicy.pdp.decision.DecisionService.RecordedDecision;
import org.execpolicy.pdp.engine.RuleEngine;
import org.execpolicy.pdp.engine.Ruleset;
import org.execpolicy.pdp.engine.RulesCompileException;
import org.execpolicy.pdp.json.FieldError;
import org.execpolicy.pdp.json.Json;
import org.execpolicy.pdp.ruletest.ApiSchemas;
import org.execpolicy.pdp.ruletest.CaseFixtures;
import org.execpolicy.pdp.ruletest.InvalidInputException;
import org.execpolicy.pdp.ruletest.OfflineDecision;
import org.execpolicy.pdp.ruletest.SourceDocument;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * `decide`: one request through the rules with no server and no database,
 * printed as POST /v1/decisions would answer it. Nothing is recorded.
 */
@Command(name = "decide", mixinStandardHelpOptions = true, description = {
        "Decide one request offline (no server, no database; nothing is recorded) and print the answer.",
        "Exit codes: 0 decided, 1 the rules did not conclude, 2 invalid input or rules."})
final class DecideCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--input", required = true, paramLabel = "FILE",
            description = "The request, as the JSON body of POST /v1/decisions.")
    Path input;

    @Option(names = "--fixtures", paramLabel = "FILE",
            description = "YAML or JSON with profile, dynamic_roles, waivers (as in a rules test case); default: none.")
    Path fixtures;

    @Option(names = "--rules", paramLabel = "DIR", description = "Directory of the DRL rules (default: ${DEFAULT-VALUE}).")
    Path rules = Path.of("rules");

    @Option(names = "--explain", description = "Add the explain list (as explain=full): fired rules, then cancelled matches.")
    boolean explain;

    @Option(names = "--now", paramLabel = "T", description = "The clock of the decision, RFC 3339; default: the current time.")
    String now;

    @Override
    public Integer call() throws JsonProcessingException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        RecordedDecision decision;
        try {
            Instant clock = clock();
            ApiSchemas schemas = new ApiSchemas();
            SourceDocument requestDoc = readRequest(schemas);
            JsonNode request = requestDoc.root();
            CaseFixtures registry = readFixtures(schemas);
            registry.profileMismatch(request)
                    .ifPresent(message -> failOn(requestDoc, List.of(new FieldError("/profile_id", message))));
            RuleEngine engine = new RuleEngine(Ruleset.compile(rules));
            try {
                decision = OfflineDecision.decide(engine, request, registry, clock);
            } catch (RuntimeException e) {
                err.println("the rules did not conclude: " + e.getMessage());
                return 1;
            }
        } catch (InvalidInputException e) {
            e.problems().forEach(err::println);
            return 2;
        } catch (RulesCompileException e) {
            e.messages().forEach(err::println);
            return 2;
        }
        ObjectNode answer = DecisionView.answer(decision);
        if (explain) {
            DecisionView.explained(answer, decision);
        }
        out.println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(answer));
        out.flush();
        return 0;
    }

    /** As the server does: its clock, to the microsecond the store keeps. */
    private Instant clock() {
        if (now == null) {
            return Instant.now().truncatedTo(ChronoUnit.MICROS);
        }
        Instant parsed = CaseFixtures.parseTime(now);
        if (parsed == null) {
            throw new InvalidInputException(List.of("--now: '" + now + "' is not an RFC 3339 date-time"));
        }
        return parsed;
    }

    private SourceDocument readRequest(ApiSchemas schemas) {
        SourceDocument doc = SourceDocument.read(input);
        failOn(doc, schemas.check(ApiSchemas.DECISION_REQUEST, doc.root(), "", ""));
        return doc;
    }

    private CaseFixtures readFixtures(ApiSchemas schemas) {
        if (fixtures == null) {
            return CaseFixtures.NONE;
        }
        SourceDocument doc = SourceDocument.read(fixtures);
        if (!doc.root().isObject()) {
            failOn(doc, List.of(new FieldError("", "fixtures must be a mapping of " + String.join(", ", CaseFixtures.FIELDS))));
        }
        List<FieldError> problems = new ArrayList<>();
        doc.root().fieldNames().forEachRemaining(field -> {
            if (!CaseFixtures.FIELDS.contains(field)) {
                problems.add(new FieldError("/" + field, "unknown field '" + field + "' (fixtures have: "
                        + String.join(", ", CaseFixtures.FIELDS) + ")"));
            }
        });
        CaseFixtures read = CaseFixtures.read(doc.root(), "", schemas, problems);
        failOn(doc, problems);
        return read;
    }

    private static void failOn(SourceDocument doc, List<FieldError> problems) {
        if (!problems.isEmpty()) {
            throw new InvalidInputException(problems.stream().map(p -> doc.at(p.path(), p.message())).toList());
        }
    }
}
