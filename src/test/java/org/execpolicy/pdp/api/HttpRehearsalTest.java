package org.execpolicy.pdp.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.stream.Stream;
import org.execpolicy.pdp.support.FixtureRules;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The start's warm-up: the decision path rehearsed over HTTP on a scratch PDP, and nothing left in the node. */
class HttpRehearsalTest {
    @TempDir
    Path dataDir;

    private PdpServer.Options options() {
        return new PdpServer.Options("127.0.0.1", 0, dataDir, FixtureRules.WAIVER_GATE, false);
    }

    @Test
    void decisions_are_answered_over_http_by_a_scratch_pdp_that_leaves_nothing_in_the_data_directory()
            throws IOException {
        int answered = HttpRehearsal.run(options(), Clock.systemUTC(), Duration.ofMillis(1500));

        assertThat(answered).as("rehearsed decisions answered 2xx").isGreaterThan(10);
        try (Stream<Path> left = Files.list(dataDir)) {
            assertThat(left).as("no scratch store, no store or token file of the node's").isEmpty();
        }
    }

    @Test
    void a_scratch_directory_left_by_a_killed_warm_up_is_removed_by_the_next() throws IOException {
        Path leftover = Files.createDirectories(dataDir.resolve("rehearsal-123"));
        Files.writeString(leftover.resolve("pdp.mv.db"), "half written");

        HttpRehearsal.run(options(), Clock.systemUTC(), Duration.ofMillis(200));

        assertThat(leftover).doesNotExist();
    }

    @Test
    void no_budget_no_rehearsal() throws IOException {
        assertThat(HttpRehearsal.run(options(), Clock.systemUTC(), Duration.ZERO)).isZero();
        try (Stream<Path> left = Files.list(dataDir)) {
            assertThat(left).isEmpty();
        }
    }

    @Test
    void a_node_that_warmed_up_has_recorded_no_decision() throws Exception {
        try (PdpServer server = PdpServer.start(options().withWarmupMs(1500))) {
            assertThat(server.rehearsedDecisions()).as("the start did rehearse").isGreaterThan(10);
            HttpClient client = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + server.port();
            HttpResponse<String> events = client.send(HttpRequest.newBuilder(
                            URI.create(base + "/v1/events?type=llm_exec_policy"))
                    .header("authorization", "Bearer " + AccessTokens.secretOf(dataDir, "auditor")).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(events.statusCode()).isEqualTo(200);
            assertThat(events.body()).contains("\"items\":[]");
            assertThat(client.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).GET().build(),
                    HttpResponse.BodyHandlers.ofString()).body()).doesNotContain("pdp_decisions_total{");
        }
    }
}
