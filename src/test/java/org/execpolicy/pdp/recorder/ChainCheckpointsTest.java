package org.execpolicy.pdp.recorder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.execpolicy.pdp.recorder.Records.T0;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signed checkpoints on the embedded H2 store (SPEC 7): records removed from a chain's end break
 * no link a walk can see, so only the node's signed checkpoint of its head catches them.
 */
class ChainCheckpointsTest {
    @TempDir
    Path dataDir;
    private Database db;
    private FlightRecorder recorder;

    @BeforeEach
    void open() {
        db = Database.open(dataDir);
        recorder = new FlightRecorder(db, new RecordSchemas());
        for (int i = 1; i <= 3; i++) {
            recorder.append(List.of(Records.execPolicy("d-" + i, "trace-" + i, T0))).join();
        }
    }

    @AfterEach
    void close() {
        recorder.close();
        db.close();
    }

    @Test
    void the_last_unit_removed_from_a_chain_is_caught_by_its_signed_checkpoint() throws SQLException {
        try (ChainCheckpoints checkpoints = ChainCheckpoints.start(db, recorder.nodeId())) {
            assertThat(checkpoints.signNow()).get().extracting(SignedCheckpoint::chainSeq).isEqualTo(3L);
        }
        assertThat(recorder.verify().intact()).isTrue();

        sql("DELETE FROM evidence WHERE node_id = ? AND chain_seq = 3");

        ChainReport report = recorder.verify();
        assertThat(report.intact()).isFalse();
        ChainReport.Break broken = report.chains().get(0).firstBroken();
        assertThat(broken.reason()).isEqualTo("records removed from the chain's end");
        assertThat(broken.seq()).isEqualTo(3);
        assertThat(broken.found()).isEqualTo("chain ends at chain_seq 2");
    }

    @Test
    void without_a_checkpoint_the_same_removal_is_invisible_to_the_walk() throws SQLException {
        sql("DELETE FROM evidence WHERE node_id = ? AND chain_seq = 3");

        assertThat(recorder.verify().intact()).as("why checkpoints exist").isTrue();
    }

    @Test
    void a_whole_chain_removed_is_caught() throws SQLException {
        try (ChainCheckpoints checkpoints = ChainCheckpoints.start(db, recorder.nodeId())) {
            checkpoints.signNow();
        }

        sql("DELETE FROM evidence WHERE node_id = ?");

        ChainReport report = recorder.verify();
        assertThat(report.intact()).isFalse();
        assertThat(report.chains().get(0).nodeId()).isEqualTo(recorder.nodeId());
        assertThat(report.chains().get(0).firstBroken().reason()).isEqualTo("records removed from the chain's end");
    }

    @Test
    void a_checkpoint_whose_signature_does_not_verify_is_reported() throws SQLException {
        try (ChainCheckpoints checkpoints = ChainCheckpoints.start(db, recorder.nodeId())) {
            checkpoints.signNow();
        }

        // an attacker who truncates the chain and lowers the checkpoint to match cannot sign it
        sql("DELETE FROM evidence WHERE node_id = ? AND chain_seq = 3");
        sql("UPDATE chain_checkpoints SET chain_seq = 2, record_hash = (SELECT head_hash FROM evidence"
                + " WHERE chain_seq = 2 AND node_id = chain_checkpoints.node_id) WHERE node_id = ?");

        ChainReport report = recorder.verify();
        assertThat(report.intact()).isFalse();
        assertThat(report.chains().get(0).firstBroken().reason())
                .isEqualTo("signed checkpoint does not verify with the node's registered key");
    }

    @Test
    void a_restarted_node_keeps_its_key_and_another_key_under_its_id_is_refused() throws Exception {
        ChainCheckpoints.start(db, recorder.nodeId()).close();
        ChainCheckpoints.start(db, recorder.nodeId()).close(); // same data directory, same key

        java.nio.file.Files.delete(dataDir.resolve("node_key"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ChainCheckpoints.start(db, recorder.nodeId()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("another signing key");
    }

    private void sql(String statement) throws SQLException {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(statement)) {
            ps.setString(1, recorder.nodeId());
            ps.executeUpdate();
        }
    }
}
