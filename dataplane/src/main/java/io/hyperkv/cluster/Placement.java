package io.hyperkv.cluster;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

/**
 * Deterministic slot ownership from a member list and a replication factor N: rendezvous (highest-random-weight)
 * hashing over blocks of consecutive slots.
 *
 * <p>The rule: the slots are cut into blocks of {@link #blockSlots()} consecutive slots (a power of two; 16 by
 * default, so 1024 blocks). Every member gets a score for every block, {@link #score(NodeId, int)}, a 64-bit mix of
 * the member's id and the block number that is the same on every JVM and release. A block's owners are the N members
 * with the highest scores, highest first (ties, which need equal 64-bit scores, go to the lower id). That order is the
 * slot's preference order, so the "first owner" that cluster-aware clients favour is spread evenly over the members.
 *
 * <p>Why it has the properties we need:
 * <ul>
 *   <li>Deterministic: the result depends on the set of member ids and N only, not on their order or on any history,
 *       so every node computing it from the same static peer list gets the same table.</li>
 *   <li>Minimal movement: a member's score for a block does not depend on the other members, so when one member joins,
 *       a block changes owners only if the newcomer's score enters its top N, and then the newcomer replaces exactly
 *       one old owner; the relative order of the others is unchanged. Symmetrically when one leaves. The replicas that
 *       move are exactly the newcomer's (or leaver's) share, about {@code N * 16384 / n} slots, which no balanced
 *       placement can beat.</li>
 *   <li>Balance: each member owns a block with probability N/n independently of the others, so its slot count is
 *       {@code blockSlots} times a binomial(1024, N/n) variable: mean {@code N * 16384 / n}, standard deviation
 *       {@code blockSlots * sqrt(1024 * p * (1 - p))} with {@code p = N/n} (2.6% of the mean for 5 members and
 *       N = 3, 5.4% for 12). Smaller blocks balance better but fragment the table: with per-slot blocks nearly every
 *       slot differs from its neighbour once there are more than N members, and the document, {@code CLUSTER SLOTS}
 *       and {@code CLUSTER SHARDS} grow to ~16k entries that every cluster-aware client downloads on each refresh;
 *       16-slot blocks bound them at 1024. Measured over 200 random member sets per size with N = 3
 *       ({@code PlacementTest.slotCountsSpreadNoWiderThanABinomial}), the most loaded member was at most 6.6% above
 *       the mean with 5 members and 17% with 12, against 2.2% and 3.3% for per-slot placement with ~16k runs.</li>
 * </ul>
 */
public final class Placement {

    /** Slots per block of the standard placement. */
    public static final int DEFAULT_BLOCK_SLOTS = 16;

    private static final long NODE_SALT = 0x6a09e667f3bcc908L;
    private static final long BLOCK_SALT = 0xbb67ae8584caa73bL;

    private final int blockSlots;

    /**
     * A placement over blocks of {@code blockSlots} consecutive slots: a power of two between 1 and 16384. Every node
     * of a cluster must use the same value, so it is a constant of the deployment, not a tuning knob.
     */
    public Placement(int blockSlots) {
        if (blockSlots < 1 || blockSlots > Topology.SLOTS || Integer.bitCount(blockSlots) != 1) {
            throw new IllegalArgumentException("blockSlots must be a power of two in 1.." + Topology.SLOTS
                    + ", got " + blockSlots);
        }
        this.blockSlots = blockSlots;
    }

    /** The placement HyperKV uses: blocks of {@value #DEFAULT_BLOCK_SLOTS} slots. */
    public static Placement standard() {
        return new Placement(DEFAULT_BLOCK_SLOTS);
    }

    public int blockSlots() {
        return blockSlots;
    }

    public int blocks() {
        return Topology.SLOTS / blockSlots;
    }

    /**
     * The rendezvous weight of {@code node} for {@code block}, compared unsigned. SplitMix64's finaliser over the id
     * and over the block number, then over their combination: a bijective mix with full avalanche, so scores of
     * different nodes behave as independent even for ids like 1, 2, 3.
     */
    public static long score(NodeId node, int block) {
        return mix(mix(node.value() ^ NODE_SALT) ^ mix(block + BLOCK_SALT));
    }

