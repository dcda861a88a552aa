package io.hyperkv.cluster;

import static io.hyperkv.cluster.Members.id;
import static io.hyperkv.cluster.Members.ids;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import java.util.List;
import org.junit.jupiter.api.Test;

class SlotRangesTest {

    @Test
    void groupMakesOneRunPerStretchOfEqualOwnerLists() {
        List<SlotRange> ranges = SlotRanges.group(slot -> slot < 100 ? ids(1, 2) : slot < 200 ? ids(2, 1) : ids(1, 2));
        assertThat(ranges).containsExactly(
                new SlotRange(0, 99, ids(1, 2)),
                new SlotRange(100, 199, ids(2, 1)),
                new SlotRange(200, 16383, ids(1, 2)));
    }

    @Test
    void mergeJoinsOnlyAdjacentRunsWithEqualOwners() {
        List<SlotRange> merged = SlotRanges.merge(List.of(
                new SlotRange(0, 9, ids(1)), new SlotRange(10, 19, ids(1)), new SlotRange(20, 29, ids(2)),
                new SlotRange(30, 16383, ids(1))));
        assertThat(merged).containsExactly(new SlotRange(0, 19, ids(1)), new SlotRange(20, 29, ids(2)),
                new SlotRange(30, 16383, ids(1)));
    }

    @Test
    void spansOfANodeCrossRunBoundaries() {
        List<SlotRange> ranges = List.of(new SlotRange(0, 99, ids(1, 2)), new SlotRange(100, 199, ids(2, 3)),
                new SlotRange(200, 16383, ids(3, 1)));
        assertThat(SlotRanges.ownedBy(ranges, id(2))).containsExactly(new SlotSpan(0, 199));
        assertThat(SlotRanges.ownedBy(ranges, id(1))).containsExactly(new SlotSpan(0, 99), new SlotSpan(200, 16383));
        assertThat(SlotRanges.ownedBy(ranges, id(9))).isEmpty();
        assertThat(SlotRanges.count(SlotRanges.ownedBy(ranges, id(3)))).isEqualTo(16384 - 100);
    }

    @Test
    void spansFollowAPredicateToTheLastSlot() {
        assertThat(SlotRanges.spans(slot -> slot % 8192 < 2 || slot == 16383))
                .containsExactly(new SlotSpan(0, 1), new SlotSpan(8192, 8193), new SlotSpan(16383, 16383));
        assertThat(SlotRanges.spans(slot -> false)).isEmpty();
    }

    @Test
    void shardsGroupEveryRunOfTheSameOwnerListInSlotOrder() {
        List<SlotRange> ranges = List.of(new SlotRange(0, 99, ids(1, 2)), new SlotRange(100, 199, ids(2, 1)),
                new SlotRange(200, 16383, ids(1, 2)));
        assertThat(SlotRanges.shards(ranges)).containsExactly(
                entry(ids(1, 2), List.of(new SlotSpan(0, 99), new SlotSpan(200, 16383))),
                entry(ids(2, 1), List.of(new SlotSpan(100, 199))));
    }
}
