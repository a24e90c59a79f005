package org.execpolicy.pdp.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.function.Consumer;
import org.execpolicy.pdp.json.Json;
import org.junit.jupiter.api.Test;

/**
 * ExecPolicy keeps its text (what a rule firing records of a matched fact) and its canonical JSON
 * until it changes: after every change both must be those of the changed policy, never the old.
 */
class ExecPolicyTextTest {
    private static ExecPolicy policy() {
        return ExecPolicy.fromJson(Json.parseObject("{\"policy_id\":\"p-1\",\"mode\":\"layer_skip\","
                + "\"exactness\":\"approximate\",\"layer_skip\":{\"skip_ratio\":0.3},\"early_exit\":{\"exit_layer\":4},"
                + "\"future_member\":{\"x\":1}}"));
    }

    @Test
    void every_change_is_seen_by_the_text_and_the_canonical_json() {
        List<Consumer<ExecPolicy>> changes = List.of(
                p -> p.setExactness("exact"),
                p -> p.switchTo("standard", "exact"),
                ExecPolicy::keepOnlyOwnSettings,
                ExecPolicy::removePolicyId,
                p -> p.forceTrace("per_token", 1.0, "jsonl"),
                ExecPolicy::dropUnknownMembers);
        for (Consumer<ExecPolicy> change : changes) {
            ExecPolicy policy = policy();
            String before = policy.toString();
            String canonicalBefore = policy.canonicalJson();

            change.accept(policy);

            ExecPolicy fresh = ExecPolicy.fromJson(policy.toJson());
            assertThat(policy.toString()).isEqualTo(fresh.toString()).isNotEqualTo(before);
            assertThat(policy.canonicalJson()).isEqualTo(fresh.canonicalJson()).isNotEqualTo(canonicalBefore);
            assertThat(policy.hash()).isEqualTo(fresh.hash());
        }
    }
}
