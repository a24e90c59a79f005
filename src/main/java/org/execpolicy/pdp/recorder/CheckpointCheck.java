package org.execpolicy.pdp.recorder;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Holds a walked chain against its node's latest signed checkpoint (SPEC 7): the chain must reach
 * the signed position and hold the signed record_hash there, and the signature must verify with the
 * node's registered key. The links themselves are the walk's business; this catches what a walk
 * alone cannot: records removed from the chain's end (or the whole chain).
 */
final class CheckpointCheck {
    private CheckpointCheck() {
    }

    /** The chain as walked, or the same chain with the break the checkpoint reveals. */
    static ChainReport.Chain apply(Connection c, ChainReport.Chain chain) throws SQLException {
        if (chain.firstBroken() != null || !chain.complete()) {
            return chain; // broken already, or not walked to its end: nothing to hold against the head
        }
        SignedCheckpoint checkpoint = ChainCheckpointRows.latest(c, chain.nodeId());
        if (checkpoint == null) {
            return chain;
        }
        String key = ChainCheckpointRows.publicKey(c, chain.nodeId());
        if (key == null || !checkpoint.verifies(key)) {
            return broken(chain, new ChainReport.Break(checkpoint.chainSeq(),
                    "signed checkpoint does not verify with the node's registered key",
                    "a valid Ed25519 signature", key == null ? "no key registered" : "signature " + checkpoint.signature()));
        }
        if (checkpoint.chainSeq() > chain.headSeq()) {
            return broken(chain, new ChainReport.Break(chain.headSeq() + 1, "records removed from the chain's end",
                    "chain_seq " + checkpoint.chainSeq() + " (checkpoint signed at " + checkpoint.signedAt() + ")",
                    "chain ends at chain_seq " + chain.headSeq()));
        }
        String found = ChainCheckpointRows.hashAtUnitEnd(c, chain.nodeId(), checkpoint.chainSeq());
        if (found != null && !found.equals(checkpoint.recordHash())) {
            return broken(chain, new ChainReport.Break(checkpoint.chainSeq(),
                    "record_hash differs from the signed checkpoint", checkpoint.recordHash(), found));
        }
        return chain; // found == null: the signed position was purged by retention since
    }

    private static ChainReport.Chain broken(ChainReport.Chain chain, ChainReport.Break at) {
        return new ChainReport.Chain(chain.nodeId(), chain.fromSeq(), chain.recordsChecked(), chain.headSeq(),
                chain.headHash(), true, at);
    }
}
