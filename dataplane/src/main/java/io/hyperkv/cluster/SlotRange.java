package io.hyperkv.cluster;

import java.util.List;

/**
 * Slots {@code first..last} (inclusive) and the nodes that own every one of them, in preference order: the first
 * owner is the one cluster-aware clients see as the slot's "master" in {@code CLUSTER SLOTS}, although every owner
 * accepts writes. Invariants: a valid span, at least one owner, no owner twice.
 */
public record SlotRange(int first, int last, List<NodeId> owners) {

    public SlotRange {
        new SlotSpan(first, last);
        owners = List.copyOf(owners);
        if (owners.isEmpty()) {
            throw new InvalidTopologyException("slots " + new SlotSpan(first, last) + " have no owners");
        }
        // Owner lists are a handful of ids: a quadratic scan beats hashing.
        for (int i = 1; i < owners.size(); i++) {
            if (owners.subList(0, i).contains(owners.get(i))) {
                throw new InvalidTopologyException("slots " + new SlotSpan(first, last) + " list owner "
                        + owners.get(i) + " twice");
            }
        }
    }

    public SlotSpan span() {
        return new SlotSpan(first, last);
    }

    public int size() {
        return last - first + 1;
    }

    public boolean contains(int slot) {
        return slot >= first && slot <= last;
    }
}
