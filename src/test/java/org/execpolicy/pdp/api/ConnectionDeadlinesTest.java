package org.execpolicy.pdp.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A connection that does not finish a request head within the request timeout is closed: half-sent
 * headers, nothing at all, or nothing after an answer (issue 10, item 3). Each case waits on the
 * server closing the socket (a read returning -1); a socket still open after twice the timeout fails.
 */
class ConnectionDeadlinesTest {
    static final int TIMEOUT_MS = 1000;
    static ConfiguredPdp pdp;

    @BeforeAll
    static void start() {
        pdp = ConfiguredPdp.start(options -> options.withRequestTimeoutMs(TIMEOUT_MS));
    }

    @AfterAll
    static void stop() {
        pdp.close();
    }

    @Test
    void half_sent_headers_are_cut_within_the_request_timeout() throws IOException {
        assertClosedWithinTheTimeout("GET /v1/events HTTP/1.1\r\nHost: localhost\r\nx-slow: ");
    }

    @Test
    void a_connection_that_sends_nothing_is_closed() throws IOException {
        assertClosedWithinTheTimeout("");
    }

    @Test
    void an_idle_connection_after_an_answer_is_closed() throws IOException {
        URI base = URI.create(pdp.baseUrl());
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(3 * TIMEOUT_MS);
            socket.getOutputStream().write("GET /health/live HTTP/1.1\r\nHost: localhost\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            byte[] head = new byte[12];
            assertThat(in.readNBytes(head, 0, 12)).isEqualTo(12);
            assertThat(new String(head, StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 200");
            long started = System.nanoTime();
            in.readAllBytes(); // the rest of the answer, then the end of the stream when the server closes
            assertThat((System.nanoTime() - started) / 1_000_000).isLessThan(2L * TIMEOUT_MS);
        }
    }

    private static void assertClosedWithinTheTimeout(String partial) throws IOException {
        URI base = URI.create(pdp.baseUrl());
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(3 * TIMEOUT_MS); // a read that times out throws: the test fails
            OutputStream out = socket.getOutputStream();
            out.write(partial.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            long started = System.nanoTime();
            byte[] rest = socket.getInputStream().readAllBytes();
            long elapsedMs = (System.nanoTime() - started) / 1_000_000;
            assertThat(rest).isEmpty();
            assertThat(elapsedMs).isLessThan(2L * TIMEOUT_MS);
        }
    }
}
