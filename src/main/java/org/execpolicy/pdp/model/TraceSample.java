package org.execpolicy.pdp.model;

import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import org.execpolicy.pdp.json.Sha256;

/**
 * Where a trace id falls in [0, 1): the first 53 bits of SHA-256 of its UTF-8 bytes. Rules compare
 * it with a policy's `sample_rate`, so the same trace id always gets the same sampling answer, on
 * every node and in every replay.
 */
public final class TraceSample {
    private final double point;

    public TraceSample(double point) {
        this.point = point;
    }

    public static TraceSample of(String traceId) {
        return new TraceSample(pointOf(traceId));
    }

    static double pointOf(String traceId) {
        byte[] digest = Sha256.digest(traceId.getBytes(StandardCharsets.UTF_8));
        long top53 = ByteBuffer.wrap(digest).getLong() >>> 11;
        return top53 / (double) (1L << 53);
    }

    public double getPoint() {
        return point;
    }

    @Override
    public String toString() {
        return "TraceSample{point=" + point + "}";
    }
}
