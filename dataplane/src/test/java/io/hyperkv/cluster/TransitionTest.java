package io.hyperkv.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class TransitionTest {

    private static final Placement PLACEMENT = Placement.standard();

    enum Change { JOIN, LEAVE, REPLACE_FAILED, RESHUFFLE, RAISE_N, LOWER_N }

    /**
     * Which (node, slot) pairs hold all of the slot's data. Owners of the starting topology do, except a failed node;
     * an owner added by a step may catch up before any later step, decided by the random source.
     */
    static final class Data implements SyncStatus {
        private final Map<NodeId, BitSet> held = new HashMap<>();
        private final Set<NodeId> failed = new HashSet<>();

        void holdAllOwnedUnder(Topology t) {
            for (SlotRange r : t.ranges()) {
                for (NodeId owner : r.owners()) {
                    held.computeIfAbsent(owner, k -> new BitSet()).set(r.first(), r.last() + 1);
                }
            }
        }

        /** Owners finish syncing some blocks of 16 slots, at random. */
        void syncSome(Topology t, Random random, double chance) {
            for (int block = 0; block < Topology.SLOTS / 16; block++) {
                for (NodeId owner : t.ownersOf(block * 16)) {
                    if (!failed.contains(owner) && random.nextDouble() < chance) {
                        BitSet bits = held.computeIfAbsent(owner, k -> new BitSet());
                        for (int slot = block * 16; slot < block * 16 + 16; slot++) {
                            if (t.owns(owner, slot)) {
                                bits.set(slot);
                            }
                        }
                    }
                }
            }
        }

        @Override
        public boolean inSync(NodeId node, int slot) {
            BitSet bits = held.get(node);
            return bits != null && bits.get(slot) && !failed.contains(node);
        }
    }

    @Provide
    Arbitrary<Set<NodeId>> members() {
        return Members.memberSets(3, 9);
    }

    @Provide
    Arbitrary<Change> changes() {
        return Arbitraries.of(Change.class);
    }

    /**
     * Drives the protocol from a placement to a changed one with random catch-up, checking at every step: the step is
     * safe (no slot loses its last in-sync owner), every slot holds at least N owners and all of its target owners,
     * and keeps an owner from the starting topology until its target owners are all in sync. With everyone caught up
     * the sequence reaches exactly the target.
     */
    @Property(tries = 25)
    void stepsNeverLoseTheLastInSyncOwnerAndEndAtTheTarget(@ForAll("members") Set<NodeId> members,
            @ForAll("changes") Change change, @ForAll @IntRange(min = 1, max = 3) int n, @ForAll long seed) {
        Random random = new Random(seed);
        List<NodeId> sorted = new ArrayList<>(new TreeSet<>(members));
        int targetN = switch (change) {
            case RAISE_N -> Math.min(n + 1, sorted.size());
            case LOWER_N -> Math.max(1, n - 1);
            default -> n;
        };
        NodeId newcomer = new NodeId(random.nextLong());
        NodeId victim = sorted.get(random.nextInt(sorted.size()));
        if (members.contains(newcomer) || (change == Change.LEAVE && sorted.size() - 1 < n)) {
            return;
        }
        List<ClusterNode> before = Members.nodes(sorted);
        List<ClusterNode> after = new ArrayList<>();
        Data data = new Data();
        switch (change) {
            case JOIN -> {
                after.addAll(before);
                after.add(Members.node(newcomer, NodeState.JOINING));
            }
            case LEAVE -> before.forEach(nd -> after.add(nd.id().equals(victim) ? nd.withState(NodeState.LEAVING) : nd));
            case REPLACE_FAILED -> {
                before.stream().filter(nd -> !nd.id().equals(victim)).forEach(after::add);
                after.add(Members.node(newcomer, NodeState.JOINING));
                data.failed.add(victim);
            }
            case RESHUFFLE -> {
                // Several members at once: half of them replaced by new ones, the rest kept.
                for (ClusterNode nd : before) {
                    after.add(random.nextBoolean() ? nd : Members.node(new NodeId(random.nextLong())));
                }
            }
            case RAISE_N, LOWER_N -> after.addAll(before);
        }

        Topology start = PLACEMENT.topology(1, before, n);
        Topology target = PLACEMENT.topology(1, after, targetN);
        data.holdAllOwnedUnder(start);

        Topology current = start;
        long epoch = 1;
        for (int step = 0; step < 8; step++) {
            boolean last = step >= 5;
            Topology next = Transition.between(current, target).next(++epoch, data);
            Transition.requireSafe(current, next, data);
            for (int slot = 0; slot < Topology.SLOTS; slot++) {
                // Plain checks per slot, one assertion on the first offence: 16384 AssertJ calls per step are slow.
                List<NodeId> owners = next.ownersOf(slot);
                List<NodeId> wanted = target.ownersOf(slot);
                if (owners.size() < targetN || !owners.containsAll(wanted)) {
                    fail("step %d: slot %d has owners %s, target %s", step, slot, owners, wanted);
                }
                final int s = slot;
                boolean targetInSync = wanted.stream().allMatch(o -> data.inSync(o, s));
                if (!targetInSync && owners.stream().noneMatch(start.ownersOf(slot)::contains)) {
                    fail("step %d: slot %d lost every original owner %s before %s caught up", step, slot,
                            start.ownersOf(slot), wanted);
                }
            }
            current = next;
            data.syncSome(current, random, last ? 1.0 : 0.5);
        }
        assertThat(Transition.between(current, target).isComplete()).isTrue();
        assertThat(current.ranges()).isEqualTo(target.ranges());
        assertThat(current.withEpoch(1)).isEqualTo(target);
    }

    @Test
    void theFirstStepOfAJoinAddsTheNewcomerBesideTheOldOwnersAndDropsNothing() {
        List<NodeId> three = Members.ids(11, 22, 33);
        Topology start = PLACEMENT.topology(1, Members.nodes(three), 2);
        List<NodeId> four = Members.ids(11, 22, 33, 44);
        Topology target = PLACEMENT.topology(1, Members.nodes(four), 2);
        SyncStatus data = SyncStatus.ownersOf(start);

        Transition transition = Transition.between(start, target);
        int share = SlotRanges.count(target.spansOwnedBy(Members.id(44)));
        assertThat(transition.replicasToAdd()).isEqualTo(share);
        for (Transition.SlotMove m : transition.moves()) {
            assertThat(m.add()).containsExactly(Members.id(44));
            assertThat(m.drop()).hasSize(1).doesNotContain(Members.id(44));
        }

        Topology expanded = transition.next(2, data);
        for (Transition.SlotMove m : transition.moves()) {
            List<NodeId> owners = expanded.ownersOf(m.first());
            assertThat(owners).hasSize(3).endsWith(Members.id(44));
            assertThat(owners.subList(0, 2)).isEqualTo(start.ownersOf(m.first()));
        }
        // The newcomer has not caught up: another step changes nothing but the epoch.
        assertThat(Transition.between(expanded, target).next(3, data).withEpoch(2)).isEqualTo(expanded);
        // Once it has, the old owners are dropped.
        SyncStatus caughtUp = (node, slot) -> true;
        Topology contracted = Transition.between(expanded, target).next(4, caughtUp);
        assertThat(contracted.ranges()).isEqualTo(target.ranges());
    }

    @Test
    void movingTheOnlyCopyOfASlotStraightToANodeWithoutItsDataIsRefused() {
        Topology onA = Topology.of(5, 1, Members.nodes(Members.ids(1, 2)),
                List.of(new SlotRange(0, Topology.SLOTS - 1, Members.ids(1))));
        Topology onB = Topology.of(6, 1, Members.nodes(Members.ids(1, 2)),
                List.of(new SlotRange(0, 99, Members.ids(1)), new SlotRange(100, 163, Members.ids(2)),
                        new SlotRange(164, Topology.SLOTS - 1, Members.ids(1))));
        SyncStatus data = SyncStatus.ownersOf(onA);

        assertThat(Transition.unsafeSlots(onA, onB, data)).containsExactly(new SlotSpan(100, 163));
        assertThatThrownBy(() -> Transition.requireSafe(onA, onB, data))
                .isInstanceOf(UnsafeTopologyException.class)
                .hasMessage("epoch 6 would drop every in-sync owner of 64 slots (100..163); slot 100 is in sync only on ["
                        + Members.id(1) + "]");
        // Once B holds the data too, the same document is safe.
        Transition.requireSafe(onA, onB, (node, slot) -> true);
        // The protocol gets there in two safe steps instead.
        Topology both = Transition.between(onA, onB).next(6, data);
        assertThat(both.ownersOf(120)).containsExactly(Members.id(1), Members.id(2));
        Transition.requireSafe(onA, both, data);
    }

    @Test
    void replacingEveryOwnerOfASlotNoneOfWhichIsInSyncYetIsRefused() {
        // e.g. every owner restarted and is still catching up: each holds data, none holds all of it
        Topology t = Topology.of(1, 1, Members.nodes(Members.ids(1, 2)),
                List.of(new SlotRange(0, Topology.SLOTS - 1, Members.ids(1))));
        Topology moved = Topology.of(2, 1, Members.nodes(Members.ids(1, 2)),
                List.of(new SlotRange(0, 9, Members.ids(2)), new SlotRange(10, Topology.SLOTS - 1, Members.ids(1))));
        SyncStatus nobody = (node, slot) -> false;
        assertThat(Transition.unsafeSlots(t, moved, nobody)).containsExactly(new SlotSpan(0, 9));
        assertThatThrownBy(() -> Transition.requireSafe(t, moved, nobody))
                .isInstanceOf(UnsafeTopologyException.class)
                .hasMessage("epoch 2 would drop every owner holding data of 10 slots (0..9); slot 0 is held only by ["
                        + Members.id(1) + "], none in sync yet");
        // keeping a current owner alongside the new one is fine, and so is moving to an owner in sync
        Topology both = Topology.of(2, 2, Members.nodes(Members.ids(1, 2)),
                List.of(new SlotRange(0, Topology.SLOTS - 1, Members.ids(1, 2))));
        assertThat(Transition.unsafeSlots(t, both, nobody)).isEmpty();
        assertThat(Transition.unsafeSlots(t, moved, (node, slot) -> node.equals(Members.id(2)))).isEmpty();
    }

    @Test
    void anUnchangedTopologyIsCompleteAndHasNoMoves() {
        Topology t = PLACEMENT.topology(3, Members.nodes(Members.ids(1, 2, 3, 4)), 3);
        Transition same = Transition.between(t, t.withEpoch(9));
        assertThat(same.isComplete()).isTrue();
        assertThat(same.moves()).isEmpty();
        assertThat(same.next(4, SyncStatus.ownersOf(t))).isEqualTo(t.withEpoch(4));
    }
}
