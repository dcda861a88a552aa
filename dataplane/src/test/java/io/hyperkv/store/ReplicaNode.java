package io.hyperkv.store;

import io.hyperkv.crdt.Stamp;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One replica for the convergence tests: a {@link Keyspace} on its own RocksDB with all four element stores, a
 * {@link DeltaSink} that keeps every {@link KeyDelta} its local writes commit (round-tripped through the wire codec,
 * as a peer receives it), and {@link #merge}, which applies a peer's delta through the store's registered
 * {@link CollectionReplica} the way the replication layer does: under the key's lock, observing the remote stamp,
 * staging the returned META over the stored one, committing without reporting to the sink.
 */
final class ReplicaNode implements AutoCloseable {

    /** A delta as it leaves a node: the key and the decoded wire form. */
    record Shipped(byte[] key, KeyDelta delta) {}

    final Engine engine;
    final Keyspace ks;
    final HashStore hashes;
    final SetStore sets;
    final ZSetStore zsets;
    final ListStore lists;
    final List<Shipped> out = new ArrayList<>();
    private boolean merging;

    ReplicaNode(Path dir, ManualTime time, long node) {
        engine = RocksDbEngine.open(EngineOptions.of(dir, Fsync.NO));
        ks = new Keyspace(engine, new TestClock(time, node), 16, time);
        hashes = new HashStore(ks);
        sets = new SetStore(ks);
        zsets = new ZSetStore(ks);
        lists = new ListStore(ks);
        ks.deltaSink((db, key, slot, delta) -> {
            if (!merging) {
                out.add(new Shipped(key, KeyDelta.decode(delta.encode())));
            }
        });
    }

    /** The deltas committed since the last call, emptied. */
    List<Shipped> drain() {
        List<Shipped> d = new ArrayList<>(out);
        out.clear();
        return d;
    }

    /** The last delta committed (the one of the write just made). */
    KeyDelta last() {
        return out.get(out.size() - 1).delta();
    }

    /** Applies a peer's delta; true if it changed anything here. */
    boolean merge(byte[] key, KeyDelta delta) {
        try (KeyLocks.Held ignored = ks.lock(0, key); Keyspace.Changes changes = ks.changes()) {
            Stamp remote = delta.meta().stamp();
            ks.clock().observe(remote);
            Metadata local = ks.readStored(0, key);
            Metadata merged = ks.collection(delta.meta().type()).merge(0, key, local, delta, changes);
            if (merged.equals(local)) {
                return false;
            }
            changes.put(0, key, local, merged);
            merging = true;
            try {
                changes.commit();
            } finally {
                merging = false;
            }
            return true;
        }
    }

    /** The whole state of {@code key} as anti-entropy ships it (null: nothing stored). */
    KeyDelta capture(byte[] key) {
        Metadata m = ks.readStored(0, key);
        if (m == null) {
            return null;
        }
        return m.tombstone() ? new KeyDelta(m, List.of(), true)
                : new KeyDelta(m, ks.collection(m.type()).elements(0, key, m), true);
    }

    /** The live collection at {@code key}, null when absent or a tombstone. */
    Metadata live(byte[] key) {
        Metadata m = ks.read(0, key);
        return m == null || m.tombstone() ? null : m;
    }

    /** Deletes {@code key} as DEL does while replicating: a tombstone keeping the stamp and the context. */
    void del(byte[] key) {
        try (KeyLocks.Held ignored = ks.lock(0, key)) {
            Metadata m = live(key);
            if (m != null) {
                ks.write(0, key, Metadata.tombstone(m.type(), m.version(), ks.stamp(), m.context()));
            }
        }
    }

    /** Element name (hex) → row bytes (hex) under the key's current version: versions differ per node, rows must not. */
    Map<String, String> rows(byte[] key) {
        Map<String, String> rows = new TreeMap<>();
        Metadata m = live(key);
        if (m == null) {
            return rows;
        }
        for (KeyDelta.Element e : ks.collection(m.type()).elements(0, key, m)) {
            rows.put(HexFormat.of().formatHex(e.name()), HexFormat.of().formatHex(e.state()));
        }
        return rows;
    }

    /** The element hash of {@code key} recomputed from its rows, to check the one META keeps. */
    long recomputedHash(byte[] key) {
        Metadata m = live(key);
        long h = 0;
        if (m != null) {
            for (KeyDelta.Element e : ks.collection(m.type()).elements(0, key, m)) {
                h ^= ElementHash.of(e.name(), e.state());
            }
        }
        return h;
    }

    @Override
    public void close() {
        engine.close();
    }
}
