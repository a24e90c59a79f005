package org.execpolicy.pdp.recorder;

/**
 * A registry change that its own check, run in its transaction, refused: nothing of the append is
 * stored, and the store is healthy. The group-commit writer fails only that append, not the
 * decisions that shared its batch.
 */
public class ChangeRefusedException extends RuntimeException {
    public ChangeRefusedException(String message) {
        super(message);
    }
}
