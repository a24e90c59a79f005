package org.execpolicy.pdp.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.execpolicy.pdp.support.RunningPdp;
import org.execpolicy.pdp.support.RunningPdp.Reply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * When the store cannot commit, no decision is given (503 runtime_unavailable,
 * not ready); when it works again, the PDP recovers by itself.
 */
class FailClosedTest {
    private static final String DECISION = """
            {"trace_id":"%s","role":"worker","task_type":"chat","model_id":"m-7b"}""";

    private RunningPdp pdp;

    @BeforeEach
    void start() {
        pdp = RunningPdp.start();
    }

    @AfterEach
    void stop() {
        pdp.close();
    }

    @Test
    void a_decision_that_cannot_be_recorded_is_not_given_and_the_pdp_recovers() throws Exception {
        assertThat(pdp.post("/v1/decisions", DECISION.formatted("before")).status()).isEqualTo(200);

        shutDownTheDatabaseUnderTheServer();

        Reply refused = pdp.post("/v1/decisions", DECISION.formatted("during"));
        assertThat(refused.status()).isEqualTo(503);
        assertThat(refused.contentType()).isEqualTo("application/problem+json");
        assertThat(refused.json().path("error_type").asText()).isEqualTo("runtime_unavailable");
        assertThat(refused.body()).doesNotContain("decision_id");
        Reply notReady = pdp.get("/health/ready");
        assertThat(notReady.status()).isEqualTo(503);
        assertThat(notReady.json().path("detail").asText()).contains("last commit failed (").doesNotContain("(unknown)");

        Reply recovered = pdp.post("/v1/decisions", DECISION.formatted("after"));
        assertThat(recovered.status()).isEqualTo(200);
        assertThat(pdp.get("/health/ready").status()).isEqualTo(200);
        assertThat(pdp.get("/v1/events?trace_id=during").json().path("items")).isEmpty();
        assertThat(pdp.get("/v1/events?trace_id=after&type=llm_exec_policy").json().path("items")).hasSize(1);
    }

    /** A real fault: SHUTDOWN closes the embedded database, breaking the recorder's open connection. */
    private void shutDownTheDatabaseUnderTheServer() throws Exception {
        String url = "jdbc:h2:file:" + pdp.dataDir().toAbsolutePath().normalize().resolve("pdp");
        try (Connection c = DriverManager.getConnection(url, "sa", ""); Statement s = c.createStatement()) {
            s.execute("SHUTDOWN");
        }
    }
}
