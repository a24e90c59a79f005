package org.execpolicy.pdp.ruletest;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.execpolicy.pdp.json.FieldError;
import org.execpolicy.pdp.json.Json;

/**
 * The test cases of a rules directory: every `tests/*.yaml` (or `.yml`) file,
 * each a YAML list of cases, read in file-name order. Every problem of every
 * file is reported at once, as `file:line: case 'name': ...`.
 */
public final class RuleCaseFiles {
    private static final List<String> CASE_FIELDS = List.of(
            "name", "now", "request", "profile", "dynamic_roles", "waivers", "report", "trace_missing", "expect");

    private RuleCaseFiles() {
    }

    /** @throws InvalidInputException with every problem found; nothing runs from a suite that cannot be read */
    public static List<RuleCase> load(Path testsDir, ApiSchemas schemas) {
        List<Path> files = caseFiles(testsDir);
        if (files.isEmpty()) {
            throw new InvalidInputException(List.of(testsDir + ": no test cases (expected *.yaml files, each a list of cases)"));
        }
        List<String> problems = new ArrayList<>();
        List<RuleCase> cases = new ArrayList<>();
        Map<String, String> firstWhere = new HashMap<>();
        for (Path file : files) {
            SourceDocument doc;
            try {
                doc = SourceDocument.read(file);
            } catch (InvalidInputException e) {
                problems.addAll(e.problems());
                continue;
            }
            if (!doc.root().isArray()) {
                problems.add(doc.at("", "a test file is a YAML list of cases (\"- name: ...\")"));
                continue;
            }
            for (int i = 0; i < doc.root().size(); i++) {
                RuleCase read = readCase(doc, i, schemas, problems);
                if (read == null) {
                    continue;
                }
                String earlier = firstWhere.putIfAbsent(read.name(), read.where());
                if (earlier != null) {
                    problems.add(doc.at("/" + i + "/name", "case '" + read.name() + "': name already used at " + earlier));
                } else {
                    cases.add(read);
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidInputException(problems);
        }
        return cases;
    }

    private static RuleCase readCase(SourceDocument doc, int index, ApiSchemas schemas, List<String> problems) {
        JsonNode node = doc.root().get(index);
        String at = "/" + index;
        if (!node.isObject()) {
            problems.add(doc.at(at, "case #" + (index + 1) + " is not a mapping"));
            return null;
        }
        String name = Json.textOrNull(node, "name");
        String label = name == null || name.isBlank() ? "case #" + (index + 1) : "case '" + name + "'";
        List<FieldError> found = new ArrayList<>();
        node.fieldNames().forEachRemaining(field -> {
            if (!CASE_FIELDS.contains(field)) {
                found.add(new FieldError(at + "/" + field, "unknown field '" + field + "' (a case has: "
                        + String.join(", ", CASE_FIELDS) + ")"));
            }
        });
        if (name == null || name.isBlank()) {
            found.add(new FieldError(at, "no name: every case needs a unique name"));
        }
        Instant now = readNow(node, at, found);
        JsonNode request = node.get("request");
        CaseFixtures fixtures = CaseFixtures.read(node, at, schemas, found);
        if (request == null || !request.isObject()) {
            found.add(new FieldError(at, "request must be a mapping: the body of POST /v1/decisions"));
        } else {
            found.addAll(schemas.check(ApiSchemas.DECISION_REQUEST, request, at + "/request", "request"));
            fixtures.profileMismatch(request)
                    .ifPresent(message -> found.add(new FieldError(at + "/request/profile_id", message)));
        }
        JsonNode report = node.get("report");
        if (report != null && !report.isNull()) {
            if (!report.isObject()) {
                found.add(new FieldError(at + "/report", "report must be a mapping: the body of POST /v1/decisions/{id}/report"));
            } else {
                found.addAll(schemas.check(ApiSchemas.RUNTIME_REPORT, report, at + "/report", "report"));
            }
        } else {
            report = null;
        }
        JsonNode traceMissing = node.get("trace_missing");
        if (traceMissing != null && !traceMissing.isBoolean()) {
            found.add(new FieldError(at + "/trace_missing", "trace_missing must be true or false"));
        } else if (traceMissing != null && report == null) {
            found.add(new FieldError(at + "/trace_missing", "trace_missing needs a report: it says the decision's trace "
                    + "was recorded missing before the report came"));
        }
        Expectations expect = Expectations.read(node.get("expect"), at + "/expect", found);
        if (expect != null && report == null && expect.expectsReport()) {
            found.add(new FieldError(at + "/expect", "violations and runtime_downgrade are what report.drl concludes: "
                    + "give a report"));
        }
        found.stream().sorted(Comparator.comparingInt(problem -> doc.line(problem.path())))
                .forEach(problem -> problems.add(doc.at(problem.path(), label + ": " + problem.message())));
        return found.isEmpty() ? new RuleCase(name, doc.file() + ":" + doc.line(at), request, fixtures, now, expect,
                report, traceMissing != null && traceMissing.asBoolean()) : null;
    }

    /** Required, so that a case decides the same on any day it runs. */
    private static Instant readNow(JsonNode node, String at, List<FieldError> found) {
        String text = Json.textOrNull(node, "now");
        if (text == null) {
            found.add(new FieldError(at, "no now: give the clock of the decision (RFC 3339), so the case is reproducible"));
            return null;
        }
        Instant now = CaseFixtures.parseTime(text);
        if (now == null) {
            found.add(new FieldError(at + "/now", "now: '" + text + "' is not an RFC 3339 date-time"));
        }
        return now;
    }

    private static List<Path> caseFiles(Path testsDir) {
        if (!Files.isDirectory(testsDir)) {
            return List.of();
        }
        try (Stream<Path> list = Files.list(testsDir)) {
            return list.filter(Files::isRegularFile)
                    .filter(p -> p.getFileName().toString().endsWith(".yaml") || p.getFileName().toString().endsWith(".yml"))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
