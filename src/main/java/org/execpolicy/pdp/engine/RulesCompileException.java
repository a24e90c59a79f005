package org.execpolicy.pdp.engine;

import java.util.List;
import java.util.stream.Collectors;

/** The rules directory did not compile; each message names the file and line. */
public final class RulesCompileException extends RuntimeException {
    private final List<RuleMessage> messages;

    public RulesCompileException(List<RuleMessage> messages) {
        super("rules do not compile:\n" + messages.stream().map(RuleMessage::toString)
                .collect(Collectors.joining("\n")));
        this.messages = List.copyOf(messages);
    }

    public List<RuleMessage> messages() {
        return messages;
    }
}
