package io.hyperkv.cluster;

import static io.hyperkv.cluster.Members.id;
import static io.hyperkv.cluster.Members.ids;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class TopologyTest {

    private static Topology halves(long epoch) {
        return Topology.of(epoch, 2, Members.nodes(ids(1, 2, 3)), List.of(
                new SlotRange(0, 8191, ids(1, 2)),
                new SlotRange(8192, 16383, ids(3, 1))));
    }

    @Test
    void ownersOfEverySlotComeFromItsRun() {
        Topology t = halves(1);
        assertThat(t.ownersOf(0)).containsExactly(id(1), id(2));
        assertThat(t.ownersOf(8191)).containsExactly(id(1), id(2));
        assertThat(t.ownersOf(8192)).containsExactly(id(3), id(1));
        assertThat(t.ownersOf(16383)).containsExactly(id(3), id(1));
        assertThat(t.owns(id(2), 9000)).isFalse();
        assertThat(t.spansOwnedBy(id(1))).containsExactly(new SlotSpan(0, 16383));
        assertThat(t.spansOwnedBy(id(3))).containsExactly(new SlotSpan(8192, 16383));
        assertThatThrownBy(() -> t.ownersOf(16384)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> t.ownersOf(-1)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Property(tries = 30)
    void theSameOwnershipGivenInAnyCutAndOrderIsOneTopology(@ForAll Set<@IntRange(min = 1, max = 16383) Integer> cuts,
            @ForAll long seed) {
        Topology whole = Placement.standard().topology(4, Members.nodes(ids(1, 2, 3, 4, 5)), 3);
        // Cut the runs at arbitrary extra points and shuffle them: the normal form must not change.
        List<SlotRange> pieces = new ArrayList<>();
        for (SlotRange r : whole.ranges()) {
            int start = r.first();
            for (int c = r.first() + 1; c <= r.last(); c++) {
                if (cuts.contains(c)) {
                    pieces.add(new SlotRange(start, c - 1, r.owners()));
                    start = c;
                }
            }
            pieces.add(new SlotRange(start, r.last(), r.owners()));
        }
        Collections.shuffle(pieces, new Random(seed));
        List<ClusterNode> nodes = new ArrayList<>(whole.nodes());
        Collections.shuffle(nodes, new Random(seed));
        Topology rebuilt = Topology.of(4, 3, nodes, pieces);
        assertThat(rebuilt).isEqualTo(whole).hasSameHashCodeAs(whole);
        assertThat(rebuilt.ranges()).isEqualTo(whole.ranges());
        for (int slot = 0; slot < Topology.SLOTS; slot += 7) {
            assertThat(rebuilt.ownersOf(slot)).isEqualTo(Placement.standard().owners(slot, ids(1, 2, 3, 4, 5), 3));
        }
    }

    @Test
    void onlyAHigherEpochReplacesTheTopologyInForce() {
        assertThat(halves(1).replaces(null)).isTrue();
        assertThat(halves(2).replaces(halves(1))).isTrue();
        assertThat(halves(1).replaces(halves(2))).isFalse();
        assertThat(halves(2).replaces(halves(2))).isFalse();
        Topology otherContent = Placement.standard().topology(2, Members.nodes(ids(1, 2, 3)), 2);
        assertThat(otherContent.replaces(halves(2))).isFalse();
        assertThat(otherContent.sameContent(halves(2))).isFalse();
        assertThat(halves(2).withEpoch(3).sameContent(halves(2))).isTrue();
    }

    @Test
    void changingANodesStateKeepsItsSlots() {
        Topology t = halves(1).withNodeState(id(3), NodeState.DOWN);
        assertThat(t.node(id(3))).get().extracting(ClusterNode::state).isEqualTo(NodeState.DOWN);
        assertThat(t.ranges()).isEqualTo(halves(1).ranges());
        assertThatThrownBy(() -> t.withNodeState(id(9), NodeState.UP))
                .hasMessage(id(9) + " is not a node of epoch 1");
    }

    @Test
    void aNodeIsReachedAtHostColonPortWithIpv6InBrackets() {
        assertThat(new ClusterNode(id(1), "10.0.0.7", 6379, 16379, NodeState.UP).address()).isEqualTo("10.0.0.7:6379");
        assertThat(new ClusterNode(id(1), "::1", 7000, 17000, NodeState.UP).address()).isEqualTo("[::1]:7000");
    }
}
