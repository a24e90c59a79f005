package org.execpolicy.pdp.recorder;

/** Told after each group commit: how many appends and records it stored, and how long the commit took. */
@FunctionalInterface
public interface CommitListener {
    void committed(int appends, int records, long nanos);
}
