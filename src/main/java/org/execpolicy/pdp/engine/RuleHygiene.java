package org.execpolicy.pdp.engine;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.drools.base.definitions.rule.impl.RuleImpl;
import org.kie.api.KieBase;
import org.kie.api.definition.type.Description;
import org.kie.api.definition.rule.Rule;

/**
 * Rule names are evidence, so every rule must say in plain words what it does
 * (`@description("...")`) and no two rules may share a name. A ruleset that
 * breaks either is refused with a message naming the rule.
 */
final class RuleHygiene {
    private RuleHygiene() {
    }

    static List<RuleInfo> check(KieBase kieBase, Map<String, String> sourcesByFile) {
        List<RuleInfo> rules = new ArrayList<>();
        kieBase.getKiePackages().forEach(pkg -> pkg.getRules().forEach(rule -> rules.add(info(rule, sourcesByFile))));
        rules.sort(Comparator.comparing(RuleInfo::file).thenComparingInt(RuleInfo::line));
        List<RuleMessage> problems = new ArrayList<>();
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
