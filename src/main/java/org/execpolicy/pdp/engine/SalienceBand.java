package org.execpolicy.pdp.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The saliences a DRL file's rules may use, declared in its header as a line comment
 * {@code // salience-band: LOW..HIGH} (inclusive) before its first rule. The order between
 * files is the order of their bands, so it can be read from the headers alone; the rule
 * hygiene check holds every rule to its file's band and no two bands of one agenda group
 * may overlap.
 */
record SalienceBand(int low, int high, int line) {
    static final String DECLARATION = "// salience-band: LOW..HIGH";

    private static final Pattern BAND =
            Pattern.compile("(?m)^[ \\t]*//[ \\t]*salience-band:[ \\t]*(-?[0-9]+)[ \\t]*\\.\\.[ \\t]*(-?[0-9]+)[ \\t]*$");
    private static final Pattern FIRST_RULE = Pattern.compile("(?m)^[ \\t]*rule[ \\t]+\"");

    /** A declaration found in a file's header, or why the header has none that can be used. */
    record Declared(SalienceBand band, List<RuleMessage> problems) {
    }

    /** Reads the band from the header of the file (the part before its first rule). */
    static Declared of(String file, String source) {
        Matcher firstRule = FIRST_RULE.matcher(source);
        String header = firstRule.find() ? source.substring(0, firstRule.start()) : source;
        Matcher m = BAND.matcher(header);
        List<SalienceBand> found = new ArrayList<>();
        List<RuleMessage> problems = new ArrayList<>();
        while (m.find()) {
            int line = (int) header.substring(0, m.start()).lines().count() + 1;
            try {
                SalienceBand band = new SalienceBand(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), line);
                if (band.low() > band.high()) {
                    problems.add(new RuleMessage(file, line, "salience band " + band + " is empty: write it LOW..HIGH"));
                } else {
                    found.add(band);
                }
            } catch (NumberFormatException e) {
                problems.add(new RuleMessage(file, line,
                        "salience band " + m.group(1) + ".." + m.group(2) + " is not a pair of integers"));
            }
        }
        if (found.size() > 1) {
            problems.add(new RuleMessage(file, found.get(1).line(),
                    "the header declares " + found.size() + " salience bands; a file has one"));
        }
        return new Declared(found.size() == 1 ? found.get(0) : null, problems);
    }

    boolean contains(int salience) {
        return low <= salience && salience <= high;
    }

    boolean overlaps(SalienceBand other) {
        return low <= other.high && other.low <= high;
    }

    @Override
    public String toString() {
        return low + ".." + high;
    }
}
