package org.execpolicy.pdp.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.execpolicy.pdp.json.Json;
import org.junit.jupiter.api.Test;

/**
 * Facts keep their text (what a rule firing records of a matched fact); a fact holding a policy
 * that a rule may change must show the changed policy in its next text, never the old one.
 */
class FactTextTest {
    private static final String POLICY = "{\"mode\":\"layer_skip\",\"exactness\":\"approximate\"}";

    @Test
    void a_requests_text_follows_its_policy_and_is_kept_while_the_policy_is_unchanged() {
        DecisionRequest request = DecisionRequest.fromJson(Json.parseObject("{\"trace_id\":\"t\",\"role\":\"worker\","
                + "\"task_type\":\"chat\",\"model_id\":\"m\",\"runtime\":{\"supported_modes\":[\"standard\"]},"
                + "\"settings\":{\"exec_policy\":" + POLICY + "}}"));
        String before = request.toString();
        assertThat(request.toString()).isSameAs(before).contains("layer_skip");

        request.getExecPolicy().switchTo("standard", "exact");

        assertThat(request.toString()).contains("\"mode\":\"standard\"", "\"exactness\":\"exact\"")
                .doesNotContain("layer_skip");
        assertThat(request.getSupportedModes()).containsExactly("standard");
        assertThatThrownBy(() -> request.getSupportedModes().add("layer_skip"))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void a_compute_blocks_text_follows_its_override() {
        ComputeBlock block = ComputeBlock.of(ComputeBlock.WORK_PROFILE, "worker",
                Json.parseObject("{\"speed_preset\":\"fast_exact\",\"exec_policy_override\":" + POLICY + "}"));
        String before = block.toString();
        assertThat(block.toString()).isSameAs(before);

        block.getExecPolicyOverride().setExactness("exact");

        assertThat(block.toString()).isNotEqualTo(before).contains("\"exactness\":\"exact\"");
    }
}
