package org.execpolicy.pdp.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class TimeOrderedIdsTest {

    /** What member() must answer: the group's UUID with the index in its last 12 bits, printed by UUID. */
    private static String memberByUuid(String groupId, int index) {
        UUID group = UUID.fromString(groupId);
        return new UUID(group.getMostSignificantBits(), group.getLeastSignificantBits() | index).toString();
    }

    @Test
    void a_member_is_the_group_uuid_with_its_index_for_every_index() {
        for (int g = 0; g < 20; g++) {
            String group = TimeOrderedIds.nextGroup();
            for (int index = 1; index < TimeOrderedIds.GROUP_SIZE; index++) {
                String member = TimeOrderedIds.member(group, index);
                assertThat(member).isEqualTo(memberByUuid(group, index));
                assertThat(TimeOrderedIds.groupOf(member)).isEqualTo(group);
            }
        }
    }

    @Test
    void a_group_id_in_another_spelling_is_read_as_a_uuid() {
        String group = TimeOrderedIds.nextGroup();
        String upper = group.toUpperCase();
        assertThat(TimeOrderedIds.member(upper, 0xABC)).isEqualTo(memberByUuid(group, 0xABC));
        // not a group's own id: its low bits are kept and the index is or-ed in, as UUID arithmetic does
        String notGroup = group.substring(0, 33) + "00f";
        assertThat(TimeOrderedIds.member(notGroup, 0x100)).isEqualTo(memberByUuid(notGroup, 0x100)).endsWith("10f");
        assertThatThrownBy(() -> TimeOrderedIds.member(group, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TimeOrderedIds.member(group, TimeOrderedIds.GROUP_SIZE))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TimeOrderedIds.member("not-an-id", 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void ids_are_version_7_variant_2_time_ordered_and_distinct_across_threads() throws Exception {
        Set<String> ids = java.util.concurrent.ConcurrentHashMap.newKeySet();
        Runnable make = () -> {
            for (int i = 0; i < 20_000; i++) {
                ids.add(i % 2 == 0 ? TimeOrderedIds.next() : TimeOrderedIds.nextGroup());
            }
        };
        Thread a = new Thread(make);
        Thread b = new Thread(make);
        a.start();
        b.start();
        a.join();
        b.join();
        assertThat(ids).hasSize(40_000);
        Set<Long> millis = new HashSet<>();
        for (String id : ids) {
            UUID uuid = UUID.fromString(id);
            assertThat(uuid.version()).isEqualTo(7);
            assertThat(uuid.variant()).isEqualTo(2);
            assertThat(uuid.toString()).isEqualTo(id);
            millis.add(uuid.getMostSignificantBits() >>> 16);
        }
        long now = System.currentTimeMillis();
        assertThat(millis).allSatisfy(ms -> assertThat(ms).isBetween(now - 60_000, now));
        String group = TimeOrderedIds.nextGroup();
        assertThat(group).endsWith("000").isEqualTo(TimeOrderedIds.groupOf(group));
    }
}
