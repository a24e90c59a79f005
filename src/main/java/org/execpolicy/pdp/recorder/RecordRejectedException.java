package org.execpolicy.pdp.recorder;

/** A record that is not allowed into the Flight Recorder (schema, unknown type, duplicate id). */
public final class RecordRejectedException extends RuntimeException {

    private final String type;
    private final String location;

    public RecordRejectedException(String type, String location, String message) {
        super(message);
        this.type = type;
        this.location = location;
    }

    /** The record's {@code type} as sent, or null when it had none. */
    public String type() {
        return type;
    }

    /** JSON Pointer into the record where it failed ("" for the whole record). */
    public String location() {
        return location;
    }
}
