package org.execpolicy.pdp.execution;

/**
 * A trace upload or runtime report that is refused; nothing of it is stored. The kind says what
 * an HTTP answer should say (404, 409, 400 or 422); the path names the field at fault: a JSON
 * pointer into a report, or into a trace seen as an array of lines ({@code /0/trace_id} is the
 * header's trace_id, {@code /3/token_id} a field of the third token record).
 */
public final class ExecutionRefusedException extends RuntimeException {
    public enum Kind { UNKNOWN, CONFLICT, MALFORMED, INVALID, PURGED }

    private final Kind kind;
    private final String path;

    public ExecutionRefusedException(Kind kind, String path, String message) {
        super(message);
        this.kind = kind;
        this.path = path;
    }

    static ExecutionRefusedException unknown(String message) {
        return new ExecutionRefusedException(Kind.UNKNOWN, "", message);
    }

    /** SPEC 4 (v2): the trace was purged by retention; {@code checkpoint} is the `trace_purged` record. */
    static ExecutionRefusedException purged(String message, com.fasterxml.jackson.databind.node.ObjectNode checkpoint) {
        ExecutionRefusedException e = new ExecutionRefusedException(Kind.PURGED, "", message);
        e.checkpoint = checkpoint;
        return e;
    }

    private transient com.fasterxml.jackson.databind.node.ObjectNode checkpoint;

    /** The record proving the purge, for a PURGED refusal; null otherwise. */
    public com.fasterxml.jackson.databind.node.ObjectNode checkpoint() {
        return checkpoint;
    }

    static ExecutionRefusedException conflict(String message) {
        return new ExecutionRefusedException(Kind.CONFLICT, "", message);
    }

    static ExecutionRefusedException invalid(String path, String message) {
        return new ExecutionRefusedException(Kind.INVALID, path, message);
    }

    public Kind kind() {
        return kind;
    }

    /** Where it failed; "" for the whole upload or report. */
    public String path() {
        return path;
    }
}
