package org.execpolicy.pdp.execution;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.execpolicy.pdp.json.Json;

/**
 * The bounded summary of a trace, built one token record at a time: whatever the trace's length,
 * it keeps a fixed number of counters, and its histogram has at most {@link #MAX_BUCKETS} buckets.
 */
public final class TraceSummary {
    public static final int MAX_BUCKETS = 64;
    /** Deepest exit layer a record may name (checked by {@link TraceReader}). */
    public static final int MAX_LAYER = 10_000;

    private final long[] exitsPerLayer = new long[MAX_LAYER + 1];
    private int deepestExit = -1;
    private long records;
    private long exits;
    private double exitLayerSum;
    private long skipRatios;
    private double skipRatioSum;
    private long speculative;
    private double acceptSum;

    void addRecord() {
        records++;
    }

    void addExitLayer(int layer) {
        exitsPerLayer[layer]++;
        deepestExit = Math.max(deepestExit, layer);
        exits++;
        exitLayerSum += layer;
    }

    void addSkipRatio(double ratio) {
        skipRatios++;
        skipRatioSum += ratio;
    }

    /** 1 for a draft token the target model accepted, 0 for a rejected one, or a share in between. */
    void addSpecAccept(double accepted) {
        speculative++;
        acceptSum += accepted;
    }

    public long recordCount() {
        return records;
    }

    /**
     * Buckets of equal width covering layers 0..deepest exit, as few as one layer each when the
     * model has at most 64 exit layers; wider (width = ceil(layers / 64)) for deeper models.
     */
    int bucketWidth() {
        int layers = deepestExit + 1;
        return Math.max(1, (layers + MAX_BUCKETS - 1) / MAX_BUCKETS);
    }

    /** As the `layerwise_trace_attached` record holds it; means are null when no record had the field. */
    public ObjectNode toJson() {
        ObjectNode json = Json.object();
        json.put("mean_exit_layer", mean(exitLayerSum, exits));
        if (exits == 0) {
            json.putNull("exit_layer_histogram");
            json.putNull("exit_layer_bucket_width");
        } else {
            int width = bucketWidth();
            long[] buckets = new long[deepestExit / width + 1];
            for (int layer = 0; layer <= deepestExit; layer++) {
                buckets[layer / width] += exitsPerLayer[layer];
            }
            ArrayNode histogram = json.putArray("exit_layer_histogram");
            for (long count : buckets) {
                histogram.add(count);
            }
            json.put("exit_layer_bucket_width", width);
        }
        json.put("mean_skip_ratio", mean(skipRatioSum, skipRatios));
        json.put("speculative_accept_rate", mean(acceptSum, speculative));
        return json;
    }

    /** Rounded to 4 decimals: enough for a summary, and a short, stable number in the record. */
    private static Double mean(double sum, long count) {
        return count == 0 ? null : Math.round(sum / count * 10_000) / 10_000.0;
    }
}
