package io.hyperkv.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyperkv.crdt.Bytes;
import io.hyperkv.crdt.ElementCodec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The keyspace deltas of hashes and sets are real CRDT states: two nodes, each a Keyspace on its
 * own RocksDB, run concurrent SADD/SREM and HSET/HDEL/HINCRBY, then exchange the {@link KeyDelta}s
 * their writes committed and merge them with the stores' {@link CollectionReplica}. Both
 * end with the same element rows, byte for byte, and the add-wins / counter semantics of DESIGN.md.
 */
class ElementStoreConvergenceTest {

    private static final byte[] KEY = "k".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dirA;
    @TempDir
    Path dirB;

    private final ManualTime time = new ManualTime();
    private Node a;
    private Node b;

    /** One node: a {@link ReplicaNode} and the Redis commands this test runs on it. */
    final class Node implements AutoCloseable {
        final ReplicaNode replica;
        final Keyspace ks;
        final SetStore sets;
        final HashStore hashes;

        Node(Path dir, long id) {
            replica = new ReplicaNode(dir, time, id);
            ks = replica.ks;
            sets = replica.sets;
            hashes = replica.hashes;
        }

        Metadata live() {
            return replica.live(KEY);
        }

        void sadd(String... members) {
            try (KeyLocks.Held ignored = ks.lock(0, KEY)) {
                sets.add(0, KEY, live(), bytes(members));
            }
        }

        void srem(String... members) {
            try (KeyLocks.Held ignored = ks.lock(0, KEY)) {
                sets.remove(0, KEY, live(), bytes(members));
            }
        }

        void hset(String field, String value) {
            try (KeyLocks.Held ignored = ks.lock(0, KEY)) {
                Map<Bytes, Bytes> pairs = new LinkedHashMap<>();
                pairs.put(Bytes.of(field), Bytes.of(value));
                hashes.put(0, KEY, live(), pairs, 1);
            }
        }

        void hdel(String... fields) {
            try (KeyLocks.Held ignored = ks.lock(0, KEY)) {
                hashes.delete(0, KEY, live(), bytes(fields));
            }
        }

        void hincrby(String field, long by) {
            try (KeyLocks.Held ignored = ks.lock(0, KEY)) {
                hashes.increment(0, KEY, live(), field.getBytes(StandardCharsets.UTF_8), by);
            }
        }

        /** Applies what {@code from} committed since the last exchange; returns how many merges wrote. */
        int receiveFrom(Node from, boolean reversed) {
            List<ReplicaNode.Shipped> shipped = new ArrayList<>(from.replica.out);
            if (reversed) {
                Collections.reverse(shipped);
            }
            int wrote = 0;
            for (ReplicaNode.Shipped d : shipped) {
                wrote += replica.merge(d.key(), d.delta()) ? 1 : 0;
            }
            return wrote;
        }

        Map<String, String> rows() {
            return replica.rows(KEY);
        }

        @Override
        public void close() {
            replica.close();
        }
    }

    private static List<byte[]> bytes(String... s) {
        List<byte[]> out = new ArrayList<>();
        for (String x : s) {
            out.add(x.getBytes(StandardCharsets.UTF_8));
        }
        return out;
    }

    private void exchange(boolean reversed) {
        a.receiveFrom(b, reversed);
        b.receiveFrom(a, reversed);
        a.replica.out.clear();
        b.replica.out.clear();
    }

    @BeforeEach
    void open() {
        a = new Node(dirA, 1);
        b = new Node(dirB, 2);
    }

    @AfterEach
    void close() {
        a.close();
        b.close();
    }

