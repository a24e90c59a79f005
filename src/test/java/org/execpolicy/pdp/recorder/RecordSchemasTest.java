package org.execpolicy.pdp.recorder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.execpolicy.pdp.recorder.Records.T0;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class RecordSchemasTest {

    /** Every record type of SPEC.md section 4, hard-coded: adding or dropping one must be seen here. */
    private static final List<String> ALL_TYPES = List.of(
            "llm_exec_policy", "policy_rule_fired", "policy_ruleset_loaded", "policy_ruleset_rejected",
            "retention_checkpoint", "chain_verified", "work_profile_changed", "work_profile_selected", "dynamic_role_changed",
            "waiver_granted", "waiver_approved", "waiver_revoked",
            "layerwise_trace_attached", "layerwise_trace_missing", "llm_exec_report", "exec_policy_violation",
            "runtime_downgrade", "trace_purged");

    private final RecordSchemas schemas = new RecordSchemas();

    @Test
    void knows_the_record_types() {
        assertThat(schemas.types()).contains(
                "llm_exec_policy", "policy_rule_fired", "policy_ruleset_loaded", "policy_ruleset_rejected",
                "retention_checkpoint", "work_profile_changed", "work_profile_selected", "dynamic_role_changed",
                "waiver_granted", "waiver_revoked");
        assertThat(schemas.types()).containsExactlyInAnyOrder(ALL_TYPES.toArray(String[]::new));
        assertThat(RecordSchemas.KNOWN_TYPES).containsExactlyInAnyOrderElementsOf(ALL_TYPES);
    }

    @Test
    void every_type_has_its_schema_file_and_no_schema_file_is_unused() throws IOException {
        Path dir = Path.of("src/main/resources/schemas");
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(f -> f.getFileName().toString()).toList())
                    .containsExactlyInAnyOrderElementsOf(ALL_TYPES.stream().map(t -> t + ".schema.json").toList());
        }
    }

    @Test
    void accepts_valid_records() {
        assertThatCode(() -> schemas.validate(Records.execPolicy("d-1", "t-1", T0))).doesNotThrowAnyException();
        assertThatCode(() -> schemas.validate(Records.approximateExecPolicy("d-2"))).doesNotThrowAnyException();
        assertThatCode(() -> schemas.validate(Records.ruleFired("d-1", 1, T0))).doesNotThrowAnyException();
    }

    /** SPEC 4 (v2): both phases of llm_exec_policy validate, each against its own required fields. */
    @Test
    void llm_exec_policy_validates_in_both_phases() {
        ObjectNode decided = Records.execPolicy("d-1", "t-1", T0).put("phase", "decided");
        assertThatCode(() -> schemas.validate(decided)).doesNotThrowAnyException();

        ObjectNode executed = Records.execPolicy("d-1", "t-1", T0); // only the envelope and ids are kept
        executed.retain("event_id", "timestamp", "type", "decision_id", "trace_id");
        executed.put("actor", "agent").put("phase", "executed").put("policy_decision_id", "d-1")
                .put("decided_event_id", "01a228d9-11e3-7fb5-9e8b-db514ae93000")
                .put("report_event_id", "01a228d9-11e3-7fb5-9e8b-db514ae93001")
                .put("mode", "standard").put("exactness", "exact").put("downgraded", true)
                .put("downgrade_reason", "out of VRAM").putNull("effective_policy").putNull("trace_artifact_sha256")
                .put("mean_exit_layer", 12.5).putNull("speculative").putNull("offload");
        executed.putObject("exit_layer_histogram").put("12", 3).put("30", 117);
        assertThatCode(() -> schemas.validate(executed)).doesNotThrowAnyException();

        // an executed record is not a decision: without its report it is refused, and so is a decided
        // record missing what a decision must say
        ObjectNode noReport = executed.deepCopy();
        noReport.remove("report_event_id");
        assertThatThrownBy(() -> schemas.validate(noReport)).isInstanceOf(RecordRejectedException.class)
                .hasMessageContaining("report_event_id");
        ObjectNode decidedWithoutPolicy = decided.deepCopy();
        decidedWithoutPolicy.remove("requested_policy");
        assertThatThrownBy(() -> schemas.validate(decidedWithoutPolicy)).isInstanceOf(RecordRejectedException.class)
                .hasMessageContaining("requested_policy");
        ObjectNode tooWide = executed.deepCopy();
        for (int i = 0; i < 65; i++) {
            ((ObjectNode) tooWide.get("exit_layer_histogram")).put(Integer.toString(100 + i), 1);
        }
        assertThatThrownBy(() -> schemas.validate(tooWide)).isInstanceOf(RecordRejectedException.class)
                .hasMessageContaining("exit_layer_histogram");
    }

    @Test
    void rejects_unknown_or_missing_type() {
        ObjectNode unknown = Records.ruleFired("d-1", 1, T0).put("type", "prompt_dump");
        assertThatThrownBy(() -> schemas.validate(unknown))
                .isInstanceOf(RecordRejectedException.class)
                .hasMessageContaining("unknown type 'prompt_dump'");

        ObjectNode missing = Records.ruleFired("d-1", 1, T0);
        missing.remove("type");
        assertThatThrownBy(() -> schemas.validate(missing))
                .isInstanceOf(RecordRejectedException.class)
                .hasMessageContaining("type");
    }

    @Test
    void rejects_messages_or_any_extra_field() {
        ObjectNode record = Records.execPolicy("d-1", "t-1", T0);
        record.putArray("messages").addObject().put("role", "user").put("content", "secret prompt");
        assertThatThrownBy(() -> schemas.validate(record))
                .isInstanceOfSatisfying(RecordRejectedException.class, e -> {
                    assertThat(e.type()).isEqualTo("llm_exec_policy");
                    assertThat(e.getMessage()).contains("llm_exec_policy").contains("messages");
                });

        ObjectNode fired = Records.ruleFired("d-1", 1, T0).put("prompt", "secret");
        assertThatThrownBy(() -> schemas.validate(fired)).isInstanceOf(RecordRejectedException.class);
    }

    @Test
    void rejects_approximate_without_waiver_ref() {
        ObjectNode record = Records.approximateExecPolicy("d-1").putNull("waiver_ref");
        assertThatThrownBy(() -> schemas.validate(record))
                .isInstanceOfSatisfying(RecordRejectedException.class,
                        e -> assertThat(e.getMessage()).contains("llm_exec_policy").contains("/waiver_ref"));

        ObjectNode emptyWaiver = Records.approximateExecPolicy("d-1").put("waiver_ref", "");
        assertThatThrownBy(() -> schemas.validate(emptyWaiver)).isInstanceOf(RecordRejectedException.class);

        ObjectNode noArtifact = Records.approximateExecPolicy("d-1").putNull("trace_artifact_ref");
        assertThatThrownBy(() -> schemas.validate(noArtifact)).isInstanceOf(RecordRejectedException.class);
    }

    @Test
    void rejects_bad_hashes_and_digests() {
        ObjectNode upper = Records.execPolicy("d-1", "t-1", T0).put("effective_policy_hash", "A".repeat(64));
        assertThatThrownBy(() -> schemas.validate(upper))
                .isInstanceOfSatisfying(RecordRejectedException.class,
                        e -> assertThat(e.location()).isEqualTo("/effective_policy_hash"));

        ObjectNode shortDigest = Records.ruleFired("d-1", 1, T0).put("ruleset_digest", "abc");
        assertThatThrownBy(() -> schemas.validate(shortDigest))
                .isInstanceOfSatisfying(RecordRejectedException.class,
                        e -> assertThat(e.getMessage()).contains("policy_rule_fired").contains("/ruleset_digest"));
    }

    @Test
    void rejects_broken_envelope() {
        assertThatThrownBy(() -> schemas.validate(Records.ruleFired("d-1", 1, T0).put("event_id", "not-a-uuid")))
                .isInstanceOf(RecordRejectedException.class);
        assertThatThrownBy(() -> schemas.validate(Records.ruleFired("d-1", 1, T0).put("timestamp", "yesterday")))
                .isInstanceOf(RecordRejectedException.class);
        assertThatThrownBy(() -> schemas.validate(Records.ruleFired("d-1", 1, T0).put("actor", "robot")))
                .isInstanceOf(RecordRejectedException.class);
    }

    @Test
    void bounds_the_rule_firing_summary() {
        ObjectNode tooLong = Records.ruleFired("d-1", 1, T0);
        tooLong.putArray("matched").add("x".repeat(513));
        assertThatThrownBy(() -> schemas.validate(tooLong)).isInstanceOf(RecordRejectedException.class);

        ObjectNode tooMany = Records.ruleFired("d-1", 1, T0);
        var matched = tooMany.putArray("matched");
        for (int i = 0; i < 17; i++) {
            matched.add("fact " + i);
        }
        assertThatThrownBy(() -> schemas.validate(tooMany)).isInstanceOf(RecordRejectedException.class);

        assertThatThrownBy(() -> schemas.validate(Records.ruleFired("d-1", 0, T0)))
                .isInstanceOf(RecordRejectedException.class);
    }

    @Test
    void checks_types_of_nested_values() {
        ObjectNode negativeBucket = Records.approximateExecPolicy("d-1");
        negativeBucket.putArray("exit_layer_histogram").add(1).add(-1);
        assertThatThrownBy(() -> schemas.validate(negativeBucket)).isInstanceOf(RecordRejectedException.class);

        ObjectNode policyNotObject = Records.execPolicy("d-1", "t-1", T0).put("requested_policy", "standard");
        assertThatThrownBy(() -> schemas.validate(policyNotObject)).isInstanceOf(RecordRejectedException.class);

        ObjectNode missingField = Records.execPolicy("d-1", "t-1", T0);
        missingField.remove("downgraded");
        assertThatThrownBy(() -> schemas.validate(missingField)).isInstanceOf(RecordRejectedException.class);
    }

    @Test
    void asserts_date_time_format_where_no_pattern_backs_it() {
        assertThatCode(() -> schemas.validate(Records.execPolicy("d-1", "t-1", T0)
                .put("evaluated_at", "2025-01-01T02:00:00.123+02:00"))).doesNotThrowAnyException();
        for (String bad : List.of("not-a-date", "2025-02-30T00:00:00Z", "2025-01-01T00:00:00",
                "2025-01-01T00:00Z", "2025-01-01 00:00:00Z", "2025-01-01T00:00:00Zx", "2016-12-31T23:59:60Z")) {
            ObjectNode record = Records.execPolicy("d-1", "t-1", T0).put("evaluated_at", bad);
            assertThatThrownBy(() -> schemas.validate(record))
                    .as(bad)
                    .isInstanceOfSatisfying(RecordRejectedException.class, e -> {
                        assertThat(e.location()).isEqualTo("/evaluated_at");
                        assertThat(e.getMessage()).contains("date-time");
                    });
        }
    }

    @Test
    void locates_an_extra_property_at_the_property() {
        ObjectNode record = Records.ruleFired("d-1", 1, T0).put("prompt", "secret");
        assertThatThrownBy(() -> schemas.validate(record))
                .isInstanceOfSatisfying(RecordRejectedException.class,
                        e -> assertThat(e.location()).isEqualTo("/prompt"));
    }

    @Test
    void anchors_patterns_at_the_end_of_the_string() {
        ObjectNode record = Records.ruleFired("d-1", 1, T0).put("ruleset_digest", "a".repeat(64) + "\n");
        assertThatThrownBy(() -> schemas.validate(record))
                .isInstanceOfSatisfying(RecordRejectedException.class,
                        e -> assertThat(e.location()).isEqualTo("/ruleset_digest"));
    }
}
