package io.hyperkv.crdt;

/**
 * A hybrid-logical-clock timestamp and the node that issued it: the total order used by every
 * last-writer-wins decision. {@code time} packs physical milliseconds in the high 48 bits and a
 * logical counter in the low 16 bits, so comparing two {@code time} values compares (physical,
 * logical); ties between nodes are broken by {@code node}.
 */
public record Stamp(long time, long node) implements Comparable<Stamp> {

    public static final int LOGICAL_BITS = 16;
    public static final Stamp ZERO = new Stamp(0, 0);

    public static long pack(long physicalMillis, int logical) {
        return (physicalMillis << LOGICAL_BITS) | (logical & 0xFFFFL);
    }

    public long physicalMillis() {
        return time >>> LOGICAL_BITS;
    }

    public int logical() {
        return (int) (time & 0xFFFFL);
    }

    @Override
    public int compareTo(Stamp o) {
        int c = Long.compareUnsigned(time, o.time);
        return c != 0 ? c : Long.compareUnsigned(node, o.node);
    }

    public boolean after(Stamp o) {
        return compareTo(o) > 0;
    }
}
