package io.hyperkv.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyperkv.crdt.OrMap;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ZSetStore#merge}, the entry point replication uses, between two real RocksDB stores on two
 * nodes: deltas made by local edits on one converge the other, concurrent writes resolve the same
 * way on both (last writer wins on the score, add wins over a concurrent remove), the loser's index
 * entry is removed, and merging a delta again changes nothing.
 */
class ZSetStoreMergeTest {

    private static final byte[] KEY = "z".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dirA;
    @TempDir
    Path dirB;

    final ManualTime time = new ManualTime();
    Engine engineA;
    Engine engineB;
    Keyspace a;
    Keyspace b;
    ZSetStore za;
    ZSetStore zb;

    @BeforeEach
    void open() {
        engineA = RocksDbEngine.open(EngineOptions.of(dirA, Fsync.NO));
        engineB = RocksDbEngine.open(EngineOptions.of(dirB, Fsync.NO));
        a = new Keyspace(engineA, new TestClock(time, 1), 16, time);
        b = new Keyspace(engineB, new TestClock(time, 2), 16, time);
        za = new ZSetStore(a);
        zb = new ZSetStore(b);
    }

    @AfterEach
    void close() {
        engineA.close();
        engineB.close();
    }

    private static OrMap put(ZSetStore z, String member, double score) {
        try (KeyLocks.Held ignored = z.keyspace().lock(0, KEY)) {
            ZSetStore.Edit e = z.edit(0, KEY, z.keyspace().read(0, KEY));
            e.put(member.getBytes(StandardCharsets.UTF_8), score);
            return e.commit();
        }
    }

    private static OrMap remove(ZSetStore z, String member) {
        try (KeyLocks.Held ignored = z.keyspace().lock(0, KEY)) {
            Metadata m = z.keyspace().read(0, KEY);
            if (m == null) {
                return null;
            }
            ZSetStore.Edit e = z.edit(0, KEY, m);
            e.remove(member.getBytes(StandardCharsets.UTF_8));
            return e.commit();
        }
    }

    private static List<String> contents(ZSetStore z) {
        Metadata m = z.keyspace().read(0, KEY);
        List<String> out = new ArrayList<>();
        if (m == null) {
            return out;
        }
        for (ZSetStore.Member x : z.all(0, KEY, m)) {
            out.add(x.toString());
        }
        // the invariant: index = rows, META counts them
        assertThat(new HashSet<>(z.all(0, KEY, m))).isEqualTo(new HashSet<>(z.rowEntries(0, KEY, m)));
        assertThat(out).hasSize((int) m.size());
        return out;
    }

    @Test
    void aDeltaAppliedToAnotherStoreReproducesTheWrite() {
        OrMap d1 = put(za, "x", 1);
        OrMap d2 = put(za, "y", 2.5);
        assertThat(zb.merge(0, KEY, d1)).isTrue();
        assertThat(zb.merge(0, KEY, d2)).isTrue();
        assertThat(contents(zb)).containsExactly("x=1.0", "y=2.5").isEqualTo(contents(za));
        assertThat(zb.state(0, KEY)).isEqualTo(za.state(0, KEY));
    }

    @Test
    void mergingADeltaAgainChangesNothing() {
        OrMap d1 = put(za, "x", 1);
        OrMap d2 = put(za, "x", 5);
        assertThat(zb.merge(0, KEY, d1)).isTrue();
        assertThat(zb.merge(0, KEY, d2)).isTrue();
        Metadata before = b.read(0, KEY);
        assertThat(zb.merge(0, KEY, d2)).isFalse();
        assertThat(zb.merge(0, KEY, d1)).isFalse();
        assertThat(b.read(0, KEY)).isEqualTo(before);
        assertThat(contents(zb)).containsExactly("x=5.0");
    }

    @Test
    void concurrentScoresResolveToTheLastWriterOnBothAndTheLoserLeavesTheIndex() {
        OrMap fromA = put(za, "m", 1);
        time.advance(5);
        OrMap fromB = put(zb, "m", 9); // later stamp: wins
        za.merge(0, KEY, fromB);
        zb.merge(0, KEY, fromA);
        assertThat(contents(za)).containsExactly("m=9.0");
        assertThat(contents(zb)).containsExactly("m=9.0");
        assertThat(za.state(0, KEY).store()).isEqualTo(zb.state(0, KEY).store());
    }

