package io.hyperkv.store;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One replica for the convergence tests: a {@link Keyspace} on its own RocksDB with all four element stores, a
 * {@link DeltaSink} that keeps every {@link KeyDelta} its local writes commit (round-tripped through the wire codec,
 * as a peer receives it), and {@link #merge}/{@link #capture}, the keyspace's entry points replication uses (which
 * join a collection's rows through the store's registered {@link CollectionReplica}).
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

    ReplicaNode(Path dir, ManualTime time, long node) {
        this(dir, time, node, true);
    }

    /** A replica that reports its deltas from the start, or (not {@code replicating}) a single node until {@link #replicate}. */
    ReplicaNode(Path dir, ManualTime time, long node, boolean replicating) {
        engine = RocksDbEngine.open(EngineOptions.of(dir, Fsync.NO));
        ks = new Keyspace(engine, new TestClock(time, node), 16, time);
        hashes = new HashStore(ks);
        sets = new SetStore(ks);
        zsets = new ZSetStore(ks);
        lists = new ListStore(ks);
        if (replicating) {
            replicate();
        }
    }

    /** Sets the delta sink (what a node entering cluster mode does): from now on every local write ships its delta. */
    void replicate() {
        ks.deltaSink((db, key, slot, delta) -> out.add(new Shipped(key, KeyDelta.decode(delta.encode()))));
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

    /** Applies a peer's delta as the replication layer does ({@link Keyspace#merge}); true if it changed anything. */
    boolean merge(byte[] key, KeyDelta delta) {
        return ks.merge(0, key, delta);
    }

    /** The whole state of {@code key} as anti-entropy ships it ({@link Keyspace#capture}; null: nothing stored). */
    KeyDelta capture(byte[] key) {
        return ks.capture(0, key);
    }

    /** The live collection at {@code key}, null when absent or a tombstone. */
    Metadata live(byte[] key) {
        Metadata m = ks.read(0, key);
        return m == null || m.tombstone() ? null : m;
    }

    /** DEL: while replicating, the keyspace leaves a tombstone keeping the stamp and the context. */
    void del(byte[] key) {
        ks.delete(0, key);
    }

    /** Element name (one char per byte) → row bytes (hex) under the key's current version: versions differ per node, rows must not. */
    Map<String, String> rows(byte[] key) {
        Map<String, String> rows = new TreeMap<>();
        Metadata m = live(key);
        if (m == null) {
            return rows;
        }
        for (KeyDelta.Element e : capture(key).elements()) {
            rows.put(new String(e.name(), StandardCharsets.ISO_8859_1), HexFormat.of().formatHex(e.state()));
        }
        return rows;
    }

    /** The element hash of {@code key} recomputed from its rows, to check the one META keeps. */
    long recomputedHash(byte[] key) {
        Metadata m = live(key);
        long h = 0;
        if (m != null) {
            for (KeyDelta.Element e : capture(key).elements()) {
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
