package org.execpolicy.pdp.recorder;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/** The rows of one append call, stored all or nothing, and the future its caller waits on. */
record PendingAppend(List<EventRow> rows, CompletableFuture<Void> done) {
}
