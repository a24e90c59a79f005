package org.execpolicy.pdp.recorder;

import java.time.Instant;

/**
 * A page request over the Flight Recorder, newest first. Every filter is
 * optional (null = any). {@code since} is inclusive, {@code until} exclusive,
 * both on the record's {@code timestamp}. {@code cursor} is the decoded
 * {@link EventPage#nextCursor()} of the previous page (see {@link EventPage#decodeCursor}).
 */
public record EventQuery(
        String type,
        String traceId,
        String decisionId,
        Instant since,
        Instant until,
        int limit,
        Long cursor) {

    /** The store's own bound on a page; the API allows less (openapi.yaml: 500). */
    public static final int MAX_LIMIT = 1000;

    public EventQuery {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be 1.." + MAX_LIMIT + ", was " + limit);
        }
    }

    /** The newest events of any type. */
    public static EventQuery newest(int limit) {
        return new EventQuery(null, null, null, null, null, limit, null);
    }
}
