package io.hyperkv.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A big collection's whole state shipped in parts ({@link KeyDelta.Part}, {@link Keyspace#capturePart}) between real
 * keyspaces on RocksDB: the parts together merge to exactly what the whole state merges to, a part removes nothing
 * outside its range, and the receiver's context never claims dots of rows it has not received yet.
 */
class KeyPartsTest {

    private static final byte[] KEY = "big".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;

    private final ManualTime time = new ManualTime();
    private final List<ReplicaNode> nodes = new ArrayList<>();

    private ReplicaNode a;
    private ReplicaNode b;
    private ReplicaNode c;

    @BeforeEach
    void open() {
        a = node(1);
        b = node(2);
        c = node(3);
    }

    @AfterEach
    void close() {
        nodes.forEach(ReplicaNode::close);
    }

    private ReplicaNode node(long id) {
        ReplicaNode n = new ReplicaNode(dir.resolve("n" + id), time, id);
        nodes.add(n);
        return n;
    }

    @Test
    void aSetLargerThanAPartTravelsInPartsAndEndsEqualToTheWholeStateMerge() {
        sadd(a, range("m", 0, 3000));
        srem(a, "m0007", "m1500", "m2999");
        sadd(b, range("m", 2500, 3500));
        sadd(b, "b-only");
        time.advance(1);
        srem(b, "m3100");
        c.merge(KEY, b.capture(KEY)); // C is B's twin: it takes A's state whole, B takes it in parts

        int parts = transfer(a, b, 2048, true);
        c.merge(KEY, a.capture(KEY));

        assertThat(parts).isGreaterThan(10);
        assertThat(digest(b)).isEqualTo(digest(c));
        TreeSet<String> expected = new TreeSet<>(range("m", 0, 3500));
        expected.removeAll(List.of("m0007", "m1500", "m3100"));
        expected.add("b-only"); // m2999: A removed it, B's own add of it is concurrent and wins
        assertThat(members(b)).isEqualTo(expected);

        transfer(b, a, 2048, true);
        assertThat(digest(a)).isEqualTo(digest(b));
        assertThat(a.recomputedHash(KEY)).isEqualTo(a.live(KEY).elementsHash());
        assertThat(b.recomputedHash(KEY)).isEqualTo(b.live(KEY).elementsHash());
    }

    @Test
    void aPartRemovesOnlyInsideItsRangeAndTheLastPartJoinsTheContext() {
        sadd(a, range("m", 0, 1000));
        b.merge(KEY, a.capture(KEY));
        srem(a, "m0003", "m0900");
        KeyDelta first = a.ks.capturePart(0, KEY, null, 1024);
        assertThat(first.part()).isNotNull();
        assertThat(first.part().covers(bytes("m0003"))).isTrue();
        assertThat(first.part().covers(bytes("m0900"))).isFalse();

        b.merge(KEY, first);

        assertThat(members(b)).doesNotContain("m0003").contains("m0900");
        assertThat(digest(b)).isNotEqualTo(digest(a)); // the context has not joined yet
        KeyDelta part = first;
        while (!part.part().last()) {
            part = a.ks.capturePart(0, KEY, part.part().upTo(), 1024);
            b.merge(KEY, part.sharing(first));
        }
        assertThat(members(b)).doesNotContain("m0003", "m0900").hasSize(998);
        assertThat(digest(b)).isEqualTo(digest(a));
    }

    @Test
    void partsCaptureAtDifferentMomentsAndCarryTheFirstContextSoALaterAddIsNotLost() {
        transferWhileAnAddLandsInTheFirstRange(true);
        assertThat(members(b)).doesNotContain("m0000x");

        b.merge(KEY, a.capture(KEY));

        assertThat(members(b)).contains("m0000x").hasSize(1001);
        assertThat(digest(b)).isEqualTo(digest(a));
    }

    @Test
    void theSameTransferWithTheLastPartsOwnContextWouldLoseThatAdd() {
        // Why parts share the first context: the last part's context covers the add made after the first part was
        // captured, so a receiver joining it believes it saw that add and drops it when it arrives.
        transferWhileAnAddLandsInTheFirstRange(false);

        b.merge(KEY, a.capture(KEY));

        assertThat(members(b)).doesNotContain("m0000x");
    }

    /**
     * Ships A's 1 000 members to B in parts of about 1 KB, each part carrying the first part's context when
     * {@code share}, while "m0000x" is added on A after the first part was captured (inside the first part's range).
     */
    private void transferWhileAnAddLandsInTheFirstRange(boolean share) {
        sadd(a, range("m", 0, 1000));
        KeyDelta first = a.ks.capturePart(0, KEY, null, 1024);
        time.advance(1);
        sadd(a, "m0000x");
        b.merge(KEY, first);
        KeyDelta part = first;
        while (!part.part().last()) {
            part = a.ks.capturePart(0, KEY, part.part().upTo(), 1024);
            b.merge(KEY, share ? part.sharing(first) : part);
        }
    }

