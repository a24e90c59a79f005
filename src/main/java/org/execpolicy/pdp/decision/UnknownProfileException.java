package org.execpolicy.pdp.decision;

/** The request named a work profile that is not in the registry. */
public final class UnknownProfileException extends RuntimeException {
    public UnknownProfileException(String profileId) {
        super("no work profile '" + profileId + "'");
    }
}
