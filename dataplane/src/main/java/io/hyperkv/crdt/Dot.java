package io.hyperkv.crdt;

/**
 * One event on one key: the {@code counter}-th dot minted by {@code node} for that key. A dot names
 * exactly one operation, so "has this replica seen that operation" is a membership test in a
 * {@link CausalContext}. Counters are positive; order is node (unsigned), then counter.
 */
public record Dot(long node, long counter) implements Comparable<Dot> {

    public Dot {
        if (counter < 1) {
            throw new IllegalArgumentException("dot counter must be positive: " + counter);
        }
    }

    @Override
    public int compareTo(Dot o) {
        int c = Long.compareUnsigned(node, o.node);
        return c != 0 ? c : Long.compare(counter, o.counter);
    }

    @Override
    public String toString() {
        return Long.toUnsignedString(node) + ":" + counter;
    }
}