    @Test
    void aWholeStateOrATombstoneMeetingALargeLocalSetMergesInPartsWithTheWholeMergesResult() {
        int n = Keyspace.MERGE_PART_ROWS * 2 + 100;
        sadd(b, range("m", 0, n));
        a.merge(KEY, b.capture(KEY));
        c.merge(KEY, b.capture(KEY));
        time.advance(1);
        srem(a, "m00000", "m10000", range("m", n - 50, n).toArray(String[]::new));
        sadd(a, "a-only");
        sadd(b, "b-only");

        b.merge(KEY, a.capture(KEY)); // B holds more than MERGE_PART_ROWS rows: merged in parts

        TreeSet<String> expected = new TreeSet<>(range("m", 0, n - 50));
        expected.removeAll(List.of("m00000", "m10000"));
        expected.addAll(List.of("a-only", "b-only"));
        assertThat(members(b)).isEqualTo(expected);
        a.merge(KEY, b.capture(KEY));
        assertThat(digest(a)).isEqualTo(digest(b));
        assertThat(b.recomputedHash(KEY)).isEqualTo(b.live(KEY).elementsHash());

        time.advance(1);
        c.merge(KEY, b.capture(KEY));
        a.del(KEY);
        b.merge(KEY, a.capture(KEY)); // a tombstone over a large set: also in parts
        assertThat(b.live(KEY)).isNull();
        assertThat(digest(b)).isEqualTo(digest(a));
    }

    @Test
    void aPartRoundTripsThroughTheWireCodec() {
        sadd(a, range("m", 0, 200));
        KeyDelta first = a.ks.capturePart(0, KEY, null, 512);
        KeyDelta next = a.ks.capturePart(0, KEY, first.part().upTo(), 512);
        for (KeyDelta d : List.of(first, next, a.ks.capturePart(0, KEY, null, 1 << 20))) {
            KeyDelta decoded = KeyDelta.decode(d.encode());
            assertThat(decoded).isEqualTo(d);
            assertThat(d.encode()).hasSize(d.encodedLength());
        }
        assertThat(first.part().after()).isNull();
        assertThat(next.part().after()).isEqualTo(first.part().upTo());
        assertThat(a.ks.capturePart(0, KEY, null, 1 << 20).full()).isTrue();
    }

    // ------------------------------------------------------------------------------------------------ helpers

    /** Ships {@code from}'s state of the key to {@code to} in parts of about {@code bytes}; returns how many. */
    private static int transfer(ReplicaNode from, ReplicaNode to, int bytes, boolean share) {
        KeyDelta first = from.ks.capturePart(0, KEY, null, bytes);
        to.merge(KEY, first);
        int parts = 1;
        KeyDelta part = first;
        while (part.part() != null && !part.part().last()) {
            part = from.ks.capturePart(0, KEY, part.part().upTo(), bytes);
            to.merge(KEY, share ? part.sharing(first) : part);
            parts++;
        }
        return parts;
    }

    private static List<String> range(String prefix, int from, int to) {
        int width = Integer.toString(to - 1).length() < 4 ? 4 : Integer.toString(to - 1).length();
        List<String> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            out.add(prefix + String.format("%0" + width + "d", i));
        }
        return out;
    }

    private static void sadd(ReplicaNode n, List<String> members) {
        try (KeyLocks.Held ignored = n.ks.lock(0, KEY)) {
            n.sets.add(0, KEY, n.live(KEY), members.stream().map(KeyPartsTest::bytes).toList());
        }
    }

    private static void sadd(ReplicaNode n, String... members) {
        sadd(n, List.of(members));
    }

    private static void srem(ReplicaNode n, String first, String second, String... more) {
        List<String> all = new ArrayList<>(List.of(first, second));
        all.addAll(List.of(more));
        try (KeyLocks.Held ignored = n.ks.lock(0, KEY)) {
            n.sets.remove(0, KEY, n.live(KEY), all.stream().map(KeyPartsTest::bytes).toList());
        }
    }

    private static void srem(ReplicaNode n, String member) {
        srem(n, member, member);
    }

    private static TreeSet<String> members(ReplicaNode n) {
        TreeSet<String> out = new TreeSet<>();
        Metadata live = n.live(KEY);
        if (live != null) {
            n.sets.members(0, KEY, live).forEach(m -> out.add(new String(m, StandardCharsets.UTF_8)));
        }
        return out;
    }

    private static String digest(ReplicaNode n) {
        return java.util.HexFormat.of().formatHex(n.ks.digest());
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
