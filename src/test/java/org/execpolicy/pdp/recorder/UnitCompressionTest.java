package org.execpolicy.pdp.recorder;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.Deflater;
import org.junit.jupiter.api.Test;

/** A unit's stored form, on a decision unit the benchmark's decisions stored (test resource). */
class UnitCompressionTest {

    @Test
    void a_decision_unit_is_deflated_well_below_the_fastest_levels_size_and_reads_back() throws IOException {
        String unit = resource("recorder/decision-unit.json");
        byte[] stored = UnitCompression.compress(unit);

        assertThat(UnitCompression.decompress(stored)).isEqualTo(unit);
        // the fastest level found few of the dictionary's long matches: 510 bytes against 359
        assertThat(stored.length).isLessThan(fastest(unit).length * 8 / 10);
    }

    @Test
    void units_stored_at_the_fastest_level_still_read() throws IOException {
        String unit = resource("recorder/decision-unit.json");
        assertThat(UnitCompression.decompress(fastest(unit))).isEqualTo(unit);
    }

    /** The unit as the store kept it before: format byte 1, deflated at level 1 against the same dictionary. */
    private static byte[] fastest(String unit) throws IOException {
        Deflater deflater = new Deflater(Deflater.BEST_SPEED, true);
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
