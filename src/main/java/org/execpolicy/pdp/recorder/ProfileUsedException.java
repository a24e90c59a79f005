package org.execpolicy.pdp.recorder;

/**
 * A PUT of a Work Profile that a decision has used (SPEC 2, spec 4.3.7.1: immutable once used).
 * {@code firstDecisionId} and {@code usedAt} name the first decision that used it, when the store knows.
 */
public final class ProfileUsedException extends ChangeRefusedException {
    private final String profileId;
    private final String firstDecisionId;
    private final String usedAt;

    public ProfileUsedException(String profileId, String firstDecisionId, String usedAt) {
        super("work profile '" + profileId + "' has been used by a decision"
                + (firstDecisionId == null ? "" : " (first " + firstDecisionId + (usedAt == null ? "" : " at " + usedAt) + ")")
                + " and cannot be changed (immutable once used, spec 4.3.7.1); save the changed profile under a new"
                + " profile_id and activate that one");
        this.profileId = profileId;
        this.firstDecisionId = firstDecisionId;
        this.usedAt = usedAt;
    }

    public String profileId() {
        return profileId;
    }

    public String firstDecisionId() {
        return firstDecisionId;
    }

    public String usedAt() {
        return usedAt;
    }
}