    /** Owners of one slot among {@code members}, in preference order. */
    public List<NodeId> owners(int slot, Collection<NodeId> members, int replicationFactor) {
        NodeId[] sorted = distinctSorted(members, replicationFactor);
        long[] keys = nodeKeys(sorted);
        return List.of(topOwners(slot / blockSlots, sorted, keys, replicationFactor));
    }

    /**
     * The whole slot table for {@code members} with {@code replicationFactor} owners per slot, as merged runs in slot
     * order.
     *
     * @throws IllegalArgumentException if N is below 1 or above the number of distinct members
     */
    public List<SlotRange> assign(Collection<NodeId> members, int replicationFactor) {
        NodeId[] sorted = distinctSorted(members, replicationFactor);
        long[] keys = nodeKeys(sorted);
        List<SlotRange> ranges = new ArrayList<>();
        for (int block = 0; block < blocks(); block++) {
            int first = block * blockSlots;
            ranges.add(new SlotRange(first, first + blockSlots - 1,
                    List.of(topOwners(block, sorted, keys, replicationFactor))));
        }
        return SlotRanges.merge(ranges);
    }

    /**
     * A topology whose slots are placed over the {@link NodeState#placeable() placeable} nodes. Leaving nodes stay in
     * the member list (owning nothing) so that peers still know where they are until a later epoch drops them.
     *
     * @throws InvalidTopologyException if fewer than N nodes are placeable
     */
    public Topology topology(long epoch, Collection<ClusterNode> nodes, int replicationFactor) {
        List<NodeId> members = nodes.stream().filter(n -> n.state().placeable()).map(ClusterNode::id).toList();
        if (replicationFactor < 1 || replicationFactor > members.size()) {
            throw new InvalidTopologyException("replicationFactor " + replicationFactor + " needs that many nodes that"
                    + " are not leaving; there are " + members.size());
        }
        return Topology.of(epoch, replicationFactor, nodes, assign(members, replicationFactor));
    }

    private static NodeId[] distinctSorted(Collection<NodeId> members, int replicationFactor) {
        NodeId[] sorted = new TreeSet<>(members).toArray(NodeId[]::new);
        if (replicationFactor < 1 || replicationFactor > sorted.length) {
            throw new IllegalArgumentException("replication factor " + replicationFactor + " needs between 1 and "
                    + sorted.length + " owners per slot with " + sorted.length + " members");
        }
        return sorted;
    }

    private static long[] nodeKeys(NodeId[] sorted) {
        return Arrays.stream(sorted).mapToLong(n -> mix(n.value() ^ NODE_SALT)).toArray();
    }

    /** The N best-scored members for a block, by insertion into a small sorted array (N is tiny). */
    private static NodeId[] topOwners(int block, NodeId[] sorted, long[] nodeKeys, int n) {
        long blockKey = mix(block + BLOCK_SALT);
        NodeId[] top = new NodeId[n];
        long[] topScores = new long[n];
        int filled = 0;
        for (int i = 0; i < sorted.length; i++) {
            long s = mix(nodeKeys[i] ^ blockKey);
            // sorted[] is in id order, so on equal scores the earlier (lower) id stays ahead: strict comparison.
            int pos = filled;
            while (pos > 0 && Long.compareUnsigned(s, topScores[pos - 1]) > 0) {
                pos--;
            }
            if (pos >= n) {
                continue;
            }
            int end = Math.min(filled, n - 1);
            System.arraycopy(top, pos, top, pos + 1, end - pos);
            System.arraycopy(topScores, pos, topScores, pos + 1, end - pos);
            top[pos] = sorted[i];
            topScores[pos] = s;
            filled = Math.min(filled + 1, n);
        }
        return top;
    }

    /** SplitMix64 finaliser (Stafford's mix 13). */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
