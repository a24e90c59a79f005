package org.execpolicy.pdp.json;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class IdentityMemoTest {

    @Test
    void computes_once_per_tree_and_again_for_an_equal_tree_that_is_another() {
        AtomicInteger computed = new AtomicInteger();
        IdentityMemo<String> memo = new IdentityMemo<>(8);
        JsonNode tree = Json.parseObject("{\"a\":1}");
        JsonNode equal = Json.parseObject("{\"a\":1}");
        assertThat(memo.get(tree, t -> "v" + computed.incrementAndGet())).isEqualTo("v1");
        assertThat(memo.get(tree, t -> "v" + computed.incrementAndGet())).isEqualTo("v1");
        // equal JSON is not the same tree: identity is the key, so a changed copy is never mistaken
        assertThat(memo.get(equal, t -> "v" + computed.incrementAndGet())).isEqualTo("v2");
        assertThat(computed).hasValue(2);
    }

    @Test
    void starts_over_past_its_bound() {
        AtomicInteger computed = new AtomicInteger();
        IdentityMemo<Integer> memo = new IdentityMemo<>(2);
        JsonNode first = Json.parseObject("{}");
        memo.get(first, t -> computed.incrementAndGet());
        memo.get(Json.parseObject("{}"), t -> computed.incrementAndGet());
        memo.get(Json.parseObject("{}"), t -> computed.incrementAndGet()); // the third clears the first two
        assertThat(memo.get(first, t -> computed.incrementAndGet())).isEqualTo(4);
    }
}
