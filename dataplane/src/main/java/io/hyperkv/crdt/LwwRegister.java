package io.hyperkv.crdt;

import java.util.Objects;

/**
 * A last-writer-wins register: the value with the highest (HLC, node) stamp wins. For values with no
 * counter semantics and no observed-remove needs (metadata, topology fields); Redis strings use
 * {@link CounterRegister}. {@link #EMPTY} (stamp {@link Stamp#ZERO}) is the bottom. Immutable.
 */
public record LwwRegister(Stamp stamp, Bytes value) implements Crdt<LwwRegister> {

    public static final LwwRegister EMPTY = new LwwRegister(Stamp.ZERO, Bytes.EMPTY);

    public LwwRegister {
        Objects.requireNonNull(stamp, "stamp");
        Objects.requireNonNull(value, "value");
    }

    /** The delta (and new state) that writes {@code value} after everything this replica has seen. */
    public static LwwRegister write(Bytes value, Clock clock) {
        return new LwwRegister(clock.next(), value);
    }

    @Override
    public Stamp latest() {
        return stamp;
    }

    @Override
    public LwwRegister merge(LwwRegister other) {
        int c = stamp.compareTo(other.stamp);
        if (c == 0) {
            // one stamp names one write; differing values only come from corrupted input, and the
            // join must still be commutative
            return value.compareTo(other.value) >= 0 ? this : other;
        }
        return c > 0 ? this : other;
    }
}
