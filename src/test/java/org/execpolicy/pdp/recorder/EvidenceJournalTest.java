package org.execpolicy.pdp.recorder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.execpolicy.pdp.recorder.Records.T0;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The H2 store's journal (SPEC section 4, durable before the answer): each evidence batch is forced
 * there before it is answered, and what H2 had not yet stored when the node died is inserted again at
 * open, continuing the chain, or the store is not opened.
 */
class EvidenceJournalTest {
    private static final String NODE = "node-journal";

    @TempDir
    Path tempDir;

    /** The same records each time they are stored, so their rows are the same in every store. */
    private final List<ObjectNode> decisions = decisions(10);

    @Test
    void rows_read_back_as_written_and_a_torn_or_corrupt_tail_ends_the_journal() throws Exception {
        List<EvidenceRow> rows = rowsOf(6);
        Path dir = Files.createDirectories(tempDir.resolve("journal"));
        try (EvidenceJournal journal = EvidenceJournal.open(dir)) {
            journal.append(rows.subList(0, 2));
            journal.append(rows.subList(2, 6));
        }
        assertRowsEqual(EvidenceJournal.read(dir), rows);

        Path file = dir.resolve(EvidenceJournal.FILE_NAME);
        long whole = Files.size(file);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(whole - 3); // the last entry's force never returned
        }
        assertRowsEqual(EvidenceJournal.read(dir), rows.subList(0, 2));

        byte[] bytes = Files.readAllBytes(file);
        bytes[12] ^= 1; // a flipped bit in the first entry
        Files.write(file, bytes);
        assertThat(EvidenceJournal.read(dir)).isEmpty();

        try (EvidenceJournal journal = EvidenceJournal.open(dir)) {
            journal.clear();
            assertThat(journal.size()).isZero();
        }
        assertThat(EvidenceJournal.read(dir)).isEmpty();
    }

    @Test
    void each_evidence_batch_is_in_the_journal_when_answered_and_a_checkpoint_empties_it() throws Exception {
        Path dir = tempDir.resolve("data");
        try (Database db = Database.open(dir);
             FlightRecorder recorder = new FlightRecorder(db, null, NODE, new H2Durability(db.dataDir(), Long.MAX_VALUE))) {
            for (int i = 0; i < 5; i++) {
                recorder.append(List.of(Records.execPolicy("d-" + i, "t", T0))).join();
                assertThat(EvidenceJournal.read(db.dataDir())).as("answered, so in the journal").hasSize(i + 1);
            }
            // a batch that changes more than evidence is made durable in H2's file, which empties the journal
            recorder.append(List.of(Records.execPolicy("d-registry", "t", T0)), c -> { }).join();
            assertThat(EvidenceJournal.read(db.dataDir())).isEmpty();
        }
        try (Database db = Database.open(dir);
             FlightRecorder recorder = new FlightRecorder(db, null, NODE, new H2Durability(db.dataDir(), 0))) {
            recorder.append(List.of(Records.execPolicy("d-next", "t", T0))).join();
            assertThat(EvidenceJournal.read(db.dataDir())).as("checkpoint after every batch").isEmpty();
            assertThat(count(db, "SELECT COUNT(*) FROM evidence")).isEqualTo(7);
        }
    }

    @Test
    void opening_inserts_the_answered_tail_the_store_lost_and_the_chain_verifies() throws Exception {
        List<EvidenceRow> rows = rowsOf(10);
        Path dir = tempDir.resolve("crashed");
        storeFirst(dir, 4); // what H2 had stored in its file when the node died
        try (EvidenceJournal journal = EvidenceJournal.open(dir)) {
            journal.append(rows.subList(0, 3)); // a checkpoint had not yet emptied it: rows it holds twice
            journal.append(rows.subList(3, 10));
        }

        try (Database db = Database.open(dir); FlightRecorder recorder = new FlightRecorder(db, null, NODE)) {
            assertThat(count(db, "SELECT COUNT(*) FROM evidence")).isEqualTo(10);
            ChainReport report = recorder.verify();
            assertThat(report.intact()).as(report.toJson().toString()).isTrue();
            assertThat(report.recordsChecked()).isEqualTo(10);
            assertThat(recorder.eventsOfDecision("d-9")).hasSize(1);
            assertThat(EvidenceJournal.read(dir)).as("emptied once replayed and durable").isEmpty();
            recorder.append(List.of(Records.execPolicy("d-10", "t", T0))).join(); // the chain goes on from d-9
            assertThat(recorder.verify().intact()).isTrue();
        }
    }

    @Test
    void a_journal_that_does_not_continue_the_chain_stops_the_open_and_inserts_nothing() throws Exception {
        List<EvidenceRow> rows = rowsOf(10);
        Path dir = tempDir.resolve("gap");
        storeFirst(dir, 4);
        try (EvidenceJournal journal = EvidenceJournal.open(dir)) {
            journal.append(rows.subList(6, 10)); // rows 5 and 6 are nowhere
        }
        assertThatThrownBy(() -> Database.open(dir)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(EvidenceJournal.FILE_NAME).hasMessageContaining("chain_seq 7 follows 4");
        assertThat(EvidenceJournal.read(dir)).as("kept for inspection").hasSize(4);
        try (EvidenceJournal journal = EvidenceJournal.open(dir)) {
            journal.clear();
        }
        try (Database db = Database.open(dir)) {
            assertThat(count(db, "SELECT COUNT(*) FROM evidence")).isEqualTo(4);
        }
    }

    /** The rows a recorder stores for decisions d-0 .. d-(n-1), one batch each, as its writer forced them. */
    private List<EvidenceRow> rowsOf(int n) {
        List<EvidenceRow> forced = new CopyOnWriteArrayList<>();
        try (Database db = Database.open(tempDir.resolve("source-" + n));
             FlightRecorder recorder = new FlightRecorder(db, null, NODE,
                     (connection, rows, onlyEvidence) -> forced.addAll(rows))) {
            for (ObjectNode decision : decisions.subList(0, n)) {
                recorder.append(List.of(decision.deepCopy())).join();
            }
        }
        assertThat(forced).hasSize(n);
        return new ArrayList<>(forced);
    }

    /** A store holding the first {@code n} of those decisions, closed cleanly. */
    private void storeFirst(Path dir, int n) {
        try (Database db = Database.open(dir); FlightRecorder recorder = new FlightRecorder(db, null, NODE)) {
            for (ObjectNode decision : decisions.subList(0, n)) {
                recorder.append(List.of(decision.deepCopy())).join();
            }
        }
        try (EvidenceJournal journal = EvidenceJournal.open(dir)) {
            journal.clear();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static List<ObjectNode> decisions(int n) {
        List<ObjectNode> decisions = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            decisions.add(Records.execPolicy("d-" + i, "t", T0.plusSeconds(i)));
        }
        return decisions;
    }

    private static void assertRowsEqual(List<EvidenceRow> read, List<EvidenceRow> written) {
        assertThat(read).hasSameSizeAs(written);
        for (int i = 0; i < read.size(); i++) {
            assertThat(read.get(i)).usingRecursiveComparison().isEqualTo(written.get(i));
        }
    }

    private static long count(Database db, String sql) throws SQLException {
        try (Connection c = db.connection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
