package org.execpolicy.pdp.recorder;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The units of one append call, stored all or nothing, and the future its caller waits on;
 * {@code alongside} (or null) runs in the same transaction, so a registry change and the
 * record of it are committed together or not at all.
 */
record PendingAppend(List<EvidenceUnit> units, SqlWork alongside, CompletableFuture<Void> done) {
}
