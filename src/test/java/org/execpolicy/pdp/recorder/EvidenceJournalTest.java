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
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The H2 store's evidence journal (SPEC section 4, durable before the answer): each evidence batch is
 * forced there before it is answered, H2 takes it a segment at a time, and what H2 had not taken when
 * the node died is inserted at open, continuing the chain, or the store is not opened.
 */
class EvidenceJournalTest {
    private static final String NODE = "node-journal";

    @TempDir
    Path tempDir;

    /** The same records each time they are stored, so their rows are the same in every store. */
    private final List<ObjectNode> decisions = decisions(10);

    @Test
    void rows_read_back_as_written_and_a_torn_or_corrupt_tail_ends_the_segment() throws Exception {
        List<EvidenceRow> rows = rowsOf(6);
        Path dir = tempDir.resolve("data");
        EvidenceJournal.Segment segment;
        try (EvidenceJournal journal = EvidenceJournal.open(dir, EvidenceJournal.Sync.FDATASYNC)) {
            journal.append(rows.subList(0, 2));
            journal.append(rows.subList(2, 6));
            segment = journal.rotate();
            journal.append(rows.subList(0, 1)); // a new segment, after the first
        }
        List<EvidenceJournal.Segment> segments = EvidenceJournal.segments(dir);
        assertThat(segments).hasSize(2).first().isEqualTo(segment);
        assertRowsEqual(EvidenceJournal.read(segment), rows);

        long whole = Files.size(segment.file());
        try (FileChannel channel = FileChannel.open(segment.file(), StandardOpenOption.WRITE)) {
            channel.truncate(whole - 3); // the last entry's force never returned
        }
        assertRowsEqual(EvidenceJournal.read(segment), rows.subList(0, 2));

        byte[] bytes = Files.readAllBytes(segment.file());
        bytes[12] ^= 1; // a flipped bit in the first entry
        Files.write(segment.file(), bytes);
        assertThat(EvidenceJournal.read(segment)).isEmpty();
    }

    @Test
    void rows_of_every_shape_read_back_as_written_in_the_compact_form() throws Exception {
        String hash = "ab".repeat(32);
        OffsetDateTime ts = OffsetDateTime.parse("2026-11-30T14:00:21.345652+02:00");
        byte[] body = {1, 2, 3};
        List<EvidenceRow> rows = List.of(
                // a chain's first row: a prev_hash that is not hex, ids that are not UUIDs
                new EvidenceRow("node-a", 1, 9, "genesis", hash, "e-1", "llm_exec_policy", ts, "trace", "d-1", true,
                        body),
                // follows the row before: node, chain position and prev_hash are left out
                new EvidenceRow("node-a", 10, 1, hash, "cd".repeat(32), "01a22cc1-b265-79cf-8cdc-cefc35d0e0f4",
                        "waiver_granted", ts, null, "01a22cc1-b265-79cf-8cdc-cefc35d0e0f5", false, new byte[0]),
                // a gap in the chain, an upper-case UUID (16 bytes would give it back lower-case), no decision
                new EvidenceRow("node-a", 20, 1, "ef".repeat(32), "01".repeat(32),
                        "01A22CC1-B265-79CF-8CDC-CEFC35D0E0F4", "trace_attached", ts, "trace", null, false, body),
                // another node; a hash in upper case stays text
                new EvidenceRow("node-b", 21, 1, "01".repeat(32), "AB".repeat(32), "e-2", "x", ts, null, null, true,
                        body));
        Path dir = tempDir.resolve("data");
        EvidenceJournal.Segment segment;
        try (EvidenceJournal journal = EvidenceJournal.open(dir, EvidenceJournal.Sync.FDATASYNC)) {
            journal.append(rows);
            segment = journal.rotate();
        }
        assertRowsEqual(EvidenceJournal.read(segment), rows);
    }

