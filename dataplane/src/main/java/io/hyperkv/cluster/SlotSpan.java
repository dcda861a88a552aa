package io.hyperkv.cluster;

/** An inclusive run of slots {@code first..last} inside {@code 0..16383}. */
public record SlotSpan(int first, int last) {

    public SlotSpan {
        if (first < 0 || last >= Topology.SLOTS || first > last) {
            throw new InvalidTopologyException("slot range " + first + ".." + last + " is not inside 0.."
                    + (Topology.SLOTS - 1) + " with start <= end");
        }
    }

    public int size() {
        return last - first + 1;
    }

    public boolean contains(int slot) {
        return slot >= first && slot <= last;
    }

    @Override
    public String toString() {
        return first == last ? Integer.toString(first) : first + ".." + last;
    }
}
