package io.hyperkv.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hyperkv.crdt.Bytes;
import io.hyperkv.crdt.Stamp;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * FLUSHDB/FLUSHALL in cluster mode: the flushing replica takes a cut, persists it, and drops every later merge of
 * state at or below it; a replica that applies the cut removes its keys at or below it and keeps newer ones; the
 * replicas end with equal digests. Real RocksDB directories, deltas through the wire codec.
 */
class FlushCutTest {

    @TempDir
    Path dir;

    private final ManualTime time = new ManualTime();
    private final List<ReplicaNode> open = new ArrayList<>();
    private ReplicaNode a;
    private ReplicaNode b;

    @BeforeEach
    void start() {
        a = node("a", 1);
        b = node("b", 2);
    }

    @AfterEach
    void stop() {
        open.forEach(ReplicaNode::close);
    }

    private ReplicaNode node(String name, long id) {
        ReplicaNode n = new ReplicaNode(dir.resolve(name), time, id);
        open.add(n);
        return n;
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** One key of every kind on {@code n}, db 0: a string, a counter, a set, a hash, a list. */
    private static void writeEveryType(ReplicaNode n, String prefix) {
        n.ks.setString(0, b(prefix + "str"), b("v"), Encoding.RAW, 0);
        n.ks.increment(0, b(prefix + "ctr"), n.ks.read(0, b(prefix + "ctr")), 5, 5);
        byte[] set = b(prefix + "set");
        try (KeyLocks.Held ignored = n.ks.lock(0, set)) {
            n.sets.add(0, set, n.ks.read(0, set), List.of(b("m1"), b("m2")));
        }
        byte[] hash = b(prefix + "hash");
        try (KeyLocks.Held ignored = n.ks.lock(0, hash)) {
            n.hashes.put(0, hash, n.ks.read(0, hash), Map.of(Bytes.of(b("f")), Bytes.of(b("x"))), 1);
        }
        n.lists.push(0, b(prefix + "list"), List.of(b("e1"), b("e2")), false, false);
    }

    private static void deliver(List<ReplicaNode.Shipped> deltas, ReplicaNode to) {
        for (ReplicaNode.Shipped s : deltas) {
            to.ks.merge(0, s.key(), s.delta());
        }
    }

    @Test
    void flushAllDropsEveryLaterMergeOfOlderState() {
        writeEveryType(b, "");
        List<ReplicaNode.Shipped> old = b.drain();
        deliver(old, a);
        assertThat(a.ks.size(0)).isEqualTo(5);

        time.advance(5);
        a.ks.flushAll();

        Stamp cut = a.ks.cut(0);
        assertThat(cut).isNotNull();
        assertThat(a.ks.cut(15)).isEqualTo(cut);
        assertThat(a.ks.size(0)).isZero();
        // the same deltas again (a retry, a hint, a stale replica's anti-entropy) change nothing
        for (ReplicaNode.Shipped s : old) {
            assertThat(a.ks.merge(0, s.key(), s.delta())).as("merge of %s", new String(s.key())).isFalse();
        }
        for (ReplicaNode.Shipped s : old) {
            KeyDelta full = b.ks.capture(0, s.key());
            assertThat(a.ks.merge(0, s.key(), full)).isFalse();
        }
        assertThat(a.ks.size(0)).isZero();
        assertThat(a.ks.digest()).isEqualTo(new byte[20]);
    }

    @Test
    void aReplicaApplyingTheCutKeepsOnlyWhatIsNewerThanIt() {
        writeEveryType(b, "old-");
        deliver(b.drain(), a);
        time.advance(5);
        a.ks.flushAll();
        Stamp cut = a.ks.cut(0);
        // b writes after the cut before it hears of it: its clock is past the cut, so this write survives
        time.advance(5);
        writeEveryType(b, "new-");
        List<ReplicaNode.Shipped> fresh = b.drain();

        assertThat(b.ks.applyCut(new FlushCut(0, 16, cut))).isTrue();

        assertThat(b.ks.size(0)).isEqualTo(5);
        assertThat(b.ks.keys(0, null)).allMatch(k -> new String(k, StandardCharsets.UTF_8).startsWith("new-"));
        // the old collections' element rows went with their keys
        assertThat(b.ks.capture(0, b("old-set"))).isNull();
        assertThat(b.rows(b("new-set"))).hasSize(2);
        deliver(fresh, a);
        assertThat(a.ks.size(0)).isEqualTo(5);
        assertThat(a.ks.digest()).isEqualTo(b.ks.digest());
        // a second delivery of the same cut, or an older one, is a no-op
        assertThat(b.ks.applyCut(new FlushCut(0, 16, cut))).isFalse();
        assertThat(b.ks.applyCut(new FlushCut(0, 16, new Stamp(cut.time() - 1, cut.node())))).isFalse();
        assertThat(b.ks.size(0)).isEqualTo(5);
        // and a write after the cut on b is stamped above it (its clock observed the cut)
        b.ks.setString(0, b("later"), b("v"), Encoding.RAW, 0);
        assertThat(b.ks.readStored(0, b("later")).stamp().after(cut)).isTrue();
    }

    @Test
    void aReplicaWithNothingNewerLosesTheWholeDatabaseAndMatchesTheFlusher() {
        writeEveryType(b, "");
        deliver(b.drain(), a);
        b.ks.delete(0, b("str")); // a tombstone goes too
        deliver(b.drain(), a);
        assertThat(b.ks.tombstoneCount(0)).isEqualTo(1);
        time.advance(1);
        a.ks.flushAll();

        assertThat(b.ks.applyCut(new FlushCut(0, 16, a.ks.cut(0)))).isTrue();

        assertThat(b.ks.size(0)).isZero();
        assertThat(b.ks.tombstoneCount(0)).isZero();
        assertThat(b.ks.keys(0, null)).isEmpty();
        assertThat(b.ks.digest()).isEqualTo(a.ks.digest()).isEqualTo(new byte[20]);
    }

    @Test
    void flushDbCutsOnlyItsDatabase() {
        a.ks.setString(0, b("k0"), b("v"), Encoding.RAW, 0);
        a.ks.setString(3, b("k3"), b("v"), Encoding.RAW, 0);
        List<ReplicaNode.Shipped> shipped = a.drain();
        KeyDelta db3Write = shipped.get(1).delta();
        time.advance(1);
        a.ks.flush(3);

        assertThat(a.ks.cut(3)).isNotNull();
        assertThat(a.ks.cut(0)).isNull();
        assertThat(a.ks.size(0)).isEqualTo(1);
        assertThat(a.ks.size(3)).isZero();
        assertThat(a.ks.merge(3, b("k3"), db3Write)).isFalse();
        assertThat(a.ks.merge(0, b("k3"), db3Write)).isTrue(); // db 0 has no cut
    }

    @Test
    void cutsSurviveAReopenAndKeepDroppingOlderState() {
        b.ks.setString(0, b("k"), b("v"), Encoding.RAW, 0);
        KeyDelta old = b.last();
        a.ks.merge(0, b("k"), old);
        time.advance(1);
        a.ks.flushAll();
        Stamp cut = a.ks.cut(0);
        a.close();
        open.remove(a);

        ReplicaNode reopened = node("a", 1);
        assertThat(reopened.ks.cut(0)).isEqualTo(cut);
        assertThat(reopened.ks.cut(15)).isEqualTo(cut);
        assertThat(reopened.ks.merge(0, b("k"), old)).isFalse();
        assertThat(reopened.ks.size(0)).isZero();
        // a cut received after the restart is persisted as well
        time.advance(1);
        Stamp later = new Stamp(Stamp.pack(time.getAsLong(), 0), 2);
        assertThat(reopened.ks.applyCut(new FlushCut(2, 3, later))).isTrue();
        reopened.close();
        open.remove(reopened);
        ReplicaNode again = node("a", 1);
        assertThat(again.ks.cut(2)).isEqualTo(later);
        assertThat(again.ks.cut(0)).isEqualTo(cut);
    }

    @Test
    void aSingleNodeTakesNoCut() throws Exception {
        try (Engine engine = RocksDbEngine.open(EngineOptions.of(dir.resolve("single"), Fsync.NO))) {
            Keyspace single = new Keyspace(engine, new TestClock(time, 9), 16, time);
            single.setString(0, b("k"), b("v"), Encoding.RAW, 0);
            single.flushAll();
            assertThat(single.cut(0)).isNull();
            assertThat(single.size(0)).isZero();
        }
    }

    @Test
    void theCutCodecRoundTripsAndRefusesGarbage() {
        FlushCut c = new FlushCut(2, 16, new Stamp(123456789L, 42));
        byte[] bytes = c.encode();
        assertThat(FlushCut.is(bytes)).isTrue();
        assertThat(FlushCut.is(KeyDelta.of(Metadata.string(b("v"), Encoding.RAW, 1, new Stamp(1, 1), 0, null)).encode()))
                .isFalse();
        assertThat(FlushCut.decode(bytes)).isEqualTo(c);
        Metadata withExpiry = Metadata.string(b("v"), Encoding.RAW, 7, new Stamp(99, 5), 1234, new Stamp(100, 6));
        assertThat(Metadata.stampOf(withExpiry.encode())).as("the stamp a cut is compared with").isEqualTo(new Stamp(99, 5));
        assertThatThrownBy(() -> FlushCut.decode(java.util.Arrays.copyOf(bytes, 5))).isInstanceOf(StoreException.class);
        bytes[2] = 1; // toDb below fromDb
        assertThatThrownBy(() -> FlushCut.decode(bytes)).isInstanceOf(StoreException.class);
    }
}