    @Test
    void an_entry_of_the_first_form_written_before_the_compact_one_still_reads() throws Exception {
        List<EvidenceRow> rows = rowsOf(3);
        java.io.ByteArrayOutputStream payload = new java.io.ByteArrayOutputStream();
        try (java.io.DataOutputStream out = new java.io.DataOutputStream(payload)) {
            out.writeInt(rows.size()); // no format flag: every member as text, as the journal's first form
            for (EvidenceRow row : rows) {
                out.writeUTF(row.nodeId());
                out.writeLong(row.chainSeq());
                out.writeInt(row.recordCount());
                out.writeUTF(row.prevHash());
                out.writeUTF(row.headHash());
                out.writeUTF(row.eventId());
                out.writeUTF(row.type());
                out.writeLong(row.ts().toInstant().getEpochSecond());
                out.writeInt(row.ts().getNano());
                out.writeInt(row.ts().getOffset().getTotalSeconds());
                for (String text : new String[] {row.traceId(), row.decisionId()}) {
                    out.writeBoolean(text != null);
                    if (text != null) {
                        out.writeUTF(text);
                    }
                }
                out.writeBoolean(row.traceReserved());
                out.writeInt(row.body().length);
                out.write(row.body());
            }
        }
        byte[] bytes = payload.toByteArray();
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(bytes);
        Path dir = Files.createDirectories(tempDir.resolve("data").resolve(EvidenceJournal.DIRECTORY));
        Path file = dir.resolve("00000000000000000001.seg");
        Files.write(file, java.nio.ByteBuffer.allocate(8 + bytes.length).putInt(bytes.length)
                .putInt((int) crc.getValue()).put(bytes).array());

        assertThat(EvidenceJournal.segments(tempDir.resolve("data"))).hasSize(1);
        assertRowsEqual(EvidenceJournal.read(EvidenceJournal.segments(tempDir.resolve("data")).get(0)), rows);

        // the same rows in the compact form: hashes and UUIDs as bytes, node and chain link left out after the
        // first row (about 170 bytes of a decision's row)
        Path compact = tempDir.resolve("compact");
        try (EvidenceJournal journal = EvidenceJournal.open(compact, EvidenceJournal.Sync.FDATASYNC)) {
            journal.append(rows);
            EvidenceJournal.Segment segment = journal.rotate();
            assertThat(Files.size(segment.file())).isLessThan(Files.size(file) - rows.size() * 100L);
        }
    }

    @Test
    void an_answered_batch_is_in_the_journal_and_a_read_finds_it_in_h2() throws Exception {
        Path dir = tempDir.resolve("data");
        try (Database db = Database.open(dir); FlightRecorder recorder = new FlightRecorder(db, null, NODE)) {
            for (int i = 0; i < 5; i++) {
                recorder.append(List.of(decisions.get(i))).join();
                // no read here: a read would make H2 take the journal, and the count would prove nothing
                assertThat(journaledRows(dir)).as("answered, so in the journal, whether or not H2 took it yet")
                        .isEqualTo(i + 1);
            }
            assertThat(recorder.eventsOfDecision("d-4")).as("a read waits for H2 to take the journal").hasSize(1);
            assertThat(storedRows(db)).hasSize(5);
            assertThat(journaledRows(dir)).as("a segment H2 took stays: H2 may lose it in a crash").isEqualTo(5);
        }
    }

    @Test
    void the_writer_leaves_no_h2_transaction_open_between_journaled_batches() throws Exception {
        Path dir = tempDir.resolve("data");
        try (Database db = Database.open(dir); FlightRecorder recorder = new FlightRecorder(db, null, NODE)) {
            for (int i = 0; i < 3; i++) {
                recorder.append(List.of(decisions.get(i))).join(); // each looks its event_id up in H2 first
            }
            assertThat(recorder.eventsOfDecision("d-2")).hasSize(1); // H2 has taken the journal: the index is idle
            // a lookup's transaction left open lived as long as the node, and H2 kept state for each lookup
            try (Connection c = db.writerConnection()) {
                org.h2.mvstore.tx.TransactionStore transactions = ((org.h2.engine.SessionLocal) c
                        .unwrap(org.h2.jdbc.JdbcConnection.class).getSession()).getDatabase().getStore()
                        .getTransactionStore();
                assertThat(transactions.getOpenTransactions()).isEmpty();
            }
        }
    }

    @Test
    void opening_inserts_the_answered_tail_the_store_lacks_and_the_chain_verifies() throws Exception {
        List<EvidenceRow> rows = rowsOf(10);
        Path dir = tempDir.resolve("crashed");
        storeFirst(dir, 4); // what H2 had taken when the node died
        try (EvidenceJournal journal = EvidenceJournal.open(dir, EvidenceJournal.Sync.FDATASYNC)) {
            journal.append(rows.subList(0, 3)); // a segment H2 took but had not yet deleted: rows held twice
            journal.rotate();
            journal.append(rows.subList(3, 10));
        }

        try (Database db = Database.open(dir); FlightRecorder recorder = new FlightRecorder(db, null, NODE)) {
            assertThat(storedRows(db)).hasSize(10);
            ChainReport report = recorder.verify();
            assertThat(report.intact()).as(report.toJson().toString()).isTrue();
            assertThat(report.recordsChecked()).isEqualTo(10);
            assertThat(recorder.eventsOfDecision("d-9")).hasSize(1);
            recorder.append(List.of(Records.execPolicy("d-10", "t", T0))).join(); // the chain goes on from d-9
            assertThat(recorder.verify().intact()).isTrue();
        }
    }

