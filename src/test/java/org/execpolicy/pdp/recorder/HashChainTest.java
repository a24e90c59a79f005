package org.execpolicy.pdp.recorder;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import org.execpolicy.pdp.json.CanonicalJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The hash chain over a real H2 file: intact after writes and restarts, and every tampering is caught. */
class HashChainTest {
    @TempDir
    Path dir;

    private void appendDecisions(FlightRecorder recorder, int count) {
        for (int i = 0; i < count; i++) {
            recorder.append(List.of(Records.execPolicy(UUID.randomUUID().toString(), "trace-" + i,
                    Records.T0.plusSeconds(i)))).join();
        }
    }

    private static void sql(Database db, String statement) throws Exception {
        try (Connection c = db.connection(); Statement s = c.createStatement()) {
            s.executeUpdate(statement);
            c.commit();
        }
    }

    @Test
    void a_chain_written_across_restarts_is_intact() {
        try (Database db = Database.open(dir); FlightRecorder recorder = new FlightRecorder(db, new RecordSchemas())) {
            appendDecisions(recorder, 30);
        }
        try (Database db = Database.open(dir); FlightRecorder recorder = new FlightRecorder(db, new RecordSchemas())) {
            appendDecisions(recorder, 20);
            ChainReport report = recorder.verify();
            assertThat(report.intact()).isTrue();
            assertThat(report.recordsChecked()).isEqualTo(50);
            assertThat(report.chains()).singleElement().satisfies(chain -> {
                assertThat(chain.headSeq()).isEqualTo(50);
                assertThat(chain.nodeId()).isEqualTo(NodeIdentity.of(dir));
            });
        }
    }

    @Test
    void an_altered_record_is_caught_with_its_seq() throws Exception {
        try (Database db = Database.open(dir); FlightRecorder recorder = new FlightRecorder(db, new RecordSchemas())) {
            appendDecisions(recorder, 10);
            assertThat(StoredText.rewrite(db, "chain_seq = 7",
                    text -> text.replace("\"exactness\":\"exact\"", "\"exactness\":\"approximate\""))).isEqualTo(1);

            ChainReport report = recorder.verify();

            assertThat(report.intact()).isFalse();
            ChainReport.Chain chain = report.chains().get(0);
            assertThat(chain.firstBroken().seq()).isEqualTo(7);
            assertThat(chain.firstBroken().reason()).contains("altered");
            assertThat(chain.recordsChecked()).isEqualTo(6);
            assertThat(report.toJson().path("first_broken").path("seq").asLong()).isEqualTo(7);
        }
    }

    @Test
    void a_deleted_record_is_caught() throws Exception {
        try (Database db = Database.open(dir); FlightRecorder recorder = new FlightRecorder(db, new RecordSchemas())) {
            appendDecisions(recorder, 10);
            sql(db, "DELETE FROM evidence WHERE chain_seq = 4");

            ChainReport.Break broken = recorder.verify().chains().get(0).firstBroken();

            assertThat(broken.seq()).isEqualTo(4);
            assertThat(broken.reason()).isEqualTo("record missing");
            assertThat(broken.found()).isEqualTo("chain_seq 5");
        }
    }

    @Test
    void a_record_hash_changed_only_in_its_column_is_caught() throws Exception {
        try (Database db = Database.open(dir); FlightRecorder recorder = new FlightRecorder(db, new RecordSchemas())) {
            appendDecisions(recorder, 5);
            // The column no longer matches the hash of the record's content, nor record 4's prev_hash.
            sql(db, "UPDATE evidence SET head_hash = '" + "b".repeat(64) + "' WHERE chain_seq = 3");

            ChainReport.Break broken = recorder.verify().chains().get(0).firstBroken();

            assertThat(broken.seq()).isEqualTo(3);
        }
    }

