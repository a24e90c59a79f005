package org.execpolicy.pdp.traces;

import static org.assertj.core.api.Assertions.assertThat;
import static org.execpolicy.pdp.traces.Evidence.approximateDecision;
import static org.execpolicy.pdp.traces.Evidence.jsonl;
import static org.execpolicy.pdp.traces.Evidence.trace;
import static org.execpolicy.pdp.traces.Evidence.upload;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.execpolicy.pdp.support.RunningPdp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The data directory holds all the evidence: only its owner may read it, as tokens.json already
 * was. Directories 0700, files 0600: the H2 database, node_id, trace artifacts, whatever the
 * server writes there (issue 10, item 9). It runs on the fixture ruleset {@code waiver-gate}
 * ({@link Evidence#start}), which grants the approximate decision whose trace is written, whatever the
 * shipped rules/ grant.
 */
class DataDirectoryPermissionsTest {
    @TempDir
    Path temp;

    /** Every entry under the data directory (itself included), relative, with its permissions. */
    static Map<String, String> modes(Path data) {
        Map<String, String> modes = new TreeMap<>();
        try (Stream<Path> entries = Files.walk(data)) {
            for (Path entry : entries.toList()) {
                String name = data.relativize(entry).toString();
                modes.put(name.isEmpty() ? "." : name, PosixFilePermissions.toString(
                        Files.getPosixFilePermissions(entry, LinkOption.NOFOLLOW_LINKS)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return modes;
    }

    static void assertOwnerOnly(Path data) {
        modes(data).forEach((name, mode) -> assertThat(mode).as(name)
                .isEqualTo(Files.isDirectory(data.resolve(name)) ? "rwx------" : "rw-------"));
    }

    /**
     * Grants approximate execution, decides and uploads a trace: the server writes every kind of file it
     * has (the artifact itself goes into the store, pdp.mv.db; the upload passed through traces/incoming).
     */
    static void writeEverything(RunningPdp pdp) {
        Evidence.grantApproximateToWorker(pdp);
        JsonNode decision = approximateDecision(pdp);
        RunningPdp.Reply attached = upload(pdp, decision, jsonl(trace(decision, 5)));
        assertThat(attached.status()).as(attached.body()).isEqualTo(201);
    }

    @Test
    void a_new_data_directory_and_all_the_server_writes_there_are_owner_only() {
        Path data = temp.resolve("data"); // not there yet: the server creates it

        try (RunningPdp pdp = Evidence.start(data)) {
            writeEverything(pdp);

            assertThat(modes(data)).containsKeys(".", "pdp.mv.db", "node_id", "tokens.json", "traces/incoming");
            assertOwnerOnly(data);
        }
    }

    @Test
    void a_data_directory_open_to_others_is_tightened_at_start_and_said_so() throws IOException {
        Path data = temp.resolve("data");
        try (RunningPdp pdp = Evidence.start(data)) {
            writeEverything(pdp);
        }
        try (Stream<Path> entries = Files.walk(data)) {
            for (Path entry : entries.toList()) {
                Files.setPosixFilePermissions(entry, PosixFilePermissions.fromString(
                        Files.isDirectory(entry) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }

        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream stderr = System.err;
        System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8)); // slf4j-simple writes to System.err
        try (RunningPdp pdp = Evidence.start(data)) {
            System.setErr(stderr);
            assertOwnerOnly(data);
            assertThat(approximateDecision(pdp).path("exactness").asText()).isEqualTo("approximate");
        } finally {
            System.setErr(stderr);
        }
        assertThat(log.toString(StandardCharsets.UTF_8)).contains("open to other users").contains(data.toString());
    }
}
