package org.execpolicy.pdp.recorder;

/** The store could not make records durable; the caller must fail closed. */
public final class RecorderUnavailableException extends RuntimeException {

    public RecorderUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
