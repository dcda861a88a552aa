package io.hyperkv.cluster;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The cluster's topology document (DESIGN.md section 5): an epoch, the members, the replication factor N, and for
 * every one of the 16384 slots the ordered list of nodes that own it. Immutable; the slot table is held as
 * {@link SlotRange runs of slots with equal owner lists}, so a topology costs memory in proportion to its runs, not to
 * its slots, and {@link #ownersOf} is a binary search over the run starts.
 *
 * <p>Invariants, checked on construction with an {@link InvalidTopologyException} naming the broken rule:
 * <ul>
 *   <li>the epoch is at least 1 (0 means "no topology yet");</li>
 *   <li>at least one node; node ids are unique (addresses need not be: a replacement may reuse the address of a
 *       node that is still listed as an owner while its slots move);</li>
 *   <li>{@code 1 <= N <= number of nodes};</li>
 *   <li>the runs cover every slot exactly once; every owner is a node of this topology, listed once per run;</li>
 *   <li>every slot has at least N owners (more while it moves: the old owners stay until the new ones are in
 *       sync, see {@link Transition}).</li>
 * </ul>
 * Nodes are kept in id order and adjacent runs with equal owner lists are merged, so two topologies describing the
 * same ownership are {@link #equals equal} and encode to the same bytes.
 *
 * <p>Acceptance: a node replaces the topology in force only with one of a higher epoch ({@link #replaces});
 * {@link CurrentTopology} applies that rule.
 */
public final class Topology {

    /** Number of hash slots, as in Redis Cluster. */
    public static final int SLOTS = 16384;

    private final long epoch;
    private final int replicationFactor;
    private final List<ClusterNode> nodes;
    private final Map<NodeId, ClusterNode> byId;
    private final List<SlotRange> ranges;
    private final int[] firsts;

    private Topology(long epoch, int replicationFactor, List<ClusterNode> nodes, Map<NodeId, ClusterNode> byId,
            List<SlotRange> ranges) {
        this.epoch = epoch;
        this.replicationFactor = replicationFactor;
        this.nodes = nodes;
        this.byId = byId;
        this.ranges = ranges;
        this.firsts = ranges.stream().mapToInt(SlotRange::first).toArray();
    }

    /**
     * A topology from its parts, validated and normalised (see the class documentation). The runs may come in any
     * order and need not be merged.
     *
     * @throws InvalidTopologyException when an invariant does not hold
     */
    public static Topology of(long epoch, int replicationFactor, Collection<ClusterNode> nodes,
            Collection<SlotRange> ranges) {
        if (epoch < 1) {
            throw new InvalidTopologyException("epoch must be at least 1, got " + epoch);
        }
        if (nodes.isEmpty()) {
            throw new InvalidTopologyException("a topology needs at least one node");
        }
        Map<NodeId, ClusterNode> byId = new HashMap<>();
        for (ClusterNode node : nodes) {
            if (byId.putIfAbsent(node.id(), node) != null) {
                throw new InvalidTopologyException("duplicate node id " + node.id());
            }
        }
        if (replicationFactor < 1) {
            throw new InvalidTopologyException("replicationFactor must be at least 1, got " + replicationFactor);
        }
        if (replicationFactor > nodes.size()) {
            throw new InvalidTopologyException("replicationFactor " + replicationFactor + " is greater than the "
                    + nodes.size() + " node" + (nodes.size() == 1 ? "" : "s"));
        }
        List<SlotRange> sorted = new ArrayList<>(ranges);
        sorted.sort(Comparator.comparingInt(SlotRange::first));
        int next = 0;
        SlotRange previous = null;
        for (SlotRange r : sorted) {
            if (r.first() > next) {
                throw new InvalidTopologyException("slots " + new SlotSpan(next, r.first() - 1) + " have no owners");
            }
            if (r.first() < next) {
                throw new InvalidTopologyException("slot " + r.first() + " is in two ranges (" + previous.span()
                        + " and " + r.span() + ")");
            }
            for (NodeId owner : r.owners()) {
                if (!byId.containsKey(owner)) {
                    throw new InvalidTopologyException("slots " + r.span() + " are owned by " + owner
                            + ", which is not a node of the topology");
                }
            }
            if (r.owners().size() < replicationFactor) {
                throw new InvalidTopologyException("slots " + r.span() + " have " + r.owners().size() + " owner"
                        + (r.owners().size() == 1 ? "" : "s") + ", fewer than replicationFactor " + replicationFactor);
            }
            next = r.last() + 1;
            previous = r;
        }
        if (next < SLOTS) {
            throw new InvalidTopologyException("slots " + new SlotSpan(next, SLOTS - 1) + " have no owners");
        }
        List<ClusterNode> ordered = nodes.stream().sorted(Comparator.comparing(ClusterNode::id)).toList();
        return new Topology(epoch, replicationFactor, ordered, Map.copyOf(byId), SlotRanges.merge(sorted));
    }

    public long epoch() {
        return epoch;
    }

    public int replicationFactor() {
        return replicationFactor;
    }

    /** Members in id order. */
    public List<ClusterNode> nodes() {
        return nodes;
    }

    public Optional<ClusterNode> node(NodeId id) {
        return Optional.ofNullable(byId.get(id));
    }

    public boolean hasNode(NodeId id) {
        return byId.containsKey(id);
    }

    /** The slot table as merged runs in slot order, covering every slot once. */
    public List<SlotRange> ranges() {
        return ranges;
    }

    /** The run holding {@code slot}. */
    public SlotRange rangeOf(int slot) {
        if (slot < 0 || slot >= SLOTS) {
            throw new IndexOutOfBoundsException("slot " + slot + " is outside 0.." + (SLOTS - 1));
        }
        int i = Arrays.binarySearch(firsts, slot);
        return ranges.get(i >= 0 ? i : -i - 2);
    }

    /** Owners of {@code slot} in preference order. */
    public List<NodeId> ownersOf(int slot) {
        return rangeOf(slot).owners();
    }

    public boolean owns(NodeId node, int slot) {
        return ownersOf(slot).contains(node);
    }

    /** The runs of slots {@code node} owns, merged, in slot order; empty for a node that owns nothing. */
    public List<SlotSpan> spansOwnedBy(NodeId node) {
        return SlotRanges.ownedBy(ranges, node);
    }

    /** The same document under another epoch. */
    public Topology withEpoch(long newEpoch) {
        return of(newEpoch, replicationFactor, nodes, ranges);
    }

    /** The same document with one member's state changed. */
    public Topology withNodeState(NodeId id, NodeState state) {
        ClusterNode node = node(id).orElseThrow(() -> new IllegalArgumentException(id + " is not a node of epoch "
                + epoch));
        List<ClusterNode> changed = nodes.stream().map(n -> n == node ? n.withState(state) : n).toList();
        return of(epoch, replicationFactor, changed, ranges);
    }

    /**
     * The acceptance rule: this document may replace {@code current} (null when the node has none) only when its
     * epoch is higher. An equal epoch never replaces, even with different content: two documents claiming one
     * epoch are a conflict for their author to resolve with a new epoch, not something a node may pick between.
     */
    public boolean replaces(Topology current) {
        return current == null || epoch > current.epoch;
    }

    /** Whether both documents say the same thing apart from the epoch. */
    public boolean sameContent(Topology other) {
        return replicationFactor == other.replicationFactor && nodes.equals(other.nodes)
                && ranges.equals(other.ranges);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Topology t && epoch == t.epoch && sameContent(t);
    }

    @Override
    public int hashCode() {
        return Objects.hash(epoch, replicationFactor, nodes, ranges);
    }

    @Override
    public String toString() {
        return "Topology[epoch=" + epoch + ", N=" + replicationFactor + ", " + nodes.size() + " nodes, "
                + ranges.size() + " slot ranges]";
    }
}
