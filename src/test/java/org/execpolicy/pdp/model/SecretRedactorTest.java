package org.execpolicy.pdp.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Each kind of secret the redactor knows, what stays, and that each replacement is counted. */
class SecretRedactorTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        // bearer tokens: the scheme word stays, the token goes
        "bearer token            | call with Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.abc.def please | call with Authorization: Bearer [REDACTED] please",
        "bearer, any case        | bearer abcdefgh12345678                                              | bearer [REDACTED]",
        // well-known API key shapes
        "OpenAI key              | key sk-abcdefghijklmnop1234 leaked                                   | key [REDACTED] leaked",
        "OpenAI project key      | sk-proj-AbCdEfGhIjKlMnOpQrSt_uv                                      | [REDACTED]",
        "AWS access key id       | aws AKIAIOSFODNN7EXAMPLE here                                        | aws [REDACTED] here",
        "AWS temporary key id    | ASIAIOSFODNN7EXAMPLE                                                 | [REDACTED]",
        "GitHub classic token    | ghp_abcdefghijklmnopqrstuvwxyz0123456789                             | [REDACTED]",
        "GitHub fine-grained     | github_pat_11ABCDEFG0123456789_abcdefghij                            | [REDACTED]",
        "Slack token             | xoxb-1234567890-abcdefghij                                           | [REDACTED]",
        "this server's token     | pdp_operator_q9Zx81LmNc0Bv7Ty                                        | [REDACTED]",
        // name=value pairs: the name stays, so the reader knows what was there
        "password=               | db password=hunter2 for the batch job                                | db password=[REDACTED] for the batch job",
        "secret:                 | secret: s3cr3t, then more                                            | secret: [REDACTED], then more",
        "token =                 | token = abc123;                                                      | token = [REDACTED];",
        "api_key, quoted         | api_key=\"a b c\" end                                                | api_key=[REDACTED] end",
        "apikey, any case        | APIKEY=zzz                                                           | APIKEY=[REDACTED]",
        "client_secret           | client_secret=xyz&next=1                                             | client_secret=[REDACTED]&next=1"})
    void each_kind_of_secret_is_redacted(String kind, String text, String redacted) {
        SecretRedactor redactor = new SecretRedactor();

        assertThat(redactor.redact(text)).isEqualTo(redacted);
        assertThat(redactor.redactions()).isEqualTo(1);
    }

    @Test
    void text_without_secrets_is_kept_as_it_is_and_nothing_is_counted() {
        SecretRedactor redactor = new SecretRedactor();
        String text = "latency SLO for batch summarisation; the token budget is 512 and the password policy is unchanged";

        assertThat(redactor.redact(text)).isEqualTo(text);
        assertThat(redactor.redact(null)).isNull();
        assertThat(redactor.redactions()).isZero();
    }

    @Test
    void every_secret_in_one_text_is_redacted_and_counted() {
        SecretRedactor redactor = new SecretRedactor();

        String out = redactor.redact("password=a1 and sk-abcdefghijklmnop1234 and Bearer abcdefghijkl");

        assertThat(out).isEqualTo("password=[REDACTED] and [REDACTED] and Bearer [REDACTED]");
        assertThat(redactor.redactions()).isEqualTo(3);
    }
}
