package io.hyperkv.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyperkv.crdt.Bytes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Hashes, sets, sorted sets and lists replicate through the {@link KeyDelta}s their writes commit: three replicas,
 * each a {@link Keyspace} on its own RocksDB directory, write concurrently; every delta is delivered to the other two
 * in random order, some twice, through the wire codec and {@link Keyspace#merge}. They converge: the same visible
 * contents (HGETALL, SMEMBERS, ZRANGE WITHSCORES, LRANGE), the same element rows and {@code elementsHash} (equal to
 * the XOR over the rows), the same {@link Keyspace#digest()}; a replica that only ever receives another's full state
 * ({@link Keyspace#capture}, as anti-entropy ships it) ends equal to those that merged the deltas. Add wins over a
 * concurrent remove, a DEL removes what it saw but not a concurrent add, and a replica that emptied a collection never
 * reuses a dot.
 */
class CollectionReplicationTest {

    private static final byte[] KEY = "k".getBytes(StandardCharsets.UTF_8);
    private static final byte[] OTHER = "o".getBytes(StandardCharsets.UTF_8);
    private static final String[] NAMES = {"a", "b", "c", "d", "e"};

    @TempDir
    Path dir;

    private final ManualTime time = new ManualTime();
    private final List<ReplicaNode> nodes = new ArrayList<>();

    @BeforeEach
    void open() {
        reopen("start");
    }

    /** Four fresh replicas, each on its own RocksDB directory under {@code name}. */
    private void reopen(String name) {
        close();
        for (int i = 1; i <= 4; i++) {
            nodes.add(new ReplicaNode(dir.resolve(name + "-n" + i), time, i));
        }
    }

    @AfterEach
    void close() {
        nodes.forEach(ReplicaNode::close);
        nodes.clear();
    }

    private ReplicaNode node(int i) {
        return nodes.get(i);
    }

    // ------------------------------------------------------------------ the commands, per type

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String s(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    /** One random write of {@code type} on {@code n} (key KEY, sometimes OTHER as a *STORE source or destination). */
    private static void randomWrite(ValueType type, ReplicaNode n, Random r) {
        String name = NAMES[r.nextInt(NAMES.length)];
        int what = r.nextInt(10);
        if (what == 9 && r.nextInt(3) == 0) {
            n.del(KEY);
            return;
        }
        try (KeyLocks.Held ignored = n.ks.lock(0, KEY, OTHER)) {
            Metadata live = n.live(KEY);
            switch (type) {
                case HASH -> {
                    if (what < 4) {
                        n.hashes.put(0, KEY, live, Map.of(Bytes.of(name), Bytes.of("v" + r.nextInt(100))), 1);
                    } else if (what < 6) {
                        n.hashes.increment(0, KEY, live, b(name + "#"), r.nextInt(10) - 3);
                    } else {
                        n.hashes.delete(0, KEY, live, List.of(b(name), b(name + "#")));
                    }
                }
                case SET -> {
                    if (what < 4) {
                        n.sets.add(0, KEY, live, List.of(b(name), b(NAMES[r.nextInt(NAMES.length)])));
                    } else if (what < 7) {
                        n.sets.remove(0, KEY, live, List.of(b(name)));
                    } else if (what < 8) {
                        n.sets.pop(0, KEY, live);
                    } else {
                        // SUNIONSTORE k k o: a new version holding the union
                        List<byte[]> union = new ArrayList<>(live == null ? List.of() : n.sets.members(0, KEY, live));
                        Metadata other = n.live(OTHER);
                        if (other != null) {
                            union.addAll(n.sets.members(0, OTHER, other));
                        }
                        union.add(b(name));
                        n.sets.replace(0, KEY, n.ks.readStored(0, KEY), union);
                    }
                }
                case ZSET -> {
                    if (what < 8) {
                        ZSetStore.Edit e = n.zsets.edit(0, KEY, live);
                        if (what < 4) {
                            e.put(b(name), r.nextInt(7) - 2);
                        } else if (what < 6) {
                            Double old = e.score(b(name));
                            e.put(b(name), (old == null ? 0 : old) + 1.5);
                        } else {
                            e.remove(b(name));
                        }
                        e.commit();
                    } else {
                        // ZRANGESTORE-like: a new version with the members scored by rank
                        List<ZSetStore.Member> all = live == null ? List.of() : n.zsets.all(0, KEY, live);
                        List<ZSetStore.Member> kept = new ArrayList<>();
                        for (int i = 0; i < all.size(); i += 2) {
                            kept.add(new ZSetStore.Member(all.get(i).member(), i));
                        }
                        try (Keyspace.Changes changes = n.ks.changes()) {
                            n.zsets.replace(changes, 0, KEY, n.ks.readStored(0, KEY), kept);
                            changes.commit();
                        }
                    }
                }
                case LIST -> {
                    switch (what) {
                        case 0, 1, 2 -> n.lists.push(0, KEY, List.of(b(name + r.nextInt(9))), r.nextBoolean(), false);
                        case 3, 4 -> n.lists.pop(0, KEY, 1 + r.nextInt(2), r.nextBoolean());
                        case 5 -> n.lists.set(0, KEY, r.nextInt(3), b("s" + name));
                        case 6 -> {
                            List<byte[]> all = n.lists.range(0, KEY, 0, -1);
                            if (!all.isEmpty()) {
                                n.lists.insert(0, KEY, r.nextBoolean(), all.get(r.nextInt(all.size())), b("i" + name));
                            }
                        }
                        case 7 -> n.lists.trim(0, KEY, r.nextInt(2), -1 - r.nextInt(2));
                        default -> {
                            List<byte[]> all = n.lists.range(0, KEY, 0, -1);
                            if (!all.isEmpty()) {
                                n.lists.remove(0, KEY, r.nextInt(3) - 1, all.get(r.nextInt(all.size())));
                            }
                        }
                    }
                }
                default -> throw new IllegalArgumentException(type.toString());
            }
        }
    }

    /** What a client reads of {@code key}: HGETALL, SMEMBERS, ZRANGE 0 -1 WITHSCORES or LRANGE 0 -1. */
    private static List<String> contents(ValueType type, ReplicaNode n, byte[] key) {
        List<String> out = new ArrayList<>();
        if (type == ValueType.LIST) {
            n.lists.range(0, key, 0, -1).forEach(v -> out.add(s(v)));
            return out;
        }
        Metadata m = n.live(key);
        if (m == null) {
            return out;
        }
        switch (type) {
            case HASH -> n.hashes.all(0, key, m).forEach(f -> out.add(s(f.field()) + "=" + s(f.value())));
            case SET -> n.sets.members(0, key, m).forEach(v -> out.add(s(v)));
            case ZSET -> n.zsets.all(0, key, m).forEach(x -> out.add(x.toString()));
            default -> throw new IllegalArgumentException(type.toString());
        }
        assertThat(out).as("the size META counts").hasSize((int) m.size());
        return out;
    }

    /** The replicated state of {@code n}: contents, rows, element hash (checked against the rows) and digest. */
    private static Map<String, Object> state(ValueType type, ReplicaNode n) {
        Map<String, Object> out = new TreeMap<>();
        out.put("contents", contents(type, n, KEY));
        out.put("rows", n.rows(KEY));
        Metadata m = n.live(KEY);
        long hash = m == null ? 0 : m.elementsHash();
        assertThat(hash).as("META's element hash is the XOR over its rows").isEqualTo(n.recomputedHash(KEY));
        out.put("elementsHash", hash);
        out.put("digest", java.util.HexFormat.of().formatHex(n.ks.digest()));
        return out;
    }

    // ------------------------------------------------------------------ convergence

    /** A delta in flight to one replica. */
    private record InFlight(int to, ReplicaNode.Shipped shipped) {}

    @ParameterizedTest
    @EnumSource(value = ValueType.class, names = {"HASH", "SET", "ZSET", "LIST"})
    void randomConcurrentWritesConvergeWhateverTheDeliveryOrder(ValueType type) {
        for (int seed = 0; seed < 12; seed++) {
            Random r = new Random(seed * 31L + type.ordinal());
            reopen("seed" + seed);
            List<InFlight> flight = new ArrayList<>();
            for (int step = 0; step < 80; step++) {
                time.advance(r.nextInt(3));
                if (r.nextInt(3) > 0 || flight.isEmpty()) {
                    randomWrite(type, node(r.nextInt(3)), r);
                } else {
                    // deliver one delta picked at random (no per-origin order), sometimes leaving a duplicate behind
                    InFlight f = r.nextInt(5) == 0 ? flight.get(r.nextInt(flight.size())) : flight.remove(r.nextInt(flight.size()));
                    node(f.to()).merge(f.shipped().key(), f.shipped().delta());
                }
                ship(flight);
                for (int i = 0; i < 3; i++) {
                    state(type, node(i));
                }
            }
            Collections.shuffle(flight, r);
            for (InFlight f : flight) {
                node(f.to()).merge(f.shipped().key(), f.shipped().delta());
                ship(flight.subList(0, 0));
            }
            Map<String, Object> expected = state(type, node(0));
            assertThat(state(type, node(1))).as("%s seed %d", type, seed).isEqualTo(expected);
            assertThat(state(type, node(2))).as("%s seed %d", type, seed).isEqualTo(expected);

            // a replica that only ever gets full states (anti-entropy) ends in the same state
            for (int i = 2; i >= 0; i--) {
                KeyDelta full = node(i).capture(KEY);
                if (full != null) {
                    node(3).merge(KEY, KeyDelta.decode(full.encode()));
                }
            }
            node(3).drain();
            assertThat(state(type, node(3))).as("%s seed %d: full-state merge", type, seed).isEqualTo(expected);
            KeyDelta again = node(0).capture(KEY);
            if (again != null) {
                assertThat(node(3).merge(KEY, again)).as("a full state merged again changes nothing").isFalse();
            }
        }
    }

    /** Queues what every replica committed since the last call for the other two (merges commit nothing). */
    private void ship(List<InFlight> flight) {
        for (int from = 0; from < 3; from++) {
            for (ReplicaNode.Shipped d : node(from).drain()) {
                for (int to = 0; to < 3; to++) {
                    if (to != from) {
                        flight.add(new InFlight(to, d));
                    }
                }
            }
        }
    }

    /** Delivers everything each of the first three replicas committed to the other two, in commit order. */
    private void exchange() {
        List<InFlight> flight = new ArrayList<>();
        ship(flight);
        for (InFlight f : flight) {
            node(f.to()).merge(f.shipped().key(), f.shipped().delta());
        }
        assertThat(nodes.subList(0, 3)).allSatisfy(n -> assertThat(n.out).as("merges ship nothing").isEmpty());
    }

    // ------------------------------------------------------------------ semantics

    @Test
    void anAddWinsOverAConcurrentRemoveInEveryType() {
        ReplicaNode a = node(0);
        ReplicaNode c = node(1);
        try (KeyLocks.Held ignored = a.ks.lock(0, KEY)) {
            a.sets.add(0, KEY, null, List.of(b("m"), b("keep")));
        }
        exchange();
        try (KeyLocks.Held ignored = a.ks.lock(0, KEY)) {
            a.sets.remove(0, KEY, a.live(KEY), List.of(b("m")));
        }
        try (KeyLocks.Held ignored = c.ks.lock(0, KEY)) {
            // SREM then SADD on c: the re-add is under a new dot, which a's concurrent SREM never saw
            c.sets.remove(0, KEY, c.live(KEY), List.of(b("m")));
            c.sets.add(0, KEY, c.live(KEY), List.of(b("m")));
        }
        exchange();
        assertThat(contents(ValueType.SET, a, KEY)).containsExactly("keep", "m").isEqualTo(contents(ValueType.SET, c, KEY));

        try (KeyLocks.Held ignored = a.ks.lock(0, OTHER)) {
            a.hashes.put(0, OTHER, null, Map.of(Bytes.of("f"), Bytes.of("1")), 1);
        }
        exchange();
        try (KeyLocks.Held ignored = a.ks.lock(0, OTHER)) {
            a.hashes.delete(0, OTHER, a.live(OTHER), List.of(b("f")));
        }
        try (KeyLocks.Held ignored = c.ks.lock(0, OTHER)) {
            c.hashes.put(0, OTHER, c.live(OTHER), Map.of(Bytes.of("f"), Bytes.of("2")), 1);
        }
        exchange();
        assertThat(contents(ValueType.HASH, a, OTHER)).containsExactly("f=2").isEqualTo(contents(ValueType.HASH, c, OTHER));
    }

    /**
     * Add-wins also when the add finds the member present: SADD x on A (x already there) while B SREMs x concurrently
     * leaves x on both, because a replicating SADD re-adds a present member under a fresh dot B's removal never saw.
     * Sorted sets likewise: a replicating edit re-puts a present member (ZADD with its current score) under a fresh dot.
     */
    @Test
    void aReAddOfAPresentMemberWinsOverAConcurrentRemove() {
        ReplicaNode a = node(0);
        ReplicaNode c = node(1);
        try (KeyLocks.Held ignored = a.ks.lock(0, KEY)) {
            a.sets.add(0, KEY, null, List.of(b("x"), b("keep")));
        }
        exchange();
        try (KeyLocks.Held ignored = a.ks.lock(0, KEY)) {
            assertThat(a.sets.add(0, KEY, a.live(KEY), List.of(b("x")))).as("x was present: SADD counts 0").isZero();
        }
        assertThat(a.drain()).as("the re-add ships a delta").hasSize(1).allSatisfy(d -> a.out.add(d));
        try (KeyLocks.Held ignored = c.ks.lock(0, KEY)) {
            c.sets.remove(0, KEY, c.live(KEY), List.of(b("x")));
        }
        exchange();
        assertThat(contents(ValueType.SET, a, KEY)).containsExactly("keep", "x").isEqualTo(contents(ValueType.SET, c, KEY));
        assertThat(a.rows(KEY)).isEqualTo(c.rows(KEY));
        assertThat(a.live(KEY).size()).isEqualTo(2);

        try (KeyLocks.Held ignored = a.ks.lock(0, OTHER)) {
            ZSetStore.Edit e = a.zsets.edit(0, OTHER, null);
            e.put(b("x"), 1);
            e.commit();
        }
        exchange();
        try (KeyLocks.Held ignored = a.ks.lock(0, OTHER)) {
            ZSetStore.Edit e = a.zsets.edit(0, OTHER, a.live(OTHER));
            e.put(b("x"), e.score(b("x")));
            e.commit();
        }
        try (KeyLocks.Held ignored = c.ks.lock(0, OTHER)) {
            ZSetStore.Edit e = c.zsets.edit(0, OTHER, c.live(OTHER));
            e.remove(b("x"));
            e.commit();
        }
        exchange();
        assertThat(contents(ValueType.ZSET, a, OTHER)).hasSize(1).isEqualTo(contents(ValueType.ZSET, c, OTHER));
    }

    /**
     * SPOP and LPOP keep the rows they read ahead only while the collection's META is the one they wrote: a merge that
     * rewrites those rows in between (here a replica's re-add of every member, and its LSET) makes the next pop read
     * the rows again, so what it removes covers the merged dots and the replicas converge.
     */
    @Test
    void popsReadRowsAgainAfterAMergeRewroteThem() {
        ReplicaNode a = node(0);
        ReplicaNode c = node(1);
        List<byte[]> members = List.of(b("m1"), b("m2"), b("m3"), b("m4"), b("m5"), b("m6"));
        try (KeyLocks.Held ignored = a.ks.lock(0, KEY)) {
            a.sets.add(0, KEY, null, members);
        }
        a.lists.push(0, OTHER, List.of(b("w"), b("x"), b("y"), b("z")), false, false);
        exchange();
        try (KeyLocks.Held ignored = a.ks.lock(0, KEY)) {
            assertThat(a.sets.pop(0, KEY, a.live(KEY))).isNotNull();
        }
        assertThat(a.lists.pop(0, OTHER, 1, true).values()).extracting(CollectionReplicationTest::s).containsExactly("w");
        exchange();
        try (KeyLocks.Held ignored = c.ks.lock(0, KEY)) {
            // while replicating, SADD of present members re-adds them under fresh dots
            c.sets.add(0, KEY, c.live(KEY), members);
        }
        assertThat(c.lists.set(0, OTHER, 0, b("X"))).isEqualTo(ListStore.SetStatus.OK);
        exchange();
        for (int i = 0; i < 6; i++) {
            try (KeyLocks.Held ignored = a.ks.lock(0, KEY)) {
                a.sets.pop(0, KEY, a.live(KEY));
            }
        }
        assertThat(a.lists.pop(0, OTHER, 1, true).values()).extracting(CollectionReplicationTest::s).containsExactly("X");
        exchange();
        assertThat(contents(ValueType.SET, a, KEY)).isEqualTo(contents(ValueType.SET, c, KEY));
        assertThat(a.rows(KEY)).isEqualTo(c.rows(KEY));
        assertThat(contents(ValueType.LIST, a, OTHER)).containsExactly("y", "z").isEqualTo(contents(ValueType.LIST, c, OTHER));
        assertThat(a.rows(OTHER)).isEqualTo(c.rows(OTHER));
    }

    @Test
    void aListPushConcurrentWithPopsThatEmptyItSurvives() {
        ReplicaNode a = node(0);
        ReplicaNode c = node(1);
        a.lists.push(0, KEY, List.of(b("x"), b("y")), false, false);
        exchange();
        a.lists.pop(0, KEY, 2, true);
        c.lists.push(0, KEY, List.of(b("z")), false, false);
        exchange();
        assertThat(contents(ValueType.LIST, a, KEY)).containsExactly("z").isEqualTo(contents(ValueType.LIST, c, KEY));
        assertThat(a.rows(KEY)).isEqualTo(c.rows(KEY));
    }

    /**
     * COPY ... REPLACE and RENAME onto an existing set replace it the way replicas see: the old members go everywhere,
     * a member added concurrently to the destination on another replica survives, the source of a RENAME goes.
     */
    @Test
    void copyAndRenameReplaceTheDestinationOnEveryReplica() {
        ReplicaNode a = node(0);
        ReplicaNode c = node(1);
        byte[] src = b("src");
        try (KeyLocks.Held ignored = a.ks.lock(0, src, KEY)) {
            a.sets.add(0, src, null, List.of(b("a"), b("b")));
            a.sets.add(0, KEY, null, List.of(b("old")));
        }
        exchange();
        try (KeyLocks.Held ignored = a.ks.lock(0, src, KEY)) {
            a.ks.copy(0, src, a.live(src), 0, KEY);
        }
        try (KeyLocks.Held ignored = c.ks.lock(0, KEY)) {
            c.sets.add(0, KEY, c.live(KEY), List.of(b("new")));
        }
        exchange();
        assertThat(contents(ValueType.SET, a, KEY)).containsExactly("a", "b", "new").isEqualTo(contents(ValueType.SET, c, KEY));
        assertThat(a.rows(KEY)).isEqualTo(c.rows(KEY));
        assertThat(a.ks.digest()).isEqualTo(c.ks.digest());

        try (KeyLocks.Held ignored = c.ks.lock(0, src, KEY)) {
            c.ks.rename(0, src, c.live(src), KEY);
        }
        exchange();
        assertThat(contents(ValueType.SET, a, KEY)).containsExactly("a", "b").isEqualTo(contents(ValueType.SET, c, KEY));
        assertThat(a.live(src)).isNull();
        assertThat(a.ks.digest()).isEqualTo(c.ks.digest());
    }

    @ParameterizedTest
    @EnumSource(value = ValueType.class, names = {"HASH", "SET", "ZSET", "LIST"})
    void aDelRemovesWhatItSawButNotAConcurrentAdd(ValueType type) {
        ReplicaNode a = node(0);
        ReplicaNode c = node(1);
        add(type, a, "seen");
        exchange();
        a.del(KEY);
        add(type, c, "concurrent");
        exchange();
        assertThat(contents(type, a, KEY)).hasSize(1).isEqualTo(contents(type, c, KEY));
        assertThat(contents(type, a, KEY).get(0)).contains("concurrent");
        assertThat(a.rows(KEY)).isEqualTo(c.rows(KEY));
        assertThat(a.ks.digest()).isEqualTo(c.ks.digest());

        // and a DEL that saw everything leaves nothing anywhere, even delivered twice or before what it removed
        add(type, c, "late");
        List<ReplicaNode.Shipped> add = c.drain();
        node(2).merge(KEY, add.get(0).delta());
        node(2).del(KEY);
        List<ReplicaNode.Shipped> del = node(2).drain();
        for (ReplicaNode n : List.of(a, a)) {
            n.merge(KEY, del.get(0).delta());
        }
        a.merge(KEY, add.get(0).delta());
        c.merge(KEY, del.get(0).delta());
        assertThat(contents(type, a, KEY)).isEmpty();
        assertThat(contents(type, c, KEY)).isEmpty();
        assertThat(a.live(KEY)).isNull();
    }

    static void add(ValueType type, ReplicaNode n, String name) {
        try (KeyLocks.Held ignored = n.ks.lock(0, KEY)) {
            Metadata live = n.live(KEY);
            switch (type) {
                case HASH -> n.hashes.put(0, KEY, live, Map.of(Bytes.of(name), Bytes.of("v")), 1);
                case SET -> n.sets.add(0, KEY, live, List.of(b(name)));
                case ZSET -> {
                    ZSetStore.Edit e = n.zsets.edit(0, KEY, live);
                    e.put(b(name), 1);
                    e.commit();
                }
                case LIST -> n.lists.push(0, KEY, List.of(b(name)), true, false);
                default -> throw new IllegalArgumentException(type.toString());
            }
        }
    }

    /**
     * The dot-reuse gap of emptied collections, for sets and hashes (sorted sets: {@code ZSetStoreMergeTest}): A
     * empties the key, merges a delta from B that covers one of A's old dots, and writes again; the element it adds
     * must get a dot B has never seen, or B drops it as seen and removed.
     */
    @ParameterizedTest
    @EnumSource(value = ValueType.class, names = {"HASH", "SET"})
    void aNodeThatEmptiedItsCollectionNeverReusesADot(ValueType type) {
        ReplicaNode a = node(0);
        ReplicaNode c = node(1);
        write(type, a, "a", "1");
        KeyDelta first = a.drain().get(0).delta();
        write(type, a, "a", "2");
        write(type, a, "a", "3");
        List<ReplicaNode.Shipped> later = a.drain();
        c.merge(KEY, first);
        write(type, c, "a", "9");
        List<ReplicaNode.Shipped> fromC = c.drain();
        remove(type, a, "a");
        later.addAll(a.drain());
        assertThat(a.live(KEY)).isNull();
        for (ReplicaNode.Shipped d : fromC) {
            a.merge(KEY, d.delta());
        }
        write(type, a, "c", "1");
        later.addAll(a.drain());
        for (ReplicaNode.Shipped d : later) {
            c.merge(KEY, d.delta());
        }
        assertThat(contents(type, c, KEY)).isEqualTo(contents(type, a, KEY)).hasSize(2);
    }

    private static void write(ValueType type, ReplicaNode n, String name, String value) {
        try (KeyLocks.Held ignored = n.ks.lock(0, KEY)) {
            if (type == ValueType.SET) {
                // a set member has no value: remove and re-add, so each write mints a dot
                n.sets.remove(0, KEY, n.live(KEY), List.of(b(name)));
                n.sets.add(0, KEY, n.live(KEY), List.of(b(name)));
            } else {
                n.hashes.put(0, KEY, n.live(KEY), Map.of(Bytes.of(name), Bytes.of(value)), 1);
            }
        }
    }

    private static void remove(ValueType type, ReplicaNode n, String name) {
        try (KeyLocks.Held ignored = n.ks.lock(0, KEY)) {
            if (type == ValueType.SET) {
                n.sets.remove(0, KEY, n.live(KEY), List.of(b(name)));
            } else {
                n.hashes.delete(0, KEY, n.live(KEY), List.of(b(name)));
            }
        }
    }
}
