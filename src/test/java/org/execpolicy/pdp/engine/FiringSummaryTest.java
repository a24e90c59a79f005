package org.execpolicy.pdp.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.execpolicy.pdp.json.CanonicalJson;
import org.junit.jupiter.api.Test;

/**
 * A matched fact's text is cut to {@link FiringRecorder#MAX_FACT_CHARS}, and the cut text is hashed as
 * RFC 8785 JSON, which refuses a lone surrogate: a cut through an emoji made every decision matching
 * that fact a 500 (found by RegistryFuzzTest, an emoji in a profile's allowed_models).
 */
class FiringSummaryTest {
    private static final String EMOJI = "\uD83D\uDE00"; // U+1F600, two UTF-16 code units

    @Test
    void a_cut_through_a_surrogate_pair_drops_the_whole_character() {
        for (int at = FiringRecorder.MAX_FACT_CHARS - 4; at <= FiringRecorder.MAX_FACT_CHARS; at++) {
            String text = "a".repeat(at) + EMOJI + "b".repeat(40);
            String summary = FiringRecorder.summary(new Fact(text));

            assertThat(summary.length()).as("cut with the emoji at %d", at)
                    .isLessThanOrEqualTo(FiringRecorder.MAX_FACT_CHARS);
            assertThat(summary).endsWith("…");
            assertThat(summary.codePoints().noneMatch(cp -> cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE))
                    .as("no lone surrogate with the emoji at %d", at).isTrue();
            assertThat(CanonicalJson.quote(summary)).as("canonical JSON takes it").isNotEmpty();
        }
    }

    @Test
    void a_text_within_the_bound_is_kept_whole() {
        String text = "a".repeat(FiringRecorder.MAX_FACT_CHARS - 2) + EMOJI;
        assertThat(FiringRecorder.summary(new Fact(text))).isEqualTo(text);
    }

    /** A fact whose text is given. */
    private record Fact(String text) {
        @Override
        public String toString() {
            return text;
        }
    }
}
