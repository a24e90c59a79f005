package org.execpolicy.pdp.recorder;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * The stored form of a unit's text: a format byte, then the UTF-8 text deflated (raw, zlib's default
 * level) against a preset dictionary of typical units. The fastest level found few of the dictionary's
 * long matches: a decision unit took 510 bytes at level 1 and 359 at level 6 (2,000 units of a
 * benchmark run), and the unit is stored twice on H2 (journal and store). Inflating does not depend
 * on the level, so units deflated at either level read the same. Records share most of their text with each other
 * (field names, rule names, ruleset digest, fact summaries), so a 2 KB decision is stored in a few
 * hundred bytes. The dictionary of a format never changes; a new dictionary is a new format byte,
 * and the old one stays readable.
 */
final class UnitCompression {
    static final byte FORMAT_1 = 1;
    private static final byte[] DICTIONARY_1 = dictionary("recorder/unit-dictionary-1.txt");

    private UnitCompression() {
    }

    static byte[] compress(String text) {
        byte[] input = text.getBytes(StandardCharsets.UTF_8);
        Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        try {
            deflater.setDictionary(DICTIONARY_1);
            deflater.setInput(input);
            deflater.finish();
            ByteArrayOutputStream out = new ByteArrayOutputStream(input.length / 3 + 16);
            out.write(FORMAT_1);
            byte[] buffer = new byte[Math.max(256, input.length)];
            while (!deflater.finished()) {
                out.write(buffer, 0, deflater.deflate(buffer));
            }
            return out.toByteArray();
        } finally {
            deflater.end();
        }
    }

    static String decompress(byte[] stored) {
        if (stored.length == 0 || stored[0] != FORMAT_1) {
            throw new IllegalStateException("stored unit of unknown format " + (stored.length == 0 ? "(empty)" : stored[0]));
        }
        Inflater inflater = new Inflater(true);
        try {
            inflater.setDictionary(DICTIONARY_1); // raw deflate: no header asks for it, so set it first
            inflater.setInput(stored, 1, stored.length - 1);
            ByteArrayOutputStream out = new ByteArrayOutputStream(stored.length * 4);
            byte[] buffer = new byte[4096];
            while (!inflater.finished()) {
                int n = inflater.inflate(buffer);
                if (n == 0 && inflater.needsInput()) {
                    throw new IllegalStateException("stored unit is truncated");
                }
                out.write(buffer, 0, n);
            }
            return out.toString(StandardCharsets.UTF_8);
        } catch (DataFormatException e) {
            throw new IllegalStateException("stored unit is not readable: " + e.getMessage(), e);
        } finally {
            inflater.end();
        }
    }

    private static byte[] dictionary(String resource) {
        try (InputStream in = UnitCompression.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + resource);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
