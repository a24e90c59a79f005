package org.execpolicy.pdp.recorder;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdDictCompress;
import com.github.luben.zstd.ZstdDictDecompress;
import com.github.luben.zstd.ZstdException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stored form of a unit's text: a format byte, then the UTF-8 text compressed against a preset
 * dictionary of typical units. Records share most of their text with each other (field names, rule
 * names, ruleset digest, fact summaries), so a decision unit of 3.4 KB is stored in under 400 bytes,
 * twice on H2 (journal and store). The dictionary of a format never changes; a new dictionary or
 * method is a new format byte, and every old one stays readable.
 * <ul>
 * <li>{@link #FORMAT_2}, written: zstd at level {@value #ZSTD_LEVEL}, dictionary 1 as raw content.
 * zstd digests the dictionary once; zlib read all 15.8 KB of it again for every unit. Over 3,000
 * decision units of a benchmark run: 11 us and 373 bytes a unit, where deflate took 34 us for 360
 * (in native code, so a profile of Java frames did not show it: a sixth of a decision's CPU).
 * <li>{@link #FORMAT_1}: raw deflate at zlib's default level, dictionary 1. Written where zstd's native
 * library cannot load (it ships for the common platforms), and read always.
 * </ul>
 */
final class UnitCompression {
    static final byte FORMAT_1 = 1;
    static final byte FORMAT_2 = 2;
    static final int ZSTD_LEVEL = 4;
    /** Far above any unit (a decision with its firings is a few KB): a larger claim is a damaged row. */
    private static final long MAX_UNIT_BYTES = 64L << 20;
    private static final byte[] DICTIONARY_1 = dictionary("recorder/unit-dictionary-1.txt");

    private UnitCompression() {
    }

    static byte[] compress(String text) {
        byte[] input = text.getBytes(StandardCharsets.UTF_8);
        return ZstdFormat.AVAILABLE ? ZstdFormat.compress(input) : deflate(input);
    }

    static String decompress(byte[] stored) {
        if (stored.length == 0) {
            throw new IllegalStateException("stored unit of unknown format (empty)");
        }
        return switch (stored[0]) {
            case FORMAT_1 -> inflate(stored);
            case FORMAT_2 -> ZstdFormat.decompress(stored);
            default -> throw new IllegalStateException("stored unit of unknown format " + stored[0]);
        };
    }

    /** zstd, its contexts kept for reuse (one per unit in flight; not thread-safe, so never shared). */
    private static final class ZstdFormat {
        private static final Logger LOG = LoggerFactory.getLogger(UnitCompression.class);
        static final boolean AVAILABLE = loads();
        private static ZstdDictCompress compressDictionary;
        private static ZstdDictDecompress decompressDictionary;
        private static final Queue<ZstdCompressCtx> COMPRESSORS = new ConcurrentLinkedQueue<>();
        private static final Queue<ZstdDecompressCtx> DECOMPRESSORS = new ConcurrentLinkedQueue<>();

        private static boolean loads() {
            try {
                compressDictionary = new ZstdDictCompress(DICTIONARY_1, ZSTD_LEVEL);
                decompressDictionary = new ZstdDictDecompress(DICTIONARY_1);
                return true;
            } catch (UnsatisfiedLinkError | RuntimeException e) {
                LOG.warn("zstd cannot load here ({}); evidence units are deflated (format 1)", e.toString());
                return false;
            }
        }

        static byte[] compress(byte[] input) {
            ZstdCompressCtx ctx = COMPRESSORS.poll();
            if (ctx == null) {
                ctx = new ZstdCompressCtx().loadDict(compressDictionary).setLevel(ZSTD_LEVEL);
            }
            try {
                byte[] frame = ctx.compress(input);
                byte[] stored = new byte[frame.length + 1];
                stored[0] = FORMAT_2;
                System.arraycopy(frame, 0, stored, 1, frame.length);
                return stored;
            } finally {
                COMPRESSORS.offer(ctx);
            }
        }

        static String decompress(byte[] stored) {
            if (!AVAILABLE) {
                throw new IllegalStateException("stored unit is zstd (format 2), which cannot load on this platform");
            }
            long size = Zstd.getFrameContentSize(stored, 1, stored.length - 1);
            if (size < 0 || size > MAX_UNIT_BYTES) {
                throw new IllegalStateException("stored unit is not readable: zstd frame of size " + size);
            }
            ZstdDecompressCtx ctx = DECOMPRESSORS.poll();
            if (ctx == null) {
                ctx = new ZstdDecompressCtx().loadDict(decompressDictionary);
            }
            try {
                return new String(ctx.decompress(stored, 1, stored.length - 1, (int) size), StandardCharsets.UTF_8);
            } catch (ZstdException e) {
                throw new IllegalStateException("stored unit is not readable: " + e.getMessage(), e);
            } finally {
                DECOMPRESSORS.offer(ctx);
            }
        }
    }

    private static byte[] deflate(byte[] input) {
        java.util.zip.Deflater deflater = new java.util.zip.Deflater(java.util.zip.Deflater.DEFAULT_COMPRESSION, true);
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

    private static String inflate(byte[] stored) {
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
