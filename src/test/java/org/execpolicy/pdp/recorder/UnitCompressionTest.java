package org.execpolicy.pdp.recorder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.Deflater;
import org.junit.jupiter.api.Test;

/** A unit's stored form, on a decision unit the benchmark's decisions stored (test resource). */
class UnitCompressionTest {

    @Test
    void a_decision_unit_is_stored_as_zstd_well_below_the_fastest_deflates_size_and_reads_back() throws IOException {
        String unit = resource("recorder/decision-unit.json");
        byte[] stored = UnitCompression.compress(unit);

        assertThat(stored[0]).isEqualTo(UnitCompression.FORMAT_2);
        assertThat(UnitCompression.decompress(stored)).isEqualTo(unit);
        // the dictionary's long matches found: deflate's fastest level took 510 bytes, its default 359
        assertThat(stored.length).isLessThan(deflated(unit, Deflater.BEST_SPEED).length * 8 / 10);
    }

    @Test
    void units_deflated_before_zstd_still_read_at_either_level() throws IOException {
        String unit = resource("recorder/decision-unit.json");
        assertThat(UnitCompression.decompress(deflated(unit, Deflater.BEST_SPEED))).isEqualTo(unit);
        assertThat(UnitCompression.decompress(deflated(unit, Deflater.DEFAULT_COMPRESSION))).isEqualTo(unit);
    }

    @Test
    void a_damaged_unit_is_refused_as_unreadable_not_read_as_something_else() throws IOException {
        byte[] stored = UnitCompression.compress(resource("recorder/decision-unit.json"));
        byte[] truncated = java.util.Arrays.copyOf(stored, stored.length / 2);
        assertThatThrownBy(() -> UnitCompression.decompress(truncated))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("not readable");
        assertThatThrownBy(() -> UnitCompression.decompress(new byte[] {9, 1, 2}))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("unknown format 9");
    }

    /** The unit as the store kept it before zstd: format byte 1, deflated at {@code level} against the same dictionary. */
    private static byte[] deflated(String unit, int level) throws IOException {
        Deflater deflater = new Deflater(level, true);
        try {
            deflater.setDictionary(resource("recorder/unit-dictionary-1.txt").getBytes(StandardCharsets.UTF_8));
            deflater.setInput(unit.getBytes(StandardCharsets.UTF_8));
            deflater.finish();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(UnitCompression.FORMAT_1);
            byte[] buffer = new byte[8192];
            while (!deflater.finished()) {
                out.write(buffer, 0, deflater.deflate(buffer));
            }
            return out.toByteArray();
        } finally {
            deflater.end();
        }
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = UnitCompressionTest.class.getClassLoader().getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
