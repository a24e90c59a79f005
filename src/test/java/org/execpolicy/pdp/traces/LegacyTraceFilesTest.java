package org.execpolicy.pdp.traces;

import static org.assertj.core.api.Assertions.assertThat;
import static org.execpolicy.pdp.traces.Evidence.approximateDecision;
import static org.execpolicy.pdp.traces.Evidence.jsonl;
import static org.execpolicy.pdp.traces.Evidence.sha256;
import static org.execpolicy.pdp.traces.Evidence.trace;
import static org.execpolicy.pdp.traces.Evidence.upload;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import org.execpolicy.pdp.support.RunningPdp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A data directory of a build that kept trace artifacts as files ({@code traces/sha256/<hex>.jsonl}):
 * at start each file whose bytes are what its name says is moved into the store, and is served from
 * there; a file that is not what its name says is left where it is.
 */
class LegacyTraceFilesTest {
    @TempDir
    Path data;

    @Test
    void trace_files_of_an_earlier_build_are_moved_into_the_store_at_start() throws Exception {
        String body;
        String ref;
        try (RunningPdp pdp = RunningPdp.start(data)) {
            Evidence.grantApproximateToWorker(pdp);
            JsonNode decision = approximateDecision(pdp);
            body = jsonl(trace(decision, 50));
            ref = decision.path("trace_artifact_ref").asText();
            assertThat(upload(pdp, decision, body).status()).isEqualTo(201);
        }
        // as the earlier build left it: the artifact in a file, not in the store
        String url = "jdbc:h2:file:" + data.toAbsolutePath().normalize().resolve("pdp");
        try (Connection c = DriverManager.getConnection(url, "sa", "");
             PreparedStatement delete = c.prepareStatement("DELETE FROM trace_artifacts WHERE sha256 = ?");
             Statement shutdown = c.createStatement()) {
            delete.setString(1, sha256(body));
            assertThat(delete.executeUpdate()).isEqualTo(1);
            shutdown.execute("SHUTDOWN");
        }
        Path legacy = Files.createDirectories(data.resolve("traces/sha256"));
        Path file = Files.writeString(legacy.resolve(sha256(body) + ".jsonl"), body);
        Path notWhatItSays = Files.writeString(legacy.resolve(sha256("something else") + ".jsonl"), "tampered\n");

        try (RunningPdp pdp = RunningPdp.start(data)) {
            RunningPdp.Reply served = pdp.get(ref);

            assertThat(served.status()).as(served.body()).isEqualTo(200);
            assertThat(served.body()).isEqualTo(body);
            assertThat(Evidence.storedArtifacts(pdp)).contains(sha256(body)).doesNotContain(sha256("something else"));
            assertThat(file).doesNotExist();
            assertThat(notWhatItSays).exists();
        }
    }
}