    private List<String> members(Node n) {
        Metadata m = n.live();
        List<String> out = new ArrayList<>();
        if (m != null) {
            for (byte[] x : n.sets.members(0, KEY, m)) {
                out.add(new String(x, StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    private Map<String, String> hash(Node n) {
        Metadata m = n.live();
        Map<String, String> out = new TreeMap<>();
        if (m != null) {
            for (HashStore.Field f : n.hashes.all(0, KEY, m)) {
                out.put(new String(f.field(), StandardCharsets.UTF_8), new String(f.value(), StandardCharsets.UTF_8));
            }
            assertThat(m.size()).as("HLEN counts the fields with a value").isEqualTo(out.size());
        }
        return out;
    }

    @Test
    void concurrentSaddAndSremConvergeWithTheAddWinning() throws Exception {
        a.sadd("x", "y", "w");
        exchange(false);
        assertThat(members(b)).containsExactly("w", "x", "y");

        a.srem("x");          // ∥
        b.srem("x");
        b.sadd("x");          // re-added concurrently under a new dot: add wins
        a.srem("y");          // ∥ an SADD of a present member, which Redis reports as no change, re-adds it
        b.sadd("y");          //   under a fresh dot while replicating: add wins here too (DESIGN.md)
        a.sadd("z");
        b.sadd("v");
        a.srem("w");
        b.srem("w");          // both remove w
        exchange(true);

        assertThat(members(a)).containsExactly("v", "x", "y", "z");
        assertThat(members(b)).isEqualTo(members(a));
        assertThat(a.rows()).isEqualTo(b.rows());
        assertThat(a.live().size()).isEqualTo(4).isEqualTo(b.live().size());
        assertThat(ElementCodec.decodeContext(a.live().context()).union(ElementCodec.decodeContext(b.live().context())))
                .isEqualTo(ElementCodec.decodeContext(a.live().context()));
    }

    @Test
    void mergingADeltaTwiceWritesNothingTheSecondTime() {
        a.sadd("x", "y");
        a.srem("y");
        List<ReplicaNode.Shipped> shipped = new ArrayList<>(a.replica.out);
        assertThat(b.receiveFrom(a, false)).isEqualTo(2);
        Map<String, String> once = b.rows();
        Metadata meta = b.live();
        for (ReplicaNode.Shipped d : shipped) {
            assertThat(b.replica.merge(d.key(), d.delta())).isFalse();
        }
        assertThat(b.rows()).isEqualTo(once).isEqualTo(a.rows());
        assertThat(b.live()).isEqualTo(meta);
        assertThat(members(b)).containsExactly("x");
    }

    @Test
    void concurrentHashWritesConvergeAsDesigned() {
        a.hset("f", "1");
        a.hset("g", "1");
        a.hincrby("d", 3);
        exchange(false);
        assertThat(hash(b)).isEqualTo(Map.of("f", "1", "g", "1", "d", "3"));

        a.hdel("f");           // ∥ an update of f: the update wins
        b.hset("f", "2");
        a.hincrby("c", 5);     // ∥ increments add up
        b.hincrby("c", 7);
        a.hdel("d");           // ∥ an increment the HDEL had not seen: it survives, on 0
        b.hincrby("d", 4);
        time.advance(1);
        a.hset("g", "A");      // ∥ assignments: one wins, the same on both
        b.hset("g", "B");
        exchange(true);

        Map<String, String> expected = hash(a);
        assertThat(hash(b)).isEqualTo(expected);
        assertThat(expected).containsEntry("f", "2").containsEntry("c", "12").containsEntry("d", "4");
        assertThat(expected.get("g")).isIn("A", "B");
        assertThat(a.rows()).isEqualTo(b.rows());

        // both delete d: only offsets remain, stored but invisible, on both
        a.hdel("d");
        exchange(false);
        assertThat(hash(a)).doesNotContainKey("d").isEqualTo(hash(b));
        assertThat(a.rows()).isEqualTo(b.rows()).containsKey("d");
    }

    @Test
    void aHashDeltaAppliedTwiceOrLateIsIdempotent() {
        a.hincrby("n", 2);
        a.hset("s", "v");
        a.hdel("s");
        List<ReplicaNode.Shipped> shipped = new ArrayList<>(a.replica.out);
        b.receiveFrom(a, false);
        Map<String, String> once = b.rows();
        for (ReplicaNode.Shipped d : shipped) {
            assertThat(b.replica.merge(d.key(), d.delta())).isFalse();
        }
        assertThat(b.rows()).isEqualTo(once).isEqualTo(a.rows());
        assertThat(hash(b)).isEqualTo(Map.of("n", "2"));
    }
}
