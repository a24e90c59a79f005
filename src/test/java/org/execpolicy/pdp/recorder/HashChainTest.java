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
import org.execpolicy.pdp.model.CanonicalJson;
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
    void aChainWrittenAcrossRestartsIsIntact() {
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
    void anAlteredRecordIsCaughtWithItsSeq() throws Exception {
        try (Database db = Database.open(dir); FlightRecorder recorder = new FlightRecorder(db, new RecordSchemas())) {
            appendDecisions(recorder, 10);
            sql(db, "UPDATE events SET body = REPLACE(body, '\"exactness\":\"exact\"', '\"exactness\":\"approximate\"')"
                    + " WHERE chain_seq = 7");

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
    void aDeletedRecordIsCaught() throws Exception {
        try (Database db = Database.open(dir); FlightRecorder recorder = new FlightRecorder(db, new RecordSchemas())) {
            appendDecisions(recorder, 10);
            sql(db, "DELETE FROM events WHERE chain_seq = 4");

            ChainReport.Break broken = recorder.verify().chains().get(0).firstBroken();

            assertThat(broken.seq()).isEqualTo(4);
            assertThat(broken.reason()).isEqualTo("record missing");
            assertThat(broken.found()).isEqualTo("chain_seq 5");
        }
    }

    @Test
    void aRecordHashChangedOnlyInItsColumnIsCaught() throws Exception {
        try (Database db = Database.open(dir); FlightRecorder recorder = new FlightRecorder(db, new RecordSchemas())) {
            appendDecisions(recorder, 5);
            // The column no longer matches the record's own chain fields, nor record 4's prev_hash.
            sql(db, "UPDATE events SET record_hash = '" + "b".repeat(64) + "' WHERE chain_seq = 3");

            ChainReport.Break broken = recorder.verify().chains().get(0).firstBroken();

            assertThat(broken.seq()).isEqualTo(3);
        }
    }

    @Test
    void anExportIsVerifiableWithSha256AndTheCanonicalFormAlone() throws Exception {
        StringWriter out = new StringWriter();
        try (Database db = Database.open(dir); FlightRecorder recorder = new FlightRecorder(db, new RecordSchemas())) {
            appendDecisions(recorder, 12);
            assertThat(recorder.export(null, null, out)).isEqualTo(12);
        }
        String prev = "0".repeat(64);
        for (String line : out.toString().split("\n")) {
            ObjectNode record = (ObjectNode) Records.MAPPER.readTree(line);
            assertThat(line).as("exported as stored: canonical").isEqualTo(CanonicalJson.canonicalize(record));
            String stated = record.remove("record_hash").asText();
            assertThat(record.path("prev_hash").asText()).isEqualTo(prev);
            String canonical = CanonicalJson.canonicalize(record);
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(prev.getBytes(StandardCharsets.US_ASCII));
            sha.update(canonical.getBytes(StandardCharsets.UTF_8));
            assertThat(HexFormat.of().formatHex(sha.digest())).isEqualTo(stated);
            prev = stated;
        }
    }

    @Test
    void aPurgeLeavesACheckpointSoTheRestStillVerifies() throws Exception {
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

            sql(db, "DELETE FROM events WHERE chain_seq = 9");
            assertThat(recorder.verify().chains().get(0).firstBroken().seq()).isEqualTo(9);
        }
    }
}
