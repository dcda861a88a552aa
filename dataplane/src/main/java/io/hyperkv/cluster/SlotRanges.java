package io.hyperkv.cluster;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.function.IntPredicate;

/**
 * Grouping of the 16384 slots into contiguous runs, the shape every consumer wants: the compact form of a topology,
 * {@code CLUSTER SLOTS} (one entry per run with equal owner lists), {@code CLUSTER SHARDS} (runs grouped by owner
 * list), {@code CLUSTER NODES} and {@code GET /v1/node} (the runs one node owns).
 */
public final class SlotRanges {

    private SlotRanges() {
    }

    /**
     * Runs of consecutive slots whose owner lists are equal (order included), covering every slot once, in slot order.
     * Adjacent slots with equal lists always end up in one run, so the result is the canonical compact form.
     */
    public static List<SlotRange> group(IntFunction<List<NodeId>> ownersOfSlot) {
        List<SlotRange> ranges = new ArrayList<>();
        int first = 0;
        List<NodeId> current = ownersOfSlot.apply(0);
        for (int slot = 1; slot <= Topology.SLOTS; slot++) {
            List<NodeId> next = slot < Topology.SLOTS ? ownersOfSlot.apply(slot) : null;
            if (next == null || !next.equals(current)) {
                ranges.add(new SlotRange(first, slot - 1, current));
                first = slot;
                current = next;
            }
        }
        return List.copyOf(ranges);
    }

    /** Merges adjacent ranges with equal owner lists; the input must be in slot order and contiguous. */
    public static List<SlotRange> merge(List<SlotRange> sorted) {
        List<SlotRange> merged = new ArrayList<>(sorted.size());
        for (SlotRange r : sorted) {
            SlotRange last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
            if (last != null && last.last() + 1 == r.first() && last.owners().equals(r.owners())) {
                merged.set(merged.size() - 1, new SlotRange(last.first(), r.last(), last.owners()));
            } else {
                merged.add(r);
            }
        }
        return List.copyOf(merged);
    }

    /** Maximal runs of slots for which {@code member} holds, in slot order. */
    public static List<SlotSpan> spans(IntPredicate member) {
        List<SlotSpan> spans = new ArrayList<>();
        int start = -1;
        for (int slot = 0; slot <= Topology.SLOTS; slot++) {
            boolean in = slot < Topology.SLOTS && member.test(slot);
            if (in && start < 0) {
                start = slot;
            } else if (!in && start >= 0) {
                spans.add(new SlotSpan(start, slot - 1));
                start = -1;
            }
        }
        return List.copyOf(spans);
    }

    /** The runs of slots {@code node} owns under {@code ranges}, merged across range boundaries. */
    public static List<SlotSpan> ownedBy(List<SlotRange> ranges, NodeId node) {
        List<SlotSpan> spans = new ArrayList<>();
        for (SlotRange r : ranges) {
            if (!r.owners().contains(node)) {
                continue;
            }
            SlotSpan last = spans.isEmpty() ? null : spans.get(spans.size() - 1);
            if (last != null && last.last() + 1 == r.first()) {
                spans.set(spans.size() - 1, new SlotSpan(last.first(), r.last()));
            } else {
                spans.add(r.span());
            }
        }
        return List.copyOf(spans);
    }

    /**
     * {@code CLUSTER SHARDS}-style grouping: each distinct owner list (order included, so the first owner is the
     * shard's "master") with all the runs of slots it owns, shards in the order of their first slot.
     */
    public static Map<List<NodeId>, List<SlotSpan>> shards(List<SlotRange> ranges) {
        Map<List<NodeId>, List<SlotSpan>> shards = new LinkedHashMap<>();
        for (SlotRange r : ranges) {
            shards.computeIfAbsent(r.owners(), k -> new ArrayList<>()).add(r.span());
        }
        Map<List<NodeId>, List<SlotSpan>> frozen = new LinkedHashMap<>();
        shards.forEach((owners, spans) -> frozen.put(owners, List.copyOf(spans)));
        return Collections.unmodifiableMap(frozen);
    }

    /** Total number of slots in the spans. */
    public static int count(List<SlotSpan> spans) {
        return spans.stream().mapToInt(SlotSpan::size).sum();
    }
}
