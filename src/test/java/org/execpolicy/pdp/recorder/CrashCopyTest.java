package org.execpolicy.pdp.recorder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.execpolicy.pdp.recorder.Records.T0;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.execpolicy.pdp.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a kill -9 leaves, taken in process: the store's files copied while the store is open and
 * working are what the operating system holds of them (a killed process loses only its memory):
 * whatever was answered or relied on must be in that copy.
 */
class CrashCopyTest {
    private static final String NODE = "node-crash";

    @TempDir
    Path tempDir;

    @Test
    void answered_decisions_are_in_what_a_kill_leaves_and_come_back_at_open() throws Exception {
        Path live = tempDir.resolve("live");
        Path crashed = tempDir.resolve("crashed");
        List<String> decisionIds = new ArrayList<>();
        try (Database db = Database.open(live); FlightRecorder recorder = new FlightRecorder(db, null, NODE)) {
            for (int i = 0; i < 20; i++) {
                ObjectNode decision = Records.execPolicy("d-" + i, "t", T0);
                recorder.append(List.of(decision)).join(); // answered: in the journal, in H2 within a second
                decisionIds.add("d-" + i);
            }
            copyFiles(live, crashed);
        }
        try (Database db = Database.open(crashed); FlightRecorder recorder = new FlightRecorder(db, null, NODE)) {
            for (String id : decisionIds) {
                assertThat(recorder.eventsOfDecision(id)).as(id).hasSize(1);
            }
            assertThat(recorder.verify().intact()).isTrue();
        }
    }

    @Test
    void rules_and_snapshots_stored_outside_the_writer_are_in_what_a_kill_leaves() throws Exception {
        Path live = tempDir.resolve("live");
        Path crashed = tempDir.resolve("crashed");
        String sha256;
        try (Database db = Database.open(live)) {
            new RuleCatalog(db).register("b".repeat(64), List.of(new RuleCatalog.RuleText("r1", "p", "rule one")));
            sha256 = new ReplayStore(db, Clock.systemUTC()).putSnapshot("work_profile",
                    Json.object().put("profile_id", "p-1"));
            copyFiles(live, crashed);
        }
        try (Database db = Database.open(crashed)) {
            assertThat(new ReplayStore(db, Clock.systemUTC()).snapshot(sha256)).isPresent();
            assertThat(new RuleCatalog(db).rule("b".repeat(64), "r1")).isPresent();
        }
    }

    /**
     * The data directory's files as the operating system has them now: the evidence journal first, as a
     * kill leaves a journal segment that H2 took later and then deleted in the H2 file.
     */
    private static void copyFiles(Path from, Path to) throws IOException {
        Path journal = from.resolve(EvidenceJournal.DIRECTORY);
        if (Files.isDirectory(journal)) {
            copyFiles(journal, to.resolve(EvidenceJournal.DIRECTORY));
        }
        Files.createDirectories(to);
        try (var files = Files.list(from)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                try {
                    Files.copy(file, to.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                } catch (java.nio.file.NoSuchFileException deleted) {
                    // a journal segment H2 took while we copied: the H2 file, copied after, holds its rows
                }
            }
        }
    }
}
