package io.hyperkv.store;

/**
 * Where a {@link Keyspace} reports the {@link KeyDelta} of every change it commits to a key on behalf of a local
 * write (a command, active or passive expiry), for the replication layer to ship to the key's other replicas.
 * Merges of deltas that came from elsewhere are <em>not</em> reported (the sender already ships them; anti-entropy
 * catches what it missed). Registered with {@code Keyspace.deltaSink}; with none registered (a single node) the
 * keyspace builds no delta at all, so a single node pays nothing for replication.
 *
 * <p>Called on the writing thread right after the change is committed to the engine (not yet durable), under the
 * key's lock, in commit order per key. It must be quick and must not block, take key locks or write to the keyspace:
 * queue the delta and return. A sink that throws is a bug; the write stays.
 */
@FunctionalInterface
public interface DeltaSink {

    void committed(int db, byte[] key, int slot, KeyDelta delta);

    /**
     * A local FLUSHDB/FLUSHALL removed the databases {@code [fromDb, toDb)} up to {@code cut}: every node of the
     * cluster must apply the same cut ({@link Keyspace#applyCut}). Same thread and rules as {@link #committed}.
     */
    default void flushed(int fromDb, int toDb, io.hyperkv.crdt.Stamp cut) {
    }
}
