package org.execpolicy.pdp.recorder;

/**
 * A registry change refused because another node changed the same entry while it was being made
 * (SPEC 7, several nodes on one store): its records were built from a state that is no longer the
 * stored one. Nothing of it is stored; the caller reads the entry again and retries. The API
 * answers it 409.
 */
public final class ConcurrentChangeException extends ChangeRefusedException {

    public ConcurrentChangeException(String message) {
        super(message);
    }
}
