package io.hyperkv.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ListStore} on real RocksDB: random operation sequences against a plain Java list (the
 * Redis semantics), and two stores on two nodes converging through the {@link KeyDelta}s their
 * writes commit, merged by the list's {@link CollectionReplica}, after concurrent pushes and pops
 * exchanged both ways, in any order, duplicated.
 */
class ListStoreTest {

    @TempDir
    Path dirA;
    @TempDir
    Path dirB;

    private final ManualTime time = new ManualTime();
    private ReplicaNode nodeA;
    private ReplicaNode nodeB;
    private ListStore a;
    private ListStore b;

    @BeforeEach
    void open() {
        nodeA = new ReplicaNode(dirA, time, 1);
        nodeB = new ReplicaNode(dirB, time, 2);
        a = nodeA.lists;
        b = nodeB.lists;
    }

    @AfterEach
    void close() {
        nodeA.close();
        nodeB.close();
    }

    /** The deltas {@code n}'s writes committed since the last call. */
    private static List<KeyDelta> shipped(ReplicaNode n) {
        List<KeyDelta> out = new ArrayList<>();
        n.drain().forEach(d -> out.add(d.delta()));
        return out;
    }

    private static final byte[] KEY = "l".getBytes(StandardCharsets.UTF_8);

    private static byte[] v(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> strings(List<byte[]> values) {
        List<String> out = new ArrayList<>();
        values.forEach(x -> out.add(new String(x, StandardCharsets.UTF_8)));
        return out;
    }

    private static List<String> all(ListStore s) {
        return strings(s.range(0, KEY, 0, -1));
    }

    @Test
    void randomOperationsAgreeWithAPlainList() {
        Random random = new Random(42);
        List<String> model = new ArrayList<>();
        for (int step = 0; step < 3000; step++) {
            String value = "v" + random.nextInt(8);
            int size = model.size();
            switch (random.nextInt(11)) {
                case 0, 1 -> {
                    int n = 1 + random.nextInt(3);
                    List<byte[]> vs = new ArrayList<>();
                    for (int i = 0; i < n; i++) {
                        vs.add(v(value + i));
                        model.add(0, value + i);
                    }
                    assertThat(a.push(0, KEY, vs, true, false).length()).isEqualTo(model.size());
                }
                case 2, 3 -> {
                    int n = 1 + random.nextInt(3);
                    List<byte[]> vs = new ArrayList<>();
                    for (int i = 0; i < n; i++) {
                        vs.add(v(value + i));
                        model.add(value + i);
                    }
                    assertThat(a.push(0, KEY, vs, false, false).length()).isEqualTo(model.size());
                }
                case 4 -> {
                    int n = random.nextInt(4);
                    boolean left = random.nextBoolean();
                    ListStore.Removed r = a.pop(0, KEY, n, left);
                    if (size == 0) {
                        assertThat(r).isNull();
                    } else {
                        List<String> expected = new ArrayList<>();
                        for (int i = 0; i < Math.min(n, size); i++) {
                            expected.add(left ? model.remove(0) : model.remove(model.size() - 1));
                        }
                        assertThat(strings(r.values())).isEqualTo(expected);
                    }
                }
                case 5 -> {
                    if (size > 0) {
                        int i = random.nextInt(size);
                        long index = random.nextBoolean() ? i : i - size;
                        assertThat(a.set(0, KEY, index, v("set" + step))).isEqualTo(ListStore.SetStatus.OK);
                        model.set(i, "set" + step);
                    }
                }
                case 6 -> {
                    boolean before = random.nextBoolean();
                    long got = a.insert(0, KEY, before, v(value + "0"), v("ins" + step)).length();
                    int at = model.indexOf(value + "0");
                    if (size == 0) {
                        assertThat(got).isZero();
                    } else if (at < 0) {
                        assertThat(got).isEqualTo(-1);
                    } else {
                        model.add(before ? at : at + 1, "ins" + step);
                        assertThat(got).isEqualTo(model.size());
                    }
                }
                case 7 -> {
                    long count = random.nextInt(5) - 2;
                    ListStore.Removed r = a.remove(0, KEY, count, v(value + "0"));
                    int removed = 0;
                    if (count >= 0) {
                        for (int i = 0; i < model.size() && (count == 0 || removed < count); ) {
                            if (model.get(i).equals(value + "0")) {
                                model.remove(i);
                                removed++;
                            } else {
                                i++;
                            }
                        }
                    } else {
                        for (int i = model.size() - 1; i >= 0 && removed < -count; i--) {
                            if (model.get(i).equals(value + "0")) {
                                model.remove(i);
                                removed++;
                            }
                        }
                    }
                    assertThat(r.values()).hasSize(removed);
                }
                case 8 -> {
                    if (random.nextInt(4) == 0) {
                        long start = random.nextInt(Math.max(1, size + 2)) - 1;
                        long stop = random.nextInt(Math.max(1, size + 2)) - 1 + size / 2;
                        a.trim(0, KEY, start, stop);
                        long[] span = ListStore.span(start, stop, size);
                        List<String> kept = span == null ? List.of() : new ArrayList<>(model.subList((int) span[0], (int) span[1] + 1));
                        model.clear();
                        model.addAll(kept);
                    }
                }
                case 9 -> {
                    boolean fromLeft = random.nextBoolean();
                    boolean toLeft = random.nextBoolean();
                    ListStore.Moved m = a.move(0, KEY, KEY, fromLeft, toLeft);
                    if (size == 0) {
                        assertThat(m.value()).isNull();
                    } else {
                        String moved = fromLeft ? model.remove(0) : model.remove(model.size() - 1);
                        if (toLeft) {
                            model.add(0, moved);
                        } else {
                            model.add(moved);
                        }
                        assertThat(new String(m.value(), StandardCharsets.UTF_8)).isEqualTo(moved);
                    }
                }
                default -> {
                    if (size > 0) {
                        long rank = random.nextBoolean() ? 1 : -1;
                        List<Long> found = a.positions(0, KEY, v(value + "0"), rank, 0, 0);
                        List<Long> expected = new ArrayList<>();
                        for (int i = 0; i < model.size(); i++) {
                            if (model.get(i).equals(value + "0")) {
                                expected.add((long) i);
                            }
                        }
                        if (rank < 0) {
                            Collections.reverse(expected);
                        }
                        assertThat(found).isEqualTo(expected);
                    }
                }
            }
            assertThat(a.length(0, KEY)).as("LLEN after step %d", step).isEqualTo(model.size());
            if (step % 7 == 0) {
                assertThat(all(a)).as("LRANGE after step %d", step).isEqualTo(model);
                if (!model.isEmpty()) {
                    int i = random.nextInt(model.size());
                    assertThat(new String(a.index(0, KEY, i), StandardCharsets.UTF_8)).isEqualTo(model.get(i));
                    assertThat(strings(a.range(0, KEY, i, i + 2))).isEqualTo(model.subList(i, Math.min(model.size(), i + 3)));
                    assertThat(strings(a.range(0, KEY, -i - 1, -1))).isEqualTo(model.subList(model.size() - i - 1, model.size()));
                }
            }
        }
        assertThat(all(a)).isEqualTo(model);
    }

    @Test
    void twoStoresConvergeAfterConcurrentPushesAndPopsExchangedBothWays() {
        a.push(0, KEY, List.of(v("a"), v("b"), v("c")), false, false);
        assertThat(nodeB.merge(KEY, shipped(nodeA).get(0))).isTrue();
        assertThat(all(b)).containsExactly("a", "b", "c");

        // concurrently: A pushes x on the left, pops the tail (c) and the head (its own x);
        // B pushes y z on the right and pops a and b from the head
        a.push(0, KEY, List.of(v("x")), true, false);
        a.pop(0, KEY, 1, false);
        a.pop(0, KEY, 1, true);
        time.advance(1);
        b.push(0, KEY, List.of(v("y"), v("z")), false, false);
        b.pop(0, KEY, 1, true);
        b.pop(0, KEY, 1, true);
        List<KeyDelta> fromA = shipped(nodeA);
        List<KeyDelta> fromB = shipped(nodeB);
        assertThat(fromA).hasSize(3);
        assertThat(all(a)).containsExactly("a", "b");
        assertThat(all(b)).containsExactly("c", "y", "z");

        // exchange: B gets A's deltas in reverse order and twice; A gets B's in order
        List<KeyDelta> reversed = new ArrayList<>(fromA);
        Collections.reverse(reversed);
        for (KeyDelta d : reversed) {
            nodeB.merge(KEY, d);
        }
        for (KeyDelta d : fromA) {
            assertThat(nodeB.merge(KEY, d)).as("a delta applied twice changes nothing").isFalse();
        }
        for (KeyDelta d : fromB) {
            nodeA.merge(KEY, d);
        }
        assertThat(all(a)).isEqualTo(all(b));
        assertThat(all(a)).containsExactly("y", "z");
        assertThat(a.state(0, KEY)).isEqualTo(b.state(0, KEY));
        assertThat(a.length(0, KEY)).isEqualTo(2);
        assertThat(b.length(0, KEY)).isEqualTo(2);

        // both replicas pop the head concurrently: both return y (POP is at-least-once), y goes once
        ListStore.Removed popA = a.pop(0, KEY, 1, true);
        ListStore.Removed popB = b.pop(0, KEY, 1, true);
        assertThat(strings(popA.values())).containsExactly("y");
        assertThat(strings(popB.values())).containsExactly("y");
        for (KeyDelta d : shipped(nodeB)) {
            nodeA.merge(KEY, d);
        }
        for (KeyDelta d : shipped(nodeA)) {
            nodeB.merge(KEY, d);
        }
        assertThat(all(a)).containsExactly("z");
        assertThat(all(b)).containsExactly("z");

        // and the converged lists keep working as lists on both sides
        assertThat(a.push(0, KEY, List.of(v("tail")), false, false).length()).isEqualTo(2);
        assertThat(strings(b.pop(0, KEY, 5, true).values())).containsExactly("z");
        assertThat(b.exists(0, KEY)).isFalse();
    }

    @Test
    void randomConcurrentHistoriesConvergeUnderPerOriginOrderedDelivery() {
        Random random = new Random(7);
        for (int round = 0; round < 20; round++) {
            for (int i = 0; i < 30; i++) {
                ListStore s = random.nextBoolean() ? a : b;
                switch (random.nextInt(6)) {
                    case 0, 1 -> s.push(0, KEY, List.of(v("p" + round + "." + i)), random.nextBoolean(), false);
                    case 2 -> s.pop(0, KEY, 1 + random.nextInt(2), random.nextBoolean());
                    case 3 -> s.set(0, KEY, 0, v("s" + i));
                    case 4 -> s.trim(0, KEY, 1, -1);
                    default -> s.insert(0, KEY, true, v("p" + round + "." + (i - 1)), v("i" + i));
                }
                time.advance(random.nextInt(2));
            }
            List<KeyDelta> fromA = shipped(nodeA);
            List<KeyDelta> fromB = shipped(nodeB);
            // each origin's deltas arrive in order (as over one replication link), the two streams
            // interleaved at random, with immediate duplicates (a retried send)
            int ia = 0;
            int ib = 0;
            while (ia < fromA.size() || ib < fromB.size()) {
                if (ib >= fromB.size() || (ia < fromA.size() && random.nextBoolean())) {
                    KeyDelta d = fromA.get(ia++);
                    nodeB.merge(KEY, d);
                    if (random.nextInt(4) == 0) {
                        assertThat(nodeB.merge(KEY, d)).as("a duplicate changes nothing").isFalse();
                    }
                } else {
                    KeyDelta d = fromB.get(ib++);
                    nodeA.merge(KEY, d);
                    if (random.nextInt(4) == 0) {
                        assertThat(nodeA.merge(KEY, d)).as("a duplicate changes nothing").isFalse();
                    }
                }
            }
            // values, order, rows and element hashes converge (an emptied list leaves a tombstone
            // with its context, so nothing removed comes back)
            assertThat(all(a)).as("round %d", round).isEqualTo(all(b));
            assertThat(a.length(0, KEY)).isEqualTo(all(a).size());
            assertThat(nodeA.rows(KEY)).isEqualTo(nodeB.rows(KEY));
            assertThat(nodeA.recomputedHash(KEY)).isEqualTo(nodeB.recomputedHash(KEY));
            Metadata m = nodeA.live(KEY);
            assertThat(m == null ? 0 : m.elementsHash()).isEqualTo(nodeA.recomputedHash(KEY));
        }
    }
}