    @Test
    void an_export_is_verifiable_with_sha256_and_the_canonical_form_alone() throws Exception {
        StringWriter out = new StringWriter();
        try (Database db = Database.open(dir); FlightRecorder recorder = new FlightRecorder(db, new RecordSchemas())) {
            appendDecisions(recorder, 12);
            assertThat(recorder.export(null, null, out)).isEqualTo(12);
        }
        // SPEC section 4 (v2): content_hash over the record without its chain members,
        // record_hash over the ASCII text prev_hash || content_hash
        String prev = "0".repeat(64);
        for (String line : out.toString().split("\n")) {
            ObjectNode record = (ObjectNode) Records.MAPPER.readTree(line);
            assertThat(line).as("exported canonical").isEqualTo(CanonicalJson.canonicalize(record));
            String stated = record.get("record_hash").asText();
            String statedContent = record.get("content_hash").asText();
            assertThat(record.path("prev_hash").asText()).isEqualTo(prev);
            record.remove(List.of("node_id", "chain_seq", "prev_hash", "content_hash", "record_hash"));
            assertThat(sha256(CanonicalJson.canonicalize(record))).isEqualTo(statedContent);
            assertThat(sha256(prev + statedContent)).isEqualTo(stated);
            prev = stated;
        }
    }

    private static String sha256(String text) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        return HexFormat.of().formatHex(sha.digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void a_purge_leaves_a_checkpoint_so_the_rest_still_verifies() throws Exception {
        try (Database db = Database.open(dir); FlightRecorder recorder = new FlightRecorder(db, new RecordSchemas())) {
            appendDecisions(recorder, 20); // timestamps T0 .. T0+19s

            List<Retention.Purge> purges = new Retention(db, recorder).purgeOlderThan(Records.T0.plusSeconds(8));

            assertThat(purges).singleElement().satisfies(p -> {
                assertThat(p.throughSeq()).isEqualTo(8);
                assertThat(p.count()).isEqualTo(8);
            });
            ChainReport report = recorder.verify();
            assertThat(report.intact()).as(report.toJson().toString()).isTrue();
            assertThat(report.recordsChecked()).isEqualTo(13); // 12 kept decisions + the checkpoint

            sql(db, "DELETE FROM evidence WHERE chain_seq = 9");
            assertThat(recorder.verify().chains().get(0).firstBroken().seq()).isEqualTo(9);
        }
    }

    @Test
    void an_incremental_verification_goes_on_from_its_last_mark_and_marks_where_it_got() throws Exception {
        try (Database db = Database.open(dir); FlightRecorder recorder = new FlightRecorder(db, new RecordSchemas())) {
            appendDecisions(recorder, 10); // chain_seq 1..10
            ChainReport first = recorder.verifySinceLastMark(); // marked at 11: through 10
            assertThat(first.chains()).singleElement().satisfies(chain -> {
                assertThat(chain.fromSeq()).isEqualTo(1);
                assertThat(chain.recordsChecked()).isEqualTo(10);
            });

            appendDecisions(recorder, 5); // 12..16
            ChainReport second = recorder.verifySinceLastMark(); // marked at 17: through 16
            assertThat(second.chains()).singleElement().satisfies(chain -> {
                assertThat(chain.fromSeq()).as("after what the first mark covers").isEqualTo(11);
                assertThat(chain.recordsChecked()).as("the mark and 5 decisions").isEqualTo(6);
                assertThat(chain.complete()).isTrue();
            });

            appendDecisions(recorder, 3); // 18..20
            assertThat(StoredText.rewrite(db, "chain_seq = 19",
                    text -> text.replace("\"exactness\":\"exact\"", "\"exactness\":\"approximate\""))).isEqualTo(1);
            ChainReport third = recorder.verifySinceLastMark();
            assertThat(third.intact()).isFalse();
            assertThat(third.chains().get(0).firstBroken().seq()).isEqualTo(19);
            assertThat(recorder.verify().chains().get(0).firstBroken().seq()).isEqualTo(19);
            assertThat(recorder.verifySinceLastMark().chains().get(0).fromSeq()).as("no mark past a break").isEqualTo(17);
        }
    }

    @Test
    void a_full_verification_finds_what_happened_before_the_last_mark() throws Exception {
        try (Database db = Database.open(dir); FlightRecorder recorder = new FlightRecorder(db, new RecordSchemas())) {
            appendDecisions(recorder, 6);
            assertThat(recorder.verifySinceLastMark().intact()).isTrue();
            assertThat(StoredText.rewrite(db, "chain_seq = 2",
                    text -> text.replace("\"exactness\":\"exact\"", "\"exactness\":\"approximate\""))).isEqualTo(1);

            assertThat(recorder.verify().chains().get(0).firstBroken().seq()).isEqualTo(2);
        }
    }
}
