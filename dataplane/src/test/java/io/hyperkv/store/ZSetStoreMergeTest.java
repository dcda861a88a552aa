package io.hyperkv.store;

import static org.assertj.core.api.Assertions.assertThat;

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
 * The sorted-set {@link CollectionReplica}, as replication uses it, between two real RocksDB stores on two
 * nodes: the {@link KeyDelta}s local edits commit on one converge the other, concurrent writes resolve the same
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
    ReplicaNode a;
    ReplicaNode b;
    ZSetStore za;
    ZSetStore zb;

    @BeforeEach
    void open() {
        a = new ReplicaNode(dirA, time, 1);
        b = new ReplicaNode(dirB, time, 2);
        za = a.zsets;
        zb = b.zsets;
    }

    @AfterEach
    void close() {
        a.close();
        b.close();
    }

    /** ZADD; the delta it committed, null if it changed nothing. */
    private static KeyDelta put(ReplicaNode n, String member, double score) {
        try (KeyLocks.Held ignored = n.ks.lock(0, KEY)) {
            n.out.clear();
            ZSetStore.Edit e = n.zsets.edit(0, KEY, n.live(KEY));
            e.put(member.getBytes(StandardCharsets.UTF_8), score);
            e.commit();
            return n.out.isEmpty() ? null : n.last();
        }
    }

    /** ZREM; the delta it committed, null if it changed nothing. */
    private static KeyDelta remove(ReplicaNode n, String member) {
        try (KeyLocks.Held ignored = n.ks.lock(0, KEY)) {
            Metadata m = n.live(KEY);
            if (m == null) {
                return null;
            }
            n.out.clear();
            ZSetStore.Edit e = n.zsets.edit(0, KEY, m);
            e.remove(member.getBytes(StandardCharsets.UTF_8));
            e.commit();
            return n.out.isEmpty() ? null : n.last();
        }
    }

    private List<String> contents(ZSetStore z) {
        ReplicaNode n = z == za ? a : b;
        Metadata m = n.live(KEY);
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
        assertThat(m.elementsHash()).as("META's element hash is the XOR over the rows").isEqualTo(n.recomputedHash(KEY));
        return out;
    }

    @Test
    void aDeltaAppliedToAnotherStoreReproducesTheWrite() {
        KeyDelta d1 = put(a, "x", 1);
        KeyDelta d2 = put(a, "y", 2.5);
        assertThat(b.merge(KEY, d1)).isTrue();
        assertThat(b.merge(KEY, d2)).isTrue();
        assertThat(contents(zb)).containsExactly("x=1.0", "y=2.5").isEqualTo(contents(za));
        assertThat(zb.state(0, KEY)).isEqualTo(za.state(0, KEY));
    }

    @Test
    void mergingADeltaAgainChangesNothing() {
        KeyDelta d1 = put(a, "x", 1);
        KeyDelta d2 = put(a, "x", 5);
        assertThat(b.merge(KEY, d1)).isTrue();
        assertThat(b.merge(KEY, d2)).isTrue();
        Metadata before = b.live(KEY);
        assertThat(b.merge(KEY, d2)).isFalse();
        assertThat(b.merge(KEY, d1)).isFalse();
        assertThat(b.live(KEY)).isEqualTo(before);
        assertThat(contents(zb)).containsExactly("x=5.0");
    }

    @Test
    void concurrentScoresResolveToTheLastWriterOnBothAndTheLoserLeavesTheIndex() {
        KeyDelta fromA = put(a, "m", 1);
        time.advance(5);
        KeyDelta fromB = put(b, "m", 9); // later stamp: wins
        a.merge(KEY, fromB);
        b.merge(KEY, fromA);
        assertThat(contents(za)).containsExactly("m=9.0");
        assertThat(contents(zb)).containsExactly("m=9.0");
        assertThat(za.state(0, KEY).store()).isEqualTo(zb.state(0, KEY).store());
    }

    @Test
    void aWriteMadeAfterMergingReplacesWhatItSawWhateverTheStamps() {
        for (int i = 0; i < 50; i++) {
            put(b, "m", 9); // many stamps within one millisecond: B's logical clock runs ahead of A's
        }
        KeyDelta fromB = put(b, "m", 9);
        a.merge(KEY, fromB);
        // A's write covers the contribution it saw, so it wins by causality, not by stamp order
        KeyDelta fromA = put(a, "m", 1);
        b.merge(KEY, fromA);
        assertThat(contents(za)).containsExactly("m=1.0");
        assertThat(contents(zb)).containsExactly("m=1.0");
    }

    @Test
    void anAddConcurrentWithARemoveWins() {
        KeyDelta base = put(a, "m", 1);
        put(a, "keep", 0);
        b.merge(KEY, base);
        KeyDelta removal = remove(a, "m");
        KeyDelta readd = put(b, "m", 7);
        a.merge(KEY, readd);
        b.merge(KEY, removal);
        assertThat(contents(za)).contains("m=7.0");
        assertThat(contents(zb)).containsExactly("m=7.0");
    }

    @Test
    void aRemovalWithoutEntriesIsFoundThroughTheRowsItCovers() {
        KeyDelta d1 = put(a, "x", 1);
        KeyDelta d2 = put(a, "y", 2);
        b.merge(KEY, d1);
        b.merge(KEY, d2);
        KeyDelta removal = remove(a, "x");
        assertThat(removal.elements()).as("a ZREM delta names the member it removed, with no row")
                .containsExactly(new KeyDelta.Element("x".getBytes(StandardCharsets.UTF_8), null));
        assertThat(b.merge(KEY, removal)).isTrue();
        assertThat(contents(zb)).containsExactly("y=2.0");
    }

    /**
     * The gap tombstones close: a sorted set emptied on A used to lose its META row and so its causal
     * context; a delta from B that covered an old dot of A then gave A a stale view of its own counter,
     * A minted a dot it had already used, and B dropped that new element as one it had seen removed.
     * Now the emptied set leaves a tombstone with its context and the next write continues it.
     */
    @Test
    void aNodeThatEmptiedItsSetNeverReusesADot() {
        KeyDelta first = put(a, "a", 1);
        KeyDelta second = put(a, "a", 2);
        KeyDelta third = put(a, "a", 3);
        b.merge(KEY, first);
        KeyDelta fromB = put(b, "a", 9);
        KeyDelta emptied = remove(a, "a");
        a.merge(KEY, fromB);
        KeyDelta added = put(a, "c", 1);
        for (KeyDelta d : List.of(second, third, emptied, added)) {
            b.merge(KEY, d);
        }
        assertThat(contents(zb)).isEqualTo(contents(za));
    }

    /**
     * Random concurrent edits on both nodes, each node's deltas delivered to the other in order at random times;
     * the set empties now and then (a tombstone) and is created again over it.
     */
    @RepeatedTest(20)
    void randomConcurrentEditsConverge() {
        Random rnd = new Random();
        Deque<KeyDelta> toB = new ArrayDeque<>();
        Deque<KeyDelta> toA = new ArrayDeque<>();
        String[] members = {"a", "b", "c", "d"};
        double[] scores = {-1, 0, 1, 2, 3.5, Double.POSITIVE_INFINITY};
        for (int step = 0; step < 120; step++) {
            time.advance(rnd.nextInt(3));
            int what = rnd.nextInt(6);
            boolean onA = rnd.nextBoolean();
            ReplicaNode z = onA ? a : b;
            Deque<KeyDelta> out = onA ? toB : toA;
            KeyDelta d = null;
            if (what < 3) {
                d = put(z, members[rnd.nextInt(members.length)], scores[rnd.nextInt(scores.length)]);
            } else if (what == 3) {
                d = remove(z, members[rnd.nextInt(members.length)]);
            } else if (what == 4 && !toB.isEmpty()) {
                b.merge(KEY, toB.poll());
            } else if (!toA.isEmpty()) {
                a.merge(KEY, toA.poll());
            }
            if (d != null) {
                out.add(d);
            }
            contents(za);
            contents(zb);
        }
        while (!toB.isEmpty()) {
            b.merge(KEY, toB.poll());
        }
        while (!toA.isEmpty()) {
            a.merge(KEY, toA.poll());
        }
        assertThat(contents(za)).isEqualTo(contents(zb));
        assertThat(za.state(0, KEY).store()).isEqualTo(zb.state(0, KEY).store());
    }
}
