package org.execpolicy.pdp.cli;

import java.util.List;

/** An input file cannot be used as it is; each problem is one `file:line: message` line. */
final class InvalidInputException extends RuntimeException {
    private final List<String> problems;

    InvalidInputException(List<String> problems) {
        super(String.join("\n", problems));
        this.problems = List.copyOf(problems);
    }

    List<String> problems() {
        return problems;
    }
}
