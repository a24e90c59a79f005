package org.execpolicy.pdp.json;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * What was computed from a JSON tree that nobody changes (the registry's entries as the decision path
 * reads them), remembered by the tree's identity: a lookup reads none of the tree, where a key by
 * JSON equality hashes all of it each time. Bounded: past {@code max} trees it starts over, so trees
 * the registry has since replaced are not kept for ever.
 */
public final class IdentityMemo<V> {
    private final int max;
    private final Map<IdentityKey, V> values = new ConcurrentHashMap<>();

    public IdentityMemo(int max) {
        this.max = max;
    }

    /** The value for {@code node}, computed once per tree while remembered. The tree must not change. */
    public V get(JsonNode node, Function<JsonNode, V> compute) {
        IdentityKey key = new IdentityKey(node);
        V known = values.get(key);
        if (known != null) {
            return known;
        }
        V value = compute.apply(node);
        if (values.size() >= max) {
            values.clear();
        }
        values.put(key, value);
        return value;
    }
}
