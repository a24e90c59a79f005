package org.execpolicy.pdp.engine;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.drools.base.definitions.rule.impl.RuleImpl;
import org.kie.api.KieBase;
import org.kie.api.definition.type.Description;
import org.kie.api.definition.rule.Rule;

/**
 * Rule names are evidence, so every rule must say in plain words what it does
 * (`@description("...")`) and no two rules may share a name. The order of the
 * rules is declared: every file with rules declares its salience band in its
 * header ({@link SalienceBand}), each rule's salience lies in its file's band, and
 * no two files' bands overlap within an agenda group, so the order between files
 * is the order of their bands. A ruleset that breaks any of these is refused with
 * a message naming the file, the rule and the band.
 */
final class RuleHygiene {
    private RuleHygiene() {
    }

    static List<RuleInfo> check(KieBase kieBase, Map<String, String> sourcesByFile) {
        List<RuleInfo> rules = new ArrayList<>();
        List<Ordered> ordered = new ArrayList<>();
        kieBase.getKiePackages().forEach(pkg -> pkg.getRules().forEach(rule -> {
            RuleInfo info = info(rule, sourcesByFile);
            rules.add(info);
            ordered.add(ordered(info, rule));
        }));
        rules.sort(Comparator.comparing(RuleInfo::file).thenComparingInt(RuleInfo::line));
        List<RuleMessage> problems = new ArrayList<>();
        checkBands(ordered, sourcesByFile, problems);
        checkReasonCodes(sourcesByFile, problems);
        for (RuleInfo rule : rules) {
            if (rule.description() == null || rule.description().isBlank()) {
                problems.add(new RuleMessage(rule.file(), rule.line(),
                        "rule \"" + rule.name() + "\" has no @description(\"...\") saying in plain words what it does"));
            }
        }
        rules.stream().collect(Collectors.groupingBy(RuleInfo::name)).forEach((name, same) -> {
            if (same.size() > 1) {
                same.forEach(rule -> problems.add(new RuleMessage(rule.file(), rule.line(),
                        "rule name \"" + name + "\" is used by " + same.size() + " rules; names must be unique")));
            }
        });
        if (!problems.isEmpty()) {
            problems.sort(Comparator.comparing(RuleMessage::file).thenComparingInt(RuleMessage::line));
            throw new RulesCompileException(problems);
        }
        return rules;
    }

    private static final Pattern ADD_REASON = Pattern.compile("\\.addReason[ \\t]*\\(");

    /**
     * Rules carry a reason code one way: as a ReasonCode fact the engine lists in the answer, which
     * later rules can match. A reason written straight into the outcome would be a second way, one
     * no rule could see, so it is refused.
     */
    private static void checkReasonCodes(Map<String, String> sourcesByFile, List<RuleMessage> problems) {
        new TreeMap<>(sourcesByFile).forEach((file, source) -> {
            Matcher m = ADD_REASON.matcher(source);
            while (m.find()) {
                problems.add(new RuleMessage(file, lineAt(source, m.start()),
                        "a rule gives a reason code by inserting a fact (new Reason( \"CODE\" ), or a Refusal or"
                                + " ModelRefusal), not with outcome.addReason"));
            }
        });
    }

    /** The 1-based line of a character offset. */
    private static int lineAt(String source, int offset) {
        return (int) source.substring(0, offset).chars().filter(c -> c == '\n').count() + 1;
    }

    /** A rule as the agenda orders it: its salience (null when computed at run time) and agenda group. */
    private record Ordered(RuleInfo rule, Integer salience, String agendaGroup) {
    }

    private static Ordered ordered(RuleInfo info, Rule rule) {
        if (rule instanceof RuleImpl impl) {
            Integer salience = impl.isSalienceDynamic() ? null : Integer.valueOf(impl.getSalienceValue());
            return new Ordered(info, salience, impl.getAgendaGroup());
        }
        return new Ordered(info, null, "?");
    }

    /** A file's declared band and the agenda groups its rules are in. */
    private record FileBand(String file, SalienceBand band, Set<String> agendaGroups) {
    }

    private static void checkBands(List<Ordered> ordered, Map<String, String> sourcesByFile,
                                   List<RuleMessage> problems) {
        Map<String, List<Ordered>> byFile = ordered.stream()
                .collect(Collectors.groupingBy(o -> o.rule().file(), TreeMap::new, Collectors.toList()));
        List<FileBand> bands = new ArrayList<>();
        byFile.forEach((file, inFile) -> {
            SalienceBand.Declared declared = SalienceBand.of(file, sourcesByFile.getOrDefault(file, ""));
            problems.addAll(declared.problems());
            SalienceBand band = declared.band();
            if (band == null) {
                if (declared.problems().isEmpty()) {
                    problems.add(new RuleMessage(file, 1, "no salience band declared: a file with rules declares the"
                            + " saliences its rules use in its header, before its first rule, as \""
                            + SalienceBand.DECLARATION + "\""));
                }
                return;
            }
            for (Ordered o : inFile) {
                if (o.salience() == null) {
                    problems.add(new RuleMessage(file, o.rule().line(), "rule \"" + o.rule().name()
                            + "\" has a salience computed at run time; its file's band " + band
                            + " needs a number"));
                } else if (!band.contains(o.salience())) {
                    problems.add(new RuleMessage(file, o.rule().line(), "rule \"" + o.rule().name()
                            + "\" has salience " + o.salience() + ", outside its file's band " + band
                            + " (declared on line " + band.line() + ")"));
                }
            }
            bands.add(new FileBand(file, band,
                    inFile.stream().map(Ordered::agendaGroup).collect(Collectors.toCollection(TreeSet::new))));
        });
        for (int i = 0; i < bands.size(); i++) {
            for (int j = i + 1; j < bands.size(); j++) {
                FileBand a = bands.get(i);
                FileBand b = bands.get(j);
                Set<String> shared = new TreeSet<>(a.agendaGroups());
                shared.retainAll(b.agendaGroups());
                if (!shared.isEmpty() && a.band().overlaps(b.band())) {
                    problems.add(overlap(a, b, shared));
                    problems.add(overlap(b, a, shared));
                }
            }
        }
    }

    private static RuleMessage overlap(FileBand file, FileBand other, Set<String> agendaGroups) {
        return new RuleMessage(file.file(), file.band().line(), "salience band " + file.band() + " overlaps the band "
                + other.band() + " of " + other.file() + " in agenda group " + String.join(", ", agendaGroups)
                + "; bands of one agenda group must not overlap, so that the order between files is the order"
                + " of their bands");
    }

    private static RuleInfo info(Rule rule, Map<String, String> sourcesByFile) {
        String file = rule instanceof RuleImpl impl && impl.getResource() != null
                ? Ruleset.fileName(impl.getResource().getSourcePath()) : "?";
        // Drools resolves @description to org.kie.api.definition.type.Description and keys it by that name.
        Object description = rule.getMetaData().getOrDefault(Description.class.getName(),
                rule.getMetaData().get("description"));
        return new RuleInfo(rule.getName(), rule.getPackageName(),
                description == null ? null : description.toString(), file,
                lineOf(rule.getName(), sourcesByFile.getOrDefault(file, "")));
    }

    /** The line of `rule "name"` in its file (1-based), or 0 when it cannot be found. */
    private static int lineOf(String name, String source) {
        Matcher m = Pattern.compile("(?m)^[ \\t]*rule[ \\t]+\"" + Pattern.quote(name) + "\"").matcher(source);
        return m.find() ? (int) source.substring(0, m.start()).lines().count() + 1 : 0;
    }
}
