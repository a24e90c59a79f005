package org.execpolicy.pdp.recorder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.execpolicy.pdp.recorder.Records.T0;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The warm-up's rehearsal of the write path on H2: a scratch store, and nothing in the Flight Recorder. */
class RehearsalTest {
    @TempDir
    Path dataDir;
    private Database db;
    private FlightRecorder recorder;

    @BeforeEach
    void open() {
        db = Database.open(dataDir);
        recorder = new FlightRecorder(db, new RecordSchemas());
    }

    @AfterEach
    void close() {
        recorder.close();
        db.close();
    }

    @Test
    void rehearsed_appends_go_to_a_scratch_store_that_is_removed_and_never_to_the_recorder() throws Exception {
        try (Rehearsal rehearsal = recorder.rehearsal()) {
            for (int i = 0; i < 50; i++) {
                rehearsal.append(List.of(Records.execPolicy("d-" + i, "trace", T0)));
            }
            Path scratch = scratchDirs().get(0);
            assertThat(scratchDirs()).containsExactly(scratch);
            assertThat(committedUnits(scratch)).as("every rehearsed append committed to the scratch store")
                    .isEqualTo(50);
        }

        assertThat(scratchDirs()).isEmpty();
        assertThat(recorder.events(EventQuery.newest(10)).items()).isEmpty();
        assertThat(recorder.verify().intact()).isTrue();
    }

    @Test
    void a_scratch_store_left_by_a_killed_warm_up_is_removed_by_the_next() throws IOException {
        Path leftover = Files.createDirectories(dataDir.resolve(ScratchRehearsal.PREFIX + "123"));
        Files.writeString(leftover.resolve("pdp.mv.db"), "half written");

        try (Rehearsal rehearsal = recorder.rehearsal()) {
            assertThat(leftover).doesNotExist();
            rehearsal.append(List.of(Records.execPolicy("d-1", "trace", T0)));
        }
        assertThat(scratchDirs()).isEmpty();
    }

    @Test
    void a_record_the_codec_refuses_is_refused_as_in_a_real_append() {
        try (Rehearsal rehearsal = recorder.rehearsal()) {
            var record = Records.execPolicy("d-1", "trace", T0);
            record.put("chain_seq", 1);
            assertThatThrownBy(() -> rehearsal.append(List.of(record))).isInstanceOf(RecordRejectedException.class);
        }
    }

    /**
     * The units the scratch store holds once its writer has caught up (appends do not wait for their
     * force): read through the store H2 has open in this JVM, for up to 10 s.
     */
    private static long committedUnits(Path scratch) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        long count;
        do {
            try (Connection c = DriverManager.getConnection("jdbc:h2:file:" + scratch.resolve("pdp"), "sa", "");
                 ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM evidence")) {
                rs.next();
                count = rs.getLong(1);
            }
        } while (count < 50 && System.nanoTime() < deadline && sleep());
        return count;
    }

    private static boolean sleep() throws InterruptedException {
        Thread.sleep(20);
        return true;
    }

    private List<Path> scratchDirs() throws IOException {
        try (Stream<Path> files = Files.list(dataDir)) {
            return files.filter(f -> f.getFileName().toString().startsWith(ScratchRehearsal.PREFIX)).toList();
        }
    }
}
