package org.execpolicy.pdp.recorder;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * The write path rehearsed before a node serves ({@link EvidenceStore#rehearsal()}): appends are
 * encoded exactly as real ones and, on the embedded H2 store, committed and forced to a scratch
 * store of their own, so the JIT compiles the writer, H2's inserts and its page serialisation
 * before the first real decision. Nothing reaches the Flight Recorder; closing removes the scratch
 * store.
 */
public interface Rehearsal extends AutoCloseable {
    /** Encodes {@code records} and (on H2) queues them for the scratch store's writer. */
    void append(List<ObjectNode> records);

    @Override
    void close();
}
