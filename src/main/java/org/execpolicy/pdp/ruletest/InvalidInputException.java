package org.execpolicy.pdp.ruletest;

import java.util.List;

/** An input file cannot be used as it is; each problem is one `file:line: message` line. */
public final class InvalidInputException extends RuntimeException {
    private final List<String> problems;

    public InvalidInputException(List<String> problems) {
        super(String.join("\n", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
