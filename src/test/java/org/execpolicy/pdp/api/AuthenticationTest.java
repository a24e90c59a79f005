package org.execpolicy.pdp.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Guessing tokens is slowed down per address; a request carries one Authorization header (issue 10, item 7). */
class AuthenticationTest {
    static ConfiguredPdp pdp;

    @BeforeAll
    static void start() {
        pdp = ConfiguredPdp.start(options -> options.withAuth(AuthMode.REQUIRED));
    }

    @AfterAll
    static void stop() {
        pdp.close();
    }

    @Test
    void failed_authentications_from_one_address_are_answered_429_beyond_the_allowance_whatever_the_guess() {
        int guesses = 30;
        List<Integer> statuses = new ArrayList<>();
        long started = System.nanoTime();
        for (int i = 0; i < guesses; i++) {
            statuses.add(pdp.send(pdp.to("/v1/events").header("authorization", "Bearer guess-" + i + "-0123456789abcdef")
                    .GET()).statusCode());
        }
        long elapsedMs = (System.nanoTime() - started) / 1_000_000;
        // a bucket of FAILED_PER_SECOND, refilled at that rate while the guesses ran
        long allowed = Authentication.FAILED_PER_SECOND + elapsedMs * Authentication.FAILED_PER_SECOND / 1000 + 1;
        assertThat(statuses).containsOnly(401, 429);
        assertThat(statuses.stream().filter(s -> s == 401).count()).as("401s in %d ms", elapsedMs)
                .isLessThanOrEqualTo(allowed);

        String auditor = AccessTokens.secretOf(pdp.dataDir(), "auditor");
        assertThat(pdp.send(pdp.to("/v1/events").header("authorization", "Bearer " + auditor).GET()).statusCode())
                .as("a valid token from the same address is not charged for the guesses").isEqualTo(200);
    }

    @Test
    void a_second_authorization_header_is_refused_even_when_the_first_is_valid() throws IOException {
        String operator = AccessTokens.secretOf(pdp.dataDir(), "operator");
        String answer = raw("GET /v1/events HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                + "Authorization: Bearer " + operator + "\r\nAuthorization: Bearer other-0123456789abcdef\r\n\r\n");
        assertThat(answer).startsWith("HTTP/1.1 400").contains("application/problem+json").contains("Authorization");
    }

    static String raw(String request) throws IOException {
        URI base = URI.create(pdp.baseUrl());
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