    @Test
    void a_journal_that_does_not_continue_the_chain_stops_the_open_and_inserts_nothing() throws Exception {
        List<EvidenceRow> rows = rowsOf(10);
        Path dir = tempDir.resolve("gap");
        storeFirst(dir, 4);
        EvidenceJournal.Segment gap;
        try (EvidenceJournal journal = EvidenceJournal.open(dir, EvidenceJournal.Sync.FDATASYNC)) {
            journal.append(rows.subList(6, 10)); // rows 5 and 6 are nowhere
            gap = journal.rotate();
        }
        assertThatThrownBy(() -> Database.open(dir)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(EvidenceJournal.DIRECTORY).hasMessageContaining("chain_seq 7 follows 4");
        assertThat(EvidenceJournal.segments(dir)).as("kept for inspection").contains(gap);
        EvidenceJournal.delete(gap);
        try (Database db = Database.open(dir)) {
            assertThat(storedRows(db)).hasSize(4);
        }
    }

    @Test
    void retention_deletes_the_segments_whose_records_it_purged_and_the_open_does_not_bring_them_back()
            throws Exception {
        Path dir = tempDir.resolve("data");
        try (Database db = Database.open(dir); FlightRecorder recorder = new FlightRecorder(db, null, NODE)) {
            for (ObjectNode decision : decisions) {
                recorder.append(List.of(decision.deepCopy())).join();
                recorder.eventsOfDecision("d-0"); // a read hands the open segment to H2: one segment a decision
            }
            assertThat(EvidenceJournal.segments(dir)).hasSize(10);
            new Retention(db, recorder).purgeOlderThan(T0.plusSeconds(4).plusMillis(500)); // d-0 .. d-4
            assertThat(recorder.eventsOfDecision("d-4")).isEmpty();
            assertThat(recorder.eventsOfDecision("d-5")).hasSize(1);
        }
        List<EvidenceJournal.Segment> kept = EvidenceJournal.segments(dir);
        assertThat(EvidenceJournal.firstRow(kept.get(0)).decisionId()).isEqualTo("d-5");
        try (Database db = Database.open(dir); FlightRecorder recorder = new FlightRecorder(db, null, NODE)) {
            assertThat(recorder.eventsOfDecision("d-0")).as("purged stays purged").isEmpty();
            assertThat(recorder.verify().intact()).isTrue();
        }
    }

    /** The rows a recorder stores for decisions d-0 .. d-(n-1), one batch each. */
    private List<EvidenceRow> rowsOf(int n) throws SQLException {
        try (Database db = Database.open(tempDir.resolve("source-" + n));
             FlightRecorder recorder = new FlightRecorder(db, null, NODE)) {
            for (ObjectNode decision : decisions.subList(0, n)) {
                recorder.append(List.of(decision.deepCopy())).join();
            }
            List<EvidenceRow> rows = storedRows(db);
            assertThat(rows).hasSize(n);
            return rows;
        }
    }

    /** A store holding the first {@code n} of those decisions in H2, and an empty journal. */
    private void storeFirst(Path dir, int n) {
        try (Database db = Database.open(dir); FlightRecorder recorder = new FlightRecorder(db, null, NODE)) {
            for (ObjectNode decision : decisions.subList(0, n)) {
                recorder.append(List.of(decision.deepCopy())).join();
            }
        }
    }

    private static List<ObjectNode> decisions(int n) {
        List<ObjectNode> decisions = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            decisions.add(Records.execPolicy("d-" + i, "t", T0.plusSeconds(i)));
        }
        return decisions;
    }

    private static int journaledRows(Path dir) throws java.io.IOException {
        int rows = 0;
        for (EvidenceJournal.Segment segment : EvidenceJournal.segments(dir)) {
            rows += EvidenceJournal.read(segment).size();
        }
        return rows;
    }

    /** The evidence rows H2 holds, in chain order (the connection waits for the journal first). */
    private static List<EvidenceRow> storedRows(Database db) throws SQLException {
        List<EvidenceRow> rows = new ArrayList<>();
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement("SELECT node_id, chain_seq,"
                + " record_count, prev_hash, head_hash, event_id, type, ts, trace_id, decision_id, trace_reserved,"
                + " body FROM evidence ORDER BY seq"); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                rows.add(new EvidenceRow(rs.getString(1), rs.getLong(2), rs.getInt(3), rs.getString(4),
                        rs.getString(5), rs.getString(6), rs.getString(7), rs.getObject(8, OffsetDateTime.class),
                        rs.getString(9), rs.getString(10), rs.getBoolean(11), rs.getBytes(12)));
            }
        }
        return rows;
    }

    private static void assertRowsEqual(List<EvidenceRow> read, List<EvidenceRow> written) {
        assertThat(read).hasSameSizeAs(written);
        for (int i = 0; i < read.size(); i++) {
            assertThat(read.get(i)).usingRecursiveComparison().isEqualTo(written.get(i));
        }
    }
}
