package org.execpolicy.pdp.model;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Free text people write (a waiver's justification, a revoke reason) is stored for good in a
 * hash-chained record that can never be edited, so a secret pasted into it could never be taken
 * back (SPEC 4, v2). Before it is stored, what looks like a credential becomes {@code [REDACTED]}:
 * bearer tokens, well-known API key shapes, and the value of {@code password=}-style pairs. The
 * patterns err on the side of redacting: a false positive costs a word of an explanation, a false
 * negative a leaked credential.
 */
public final class SecretRedactor {
    public static final String REDACTED = "[REDACTED]";

    /** A pattern and what a match becomes; group 1, when the pattern has one, is kept. */
    private record Rule(Pattern pattern, boolean keepPrefix) {
    }

    private static final List<Rule> RULES = List.of(
            // Authorization: Bearer <token> (RFC 6750 token68 characters); the word stays, the token goes
            new Rule(Pattern.compile("(?i)(\\bbearer\\s+)[A-Za-z0-9._~+/=-]{8,}"), true),
            // name=value, name: value, name = "value" for names that say they hold a secret
            new Rule(Pattern.compile("(?i)(\\b(?:password|passwd|pwd|secret|client_secret|token|access_token"
                    + "|refresh_token|api[_-]?key|access[_-]?key|private[_-]?key)\\b\\s*[=:]\\s*)"
                    + "(?:\"[^\"]*\"|'[^']*'|[^\\s,;&]+)"), true),
            // OpenAI-style secret keys (sk-..., sk-proj-...)
            new Rule(Pattern.compile("\\bsk-[A-Za-z0-9_-]{16,}"), false),
            // AWS access key ids
            new Rule(Pattern.compile("\\b(?:AKIA|ASIA)[0-9A-Z]{16}\\b"), false),
            // GitHub tokens: classic (ghp_, gho_, ghu_, ghs_, ghr_) and fine-grained
            new Rule(Pattern.compile("\\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})"), false),
            // Slack tokens
            new Rule(Pattern.compile("\\bxox[abprs]-[A-Za-z0-9-]{10,}"), false),
            // this server's own bearer tokens (tokens.json)
            new Rule(Pattern.compile("\\bpdp_[a-z]+_[A-Za-z0-9_-]{16,}"), false));

    private final AtomicLong redactions = new AtomicLong();

    /** The text with every secret it holds replaced; null stays null. Counts each replacement. */
    public String redact(String text) {
        if (text == null) {
            return null;
        }
        String result = text;
        for (Rule rule : RULES) {
            Matcher m = rule.pattern().matcher(result);
            StringBuilder out = new StringBuilder();
            int found = 0;
            while (m.find()) {
                found++;
                String replacement = rule.keepPrefix() ? m.group(1) + REDACTED : REDACTED;
                m.appendReplacement(out, Matcher.quoteReplacement(replacement));
            }
            if (found > 0) {
                m.appendTail(out);
                result = out.toString();
                redactions.addAndGet(found);
            }
        }
        return result;
    }

    /** How many secrets were redacted since start (pdp_secrets_redacted_total). */
    public long redactions() {
        return redactions.get();
    }
}