    @Test
    void aWriteMadeAfterMergingReplacesWhatItSawWhateverTheStamps() {
        for (int i = 0; i < 50; i++) {
            put(zb, "m", 9); // many stamps within one millisecond: B's logical clock runs ahead of A's
        }
        OrMap fromB = put(zb, "m", 9);
        za.merge(0, KEY, fromB);
        // A's write covers the contribution it saw, so it wins by causality, not by stamp order
        OrMap fromA = put(za, "m", 1);
        zb.merge(0, KEY, fromA);
        assertThat(contents(za)).containsExactly("m=1.0");
        assertThat(contents(zb)).containsExactly("m=1.0");
    }

    @Test
    void anAddConcurrentWithARemoveWins() {
        OrMap base = put(za, "m", 1);
        put(za, "keep", 0);
        zb.merge(0, KEY, base);
        OrMap removal = remove(za, "m");
        OrMap readd = put(zb, "m", 7);
        za.merge(0, KEY, readd);
        zb.merge(0, KEY, removal);
        assertThat(contents(za)).contains("m=7.0");
        assertThat(contents(zb)).containsExactly("m=7.0");
    }

    @Test
    void aRemovalWithoutEntriesIsFoundThroughTheRowsItCovers() {
        OrMap d1 = put(za, "x", 1);
        OrMap d2 = put(za, "y", 2);
        zb.merge(0, KEY, d1);
        zb.merge(0, KEY, d2);
        OrMap removal = remove(za, "x");
        assertThat(removal.store().isEmpty()).as("a ZREM delta names no member, only covered dots").isTrue();
        assertThat(zb.merge(0, KEY, removal)).isTrue();
        assertThat(contents(zb)).containsExactly("y=2.0");
    }

    /**
     * The known gap that issue 5's tombstones close: a sorted set emptied on A loses its META row and so
     * its causal context; a delta from B that covered an old dot of A then gives A a stale view of its
     * own counter, A mints a dot it already used, and B drops that new element as one it had seen
     * removed. Disabled until emptied collections keep their context (metadata format 2); it fails today.
     */
    @Test
    @org.junit.jupiter.api.Disabled("known gap: an emptied collection loses its causal context (needs issue 5's tombstones)")
    void aNodeThatEmptiedItsSetNeverReusesADot() {
        OrMap first = put(za, "a", 1);
        OrMap second = put(za, "a", 2);
        OrMap third = put(za, "a", 3);
        zb.merge(0, KEY, first);
        OrMap fromB = put(zb, "a", 9);
        OrMap emptied = remove(za, "a");
        za.merge(0, KEY, fromB);
        OrMap added = put(za, "c", 1);
        for (OrMap d : List.of(second, third, emptied, added)) {
            zb.merge(0, KEY, d);
        }
        assertThat(contents(zb)).isEqualTo(contents(za));
    }

    /**
     * Random concurrent edits on both nodes, each node's deltas delivered to the other in order at random times.
     * Member "keep" is never removed, so the set never empties: see {@link #aNodeThatEmptiedItsSetNeverReusesADot}.
     */
    @RepeatedTest(20)
    void randomConcurrentEditsConverge() {
        Random rnd = new Random();
        Deque<OrMap> toB = new ArrayDeque<>();
        Deque<OrMap> toA = new ArrayDeque<>();
        toB.add(put(za, "keep", 0));
        toA.add(put(zb, "keep", 0));
        String[] members = {"a", "b", "c", "d"};
        double[] scores = {-1, 0, 1, 2, 3.5, Double.POSITIVE_INFINITY};
        for (int step = 0; step < 120; step++) {
            time.advance(rnd.nextInt(3));
            int what = rnd.nextInt(6);
            boolean onA = rnd.nextBoolean();
            ZSetStore z = onA ? za : zb;
            Deque<OrMap> out = onA ? toB : toA;
            OrMap d = null;
            if (what < 3) {
                d = put(z, members[rnd.nextInt(members.length)], scores[rnd.nextInt(scores.length)]);
            } else if (what == 3) {
                d = remove(z, members[rnd.nextInt(members.length)]);
            } else if (what == 4 && !toB.isEmpty()) {
                zb.merge(0, KEY, toB.poll());
            } else if (!toA.isEmpty()) {
                za.merge(0, KEY, toA.poll());
            }
            if (d != null) {
                out.add(d);
            }
            contents(za);
            contents(zb);
        }
        while (!toB.isEmpty()) {
            zb.merge(0, KEY, toB.poll());
        }
        while (!toA.isEmpty()) {
            za.merge(0, KEY, toA.poll());
        }
        assertThat(contents(za)).isEqualTo(contents(zb));
        assertThat(za.state(0, KEY).store()).isEqualTo(zb.state(0, KEY).store());
    }
}
