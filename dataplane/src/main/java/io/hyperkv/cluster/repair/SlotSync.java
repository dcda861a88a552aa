package io.hyperkv.cluster.repair;

import io.hyperkv.cluster.NodeId;
import io.hyperkv.cluster.SlotSpan;
import io.hyperkv.cluster.SyncStatus;
import io.hyperkv.cluster.Topology;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;

/**
 * Which of its slots this node holds all the data of ("in sync"), as anti-entropy established it, and when a round
 * last confirmed each. Every slot starts out of sync (a node that starts, restarts or becomes an owner must catch up
 * first); {@link AntiEntropy} marks a slot in sync when a round compared it with every co-owner that was up and took
 * nothing from them, and out of sync again when it gains the slot or a co-owner returns from DOWN.
 *
 * <p>As a {@link SyncStatus} it answers for this node only: another node's slots are never reported in sync here
 * (each node reports its own on {@code GET /v1/node}). Thread-safe: one lock guards both arrays.
 */
public final class SlotSync implements SyncStatus {

    /** A run of slots with one sync state; {@code lastRound} is the oldest confirmation in the run, if any. */
    public record Run(int start, int end, boolean inSync, Optional<Instant> lastRound) {
    }

    private final NodeId self;
    private final BitSet inSync = new BitSet(Topology.SLOTS);
    private final long[] lastRoundAt = new long[Topology.SLOTS];

    public SlotSync(NodeId self) {
        this.self = self;
    }

    @Override
    public boolean inSync(NodeId node, int slot) {
        return node.equals(self) && inSync(slot);
    }

    public synchronized boolean inSync(int slot) {
        return inSync.get(slot);
    }

    /** A round at {@code atMillis} (epoch milliseconds) found this node holds all the slot's data. */
    synchronized void confirmed(int slot, long atMillis) {
        inSync.set(slot);
        lastRoundAt[slot] = atMillis;
    }

    /** A round compared the slot and took data from a co-owner: it was not in sync when the round began. */
    synchronized void repaired(int slot, long atMillis) {
        inSync.clear(slot);
        lastRoundAt[slot] = atMillis;
    }

    /** The slots must be confirmed again (gained, or a co-owner came back). */
    synchronized void outOfSync(BitSet slots) {
        inSync.andNot(slots);
    }

    /** The node no longer owns the slots: forget what was known. */
    synchronized void forget(BitSet slots) {
        inSync.andNot(slots);
        slots.stream().forEach(s -> lastRoundAt[s] = 0);
    }

    /** Of {@code owned}, how many slots are out of sync. */
    public synchronized int outOfSyncCount(List<SlotSpan> owned) {
        int n = 0;
        for (SlotSpan span : owned) {
            n += span.size() - inSync.get(span.first(), span.last() + 1).cardinality();
        }
        return n;
    }

    /** {@code owned} cut into runs of equal sync state, in order. */
    public synchronized List<Run> runs(List<SlotSpan> owned) {
        List<Run> runs = new ArrayList<>();
        for (SlotSpan span : owned) {
            int start = span.first();
            while (start <= span.last()) {
                boolean state = inSync.get(start);
                int end = start;
                long oldest = lastRoundAt[start];
                while (end < span.last() && inSync.get(end + 1) == state) {
                    end++;
                    oldest = oldest == 0 || lastRoundAt[end] == 0 ? 0 : Math.min(oldest, lastRoundAt[end]);
                }
                runs.add(new Run(start, end, state, oldest == 0 ? Optional.empty()
                        : Optional.of(Instant.ofEpochMilli(oldest))));
                start = end + 1;
            }
        }
        return runs;
    }
}
