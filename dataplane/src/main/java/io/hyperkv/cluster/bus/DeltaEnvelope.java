package io.hyperkv.cluster.bus;

import io.hyperkv.crdt.Stamp;
import io.hyperkv.cluster.Topology;
import java.util.Arrays;
import java.util.Objects;

/**
 * One replicated change as the bus carries it: which key (database, slot, key bytes), the HLC stamp of the write,
 * the opaque delta bytes the store merges, and why it travels. The bus never looks inside {@code delta}; merging it is
 * idempotent by the store's CRDT join, which is what makes at-least-once delivery safe.
 *
 * <p>Invariants: {@code db >= 0}, {@code 0 <= slot < 16384}, arrays and stamp non-null. The arrays are owned by the
 * envelope once built: callers must not change them.
 */
public record DeltaEnvelope(int db, int slot, byte[] key, Stamp stamp, byte[] delta, Origin origin) {

    public DeltaEnvelope {
        if (db < 0) {
            throw new IllegalArgumentException("db " + db + " is negative");
        }
        if (slot < 0 || slot >= Topology.SLOTS) {
            throw new IllegalArgumentException("slot " + slot + " is outside 0.." + (Topology.SLOTS - 1));
        }
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(stamp, "stamp");
        Objects.requireNonNull(delta, "delta");
        Objects.requireNonNull(origin, "origin");
    }

    /** Bytes this envelope adds to a frame, near enough for queue accounting. */
    public int weight() {
        return key.length + delta.length + 64;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DeltaEnvelope e && db == e.db && slot == e.slot && Arrays.equals(key, e.key)
                && stamp.equals(e.stamp) && Arrays.equals(delta, e.delta) && origin == e.origin;
    }

    @Override
    public int hashCode() {
        return Objects.hash(db, slot, Arrays.hashCode(key), stamp, Arrays.hashCode(delta), origin);
    }

    @Override
    public String toString() {
        return "DeltaEnvelope[db=" + db + ", slot=" + slot + ", key=" + key.length + " bytes, stamp=" + stamp
                + ", delta=" + delta.length + " bytes, origin=" + origin.word() + "]";
    }
}
