package org.execpolicy.pdp.engine;

/** One compiler message about a rule file: where it is and what is wrong. */
public record RuleMessage(String file, int line, String text) {
    @Override
    public String toString() {
        return file + ":" + line + ": " + text;
    }
}
