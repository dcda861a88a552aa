package io.hyperkv.cluster;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How the cluster gets from the topology in force to a target ownership without ever holding a slot only on nodes
 * that lack its data.
 *
 * <p>The protocol, per slot, is "add, sync, then drop":
 * <ol>
 *   <li><b>Expand.</b> A slot whose target owners are not all owners yet gets the union of its current owners and
 *       its target owners (current owners first, so the preferred owner still holds the data). The new owners
 *       receive writes from then on and fill in the past through anti-entropy.</li>
 *   <li><b>Contract.</b> A slot whose target owners are all owners already and all {@link SyncStatus in sync} gets
 *       exactly its target owners; the others are dropped. A slot whose target owners are not all in sync keeps
 *       every owner it has.</li>
 * </ol>
 * {@link #next} applies both rules to every slot at once; it never adds and drops owners of the same slot in one
 * step, so an owner added by a step can only be relied upon by a later one, after it reported in sync. Because the
 * step reads only the topology in force, the target and the sync status, it can be repeated after any crash of
 * whoever drives it: each call yields the next safe topology, and the sequence ends when {@link #isComplete()}.
 *
 * <p>Invariants of every topology {@link #next} returns: each slot has at least the target's N owners (its target
 * owners once expanded), and keeps at least one of its current owners until all target owners are in sync.
 * {@link #requireSafe} checks the resulting "never drop a slot's last in-sync owner" rule on any pair of topologies,
 * independently of how the second was built.
 */
public final class Transition {

    /** A run of slots and the owners it gains and loses between the two topologies. */
    public record SlotMove(int first, int last, List<NodeId> add, List<NodeId> drop) {
        public SlotMove {
            add = List.copyOf(add);
            drop = List.copyOf(drop);
        }

        public SlotSpan span() {
            return new SlotSpan(first, last);
        }
    }

    private final Topology current;
    private final Topology target;

    private Transition(Topology current, Topology target) {
        this.current = current;
        this.target = target;
    }

    /** The transition from the topology in force to the target (typically {@link Placement#topology}). */
    public static Transition between(Topology current, Topology target) {
        return new Transition(current, target);
    }

    /** Runs of slots whose owner sets differ, with the owners to add and to drop; empty when none differ. */
    public List<SlotMove> moves() {
        List<SlotMove> moves = new ArrayList<>();
        List<NodeId> add = null;
        List<NodeId> drop = null;
        int first = -1;
        for (int slot = 0; slot <= Topology.SLOTS; slot++) {
            List<NodeId> a = List.of();
            List<NodeId> d = List.of();
            if (slot < Topology.SLOTS) {
                List<NodeId> from = current.ownersOf(slot);
                List<NodeId> to = target.ownersOf(slot);
                a = to.stream().filter(n -> !from.contains(n)).toList();
                d = from.stream().filter(n -> !to.contains(n)).toList();
            }
            if (first >= 0 && (!a.equals(add) || !d.equals(drop))) {
                moves.add(new SlotMove(first, slot - 1, add, drop));
                first = -1;
            }
            if (first < 0 && (!a.isEmpty() || !d.isEmpty())) {
                first = slot;
                add = a;
                drop = d;
            }
        }
        return List.copyOf(moves);
    }

    /** Number of slot replicas the target adds (each is one slot's data copied to one new owner). */
    public int replicasToAdd() {
        return moves().stream().mapToInt(m -> m.add().size() * m.span().size()).sum();
    }

    /** Whether the topology in force already has exactly the target's owners for every slot and its members. */
    public boolean isComplete() {
        return current.ranges().equals(target.ranges()) && current.nodes().equals(target.nodes())
                && current.replicationFactor() == target.replicationFactor();
    }

    /**
     * The next topology to install, under {@code epoch} (higher than the one in force): every slot missing a target
     * owner expands to the union, every slot holding all its target owners in sync contracts to them, every other
     * slot is unchanged. Members are the target's, plus any current member that still owns a slot. When nothing can
     * change yet (new owners still catching up) the result has the {@link Topology#sameContent same content} as the
     * topology in force: callers compare and install nothing rather than spend an epoch.
     */
    public Topology next(long epoch, SyncStatus sync) {
        List<SlotRange> ranges = new ArrayList<>();
        for (SlotRange r : current.ranges()) {
            int slot = r.first();
            while (slot <= r.last()) {
                SlotRange targetRun = target.rangeOf(slot);
                int last = Math.min(r.last(), targetRun.last());
                addNext(ranges, r.owners(), targetRun.owners(), slot, last, sync);
                slot = last + 1;
            }
        }
        List<SlotRange> merged = SlotRanges.merge(ranges);
        Map<NodeId, ClusterNode> nodes = new LinkedHashMap<>();
        target.nodes().forEach(n -> nodes.put(n.id(), n));
        for (ClusterNode n : current.nodes()) {
            if (!nodes.containsKey(n.id()) && merged.stream().anyMatch(r -> r.owners().contains(n.id()))) {
                nodes.put(n.id(), n);
            }
        }
        return Topology.of(epoch, target.replicationFactor(), nodes.values(), merged);
    }

    /** Owners under the next step of slots {@code first..last}, which share current and target owner lists. */
    private static void addNext(List<SlotRange> out, List<NodeId> from, List<NodeId> to, int first, int last,
            SyncStatus sync) {
        if (!from.containsAll(to)) {
            List<NodeId> union = new ArrayList<>(from);
            to.stream().filter(n -> !from.contains(n)).forEach(union::add);
            out.add(new SlotRange(first, last, union));
        } else if (from.size() == to.size()) {
            // The same owners, perhaps in another order: take the target's preference order, no data moves.
            out.add(new SlotRange(first, last, to));
        } else {
            // Only drops left: each slot contracts on its own once all its target owners hold its data.
            for (int slot = first; slot <= last; slot++) {
                final int s = slot;
                out.add(new SlotRange(slot, slot, to.stream().allMatch(n -> sync.inSync(n, s)) ? to : from));
            }
        }
    }

    /**
     * Runs of slots that {@code next} would take away from every node holding their data: slots with no owner in sync
     * under {@code next} that either drop every owner in sync under {@code current}, or, when no current owner is in
     * sync (all still catching up, e.g. after a cluster-wide restart: each holds part of the data), keep none of the
     * current owners. (A next owner that is in sync without being a current owner, e.g. one that caught up during an
     * earlier step, counts as keeping the data.)
     */
    public static List<SlotSpan> unsafeSlots(Topology current, Topology next, SyncStatus sync) {
        return SlotRanges.spans(slot -> {
            List<NodeId> after = next.ownersOf(slot);
            if (after.stream().anyMatch(n -> sync.inSync(n, slot))) {
                return false;
            }
            List<NodeId> before = current.ownersOf(slot);
            if (before.stream().anyMatch(n -> sync.inSync(n, slot))) {
                return true;
            }
            return !before.isEmpty() && before.stream().noneMatch(after::contains);
        });
    }

    /**
     * The safety check before a topology replaces the one in force: it must not drop a slot's last in-sync owner,
     * nor every owner of a slot none of whose owners is in sync yet.
     *
     * @throws UnsafeTopologyException naming the epoch and the slots (with the owners that would be lost)
     */
    public static void requireSafe(Topology current, Topology next, SyncStatus sync) {
        List<SlotSpan> unsafe = unsafeSlots(current, next, sync);
        if (unsafe.isEmpty()) {
            return;
        }
        SlotSpan firstSpan = unsafe.get(0);
        int slot = firstSpan.first();
        List<NodeId> lost = current.ownersOf(slot).stream().filter(n -> sync.inSync(n, slot)).toList();
        String count = SlotRanges.count(unsafe) + " slot" + (SlotRanges.count(unsafe) == 1 ? "" : "s") + " ("
                + describe(unsafe) + ")";
        if (lost.isEmpty()) {
            throw new UnsafeTopologyException("epoch " + next.epoch() + " would drop every owner holding data of "
                    + count + "; slot " + slot + " is held only by " + current.ownersOf(slot) + ", none in sync yet");
        }
        throw new UnsafeTopologyException("epoch " + next.epoch() + " would drop every in-sync owner of "
                + count + "; slot " + slot + " is in sync only on " + lost);
    }

    private static String describe(List<SlotSpan> spans) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < spans.size() && i < 5; i++) {
            sb.append(i == 0 ? "" : ", ").append(spans.get(i));
        }
        if (spans.size() > 5) {
            sb.append(", and ").append(spans.size() - 5).append(" more ranges");
        }
        return sb.toString();
    }
}
