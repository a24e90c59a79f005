package org.execpolicy.pdp.recorder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A unit's time as the store keeps it: the digit-by-digit reading must agree with OffsetDateTime.parse. */
class UnitTimestampTest {

    @ParameterizedTest
    @ValueSource(strings = {"2026-11-30T14:00:21Z", "2026-11-30T14:00:21.3Z", "2026-11-30T14:00:21.345652Z",
            "2026-11-30T14:00:21.123456789Z", "2024-02-29T23:59:59.9Z", "0001-01-01T00:00:00.000Z",
            "2026-11-30T16:00:21.5+02:00", "2026-11-30T14:00:21.5-00:30", "+10000-01-01T00:00:00Z",
            "2026-11-30T14:00:21.Z"})
    void reads_every_form_as_the_parser_does(String text) {
        assertThat(UnitCodec.utc(text)).isEqualTo(OffsetDateTime.parse(text).withOffsetSameInstant(ZoneOffset.UTC));
    }

    @Test
    void reads_what_instants_print() {
        for (long nanos : new long[] {0, 1, 10, 100_000, 123_456_000, 999_999_999}) {
            Instant instant = Instant.ofEpochSecond(1_796_047_106L, nanos);
            assertThat(UnitCodec.utc(instant.toString()).toInstant()).isEqualTo(instant);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"2026-02-30T14:00:21Z", "2026-11-30T24:00:21Z",
            "2026-11-3OT14:00:21Z", "2026-11-30 14:00:21Z", "2026-11-30T14:00:21", "yesterday"})
    void refuses_what_the_parser_refuses(String text) {
        assertThatThrownBy(() -> UnitCodec.utc(text)).isInstanceOf(DateTimeParseException.class);
    }
}
