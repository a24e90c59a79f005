package org.execpolicy.pdp.recorder;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.execpolicy.pdp.json.Json;

/** What a walk of the hash chains found: per writer node, how far it is intact and the first broken link. */
public record ChainReport(List<Chain> chains, long unchainedRecords) {

    /**
     * One node's chain as far as this walk went: where it started ({@code fromSeq}), how many records
     * it checked, the last good record ({@code headSeq}, {@code headHash}), whether it reached the end of
     * the stored chain ({@code complete}), and the first broken link or null.
     */
    public record Chain(String nodeId, long fromSeq, long recordsChecked, long headSeq, String headHash,
                        boolean complete, Break firstBroken) {
    }

    /** The first link that does not hold: at which chain_seq, what was expected there, what was found. */
    public record Break(long seq, String reason, String expected, String found) {
    }

    public boolean intact() {
        return unchainedRecords == 0 && chains.stream().allMatch(c -> c.firstBroken() == null);
    }

    public long recordsChecked() {
        return chains.stream().mapToLong(Chain::recordsChecked).sum();
    }

    public ObjectNode toJson() {
        ObjectNode json = Json.object();
        json.put("intact", intact());
        json.put("complete", chains.stream().allMatch(Chain::complete));
        json.put("records_checked", recordsChecked());
        json.put("unchained_records", unchainedRecords);
        Chain first = chains.stream().filter(c -> c.firstBroken() != null).findFirst().orElse(null);
        json.set("first_broken", first == null ? null : breakJson(first));
        ArrayNode list = json.putArray("chains");
        for (Chain chain : chains) {
            ObjectNode item = list.addObject();
            item.put("node_id", chain.nodeId());
            item.put("from_seq", chain.fromSeq());
            item.put("records_checked", chain.recordsChecked());
            item.put("complete", chain.complete());
            item.put("head_seq", chain.headSeq());
            item.put("head_hash", chain.headHash());
            item.set("first_broken", chain.firstBroken() == null ? null : breakJson(chain));
        }
        return json;
    }

    private static ObjectNode breakJson(Chain chain) {
        ObjectNode json = Json.object();
        json.put("node_id", chain.nodeId());
        json.put("seq", chain.firstBroken().seq());
        json.put("reason", chain.firstBroken().reason());
        json.put("expected", chain.firstBroken().expected());
        json.put("found", chain.firstBroken().found());
        return json;
    }
}
