package io.hyperkv.store;

import static io.hyperkv.store.ReplicaSet.b;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Strong eventual consistency of strings, counters, expiry, deletions, sets and type conflicts, on real RocksDB: three keyspaces run a
 * random history of writes (any node, any time), with deltas delivered to random replicas at random moments, shuffled
 * and duplicated, and nodes restarted on the way; once everything is delivered every replica holds the same values,
 * expiries and digests, and a counter only ever incremented holds the sum of every increment.
 */
class KeyspaceConvergencePropertiesTest {

    private static final String[] KEYS = {"k0", "k1", "{k0}2"};

    /** One step of a history: a write on {@code node}, a delivery to it, its restart, or time passing. */
    record Step(int kind, int node, int key, long arg) {}

    private static final int SET = 0;
    private static final int INCR = 1;
    private static final int APPEND = 2;
    private static final int DEL = 3;
    private static final int EXPIRE = 4;
    private static final int PERSIST = 5;
    private static final int DELIVER = 6;
    private static final int TICK = 7;
    private static final int RESTART = 8;
    private static final int SADD = 9;
    private static final int SREM = 10;

    @Provide
    Arbitrary<List<Step>> histories() {
        return steps(Arbitraries.of(SET, SET, INCR, INCR, INCR, APPEND, DEL, EXPIRE, PERSIST, DELIVER, DELIVER, TICK,
                RESTART), KEYS.length, 50, 5, 60);
    }

    /**
     * Histories mixing strings and sets on the same keys: type conflicts, DEL against concurrent SADD. A type conflict
     * drops the losing collection's context with it, so a set created later over the winner does not cover the dropped
     * set's dots: deltas alone may leave replicas apart (one dropped a member another kept), and an anti-entropy round
     * (full states, same type on both sides: a plain join) brings them together. That is what this property checks.
     */
    @Provide
    Arbitrary<List<Step>> conflicts() {
        return steps(Arbitraries.of(SET, INCR, DEL, EXPIRE, PERSIST, DELIVER, DELIVER, TICK, RESTART, SADD, SADD, SADD,
                SREM), KEYS.length, 50, 5, 50);
    }

    @Provide
    Arbitrary<List<Step>> increments() {
        return steps(Arbitraries.of(INCR, INCR, INCR, DELIVER, TICK, RESTART), 1, 1000, 1, 60);
    }

    /** Lists of steps of the given kinds on any node, on the first {@code keys} keys, with arguments in ±{@code arg}. */
    private static Arbitrary<List<Step>> steps(Arbitrary<Integer> kinds, int keys, long arg, int min, int max) {
        return Combinators.combine(kinds, Arbitraries.integers().between(0, 2), Arbitraries.integers().between(0, keys - 1),
                Arbitraries.longs().between(-arg, arg)).as(Step::new).list().ofMinSize(min).ofMaxSize(max);
    }

    @Property(tries = 25)
    void everyHistoryConverges(@ForAll("histories") List<Step> history, @ForAll long seed) throws Exception {
        run(history, seed, KeyspaceConvergencePropertiesTest::assertConverged);
    }

    @Property(tries = 25)
    void typeConflictsConvergeAfterAntiEntropy(@ForAll("conflicts") List<Step> history, @ForAll long seed)
            throws Exception {
        run(history, seed, net -> {
            net.antiEntropy(KEYS);
            assertConverged(net);
        });
    }

    private static void assertConverged(ReplicaSet net) {
        List<String> digests = net.digests();
        assertThat(digests).as("digests").containsOnly(digests.get(0));
        assertThat(net.values(KEYS)).as("values").containsOnly(net.values(KEYS).get(0));
        for (String k : KEYS) {
            List<Long> ttl = new ArrayList<>();
            for (ReplicaSet.Replica r : net.replicas) {
                Metadata m = r.ks.read(0, b(k));
                ttl.add(m == null ? -2 : m.expireAt());
            }
            assertThat(ttl).as("expiry of " + k).containsOnly(ttl.get(0));
        }
    }

    @Property(tries = 25)
    void aCounterHoldsTheSumOfAllIncrements(@ForAll("increments") List<Step> history, @ForAll long seed)
            throws Exception {
        long sum = history.stream().filter(s -> s.kind() == INCR).mapToLong(Step::arg).sum();
        boolean counted = history.stream().anyMatch(s -> s.kind() == INCR);
        run(history, seed, net -> assertThat(net.values(KEYS[0]))
                .containsOnly(java.util.Collections.singletonList(counted ? "STRING:" + sum : null)));
    }

    private void run(List<Step> history, long seed, java.util.function.Consumer<ReplicaSet> check) throws Exception {
        Path root = Files.createTempDirectory("convergence");
        Random random = new Random(seed);
        try (ReplicaSet net = new ReplicaSet(root, 3)) {
            for (Step s : history) {
                apply(net, s, random);
            }
            net.deliverAll(random);
            check.accept(net);
        } finally {
            try (Stream<Path> files = Files.walk(root)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void apply(ReplicaSet net, Step s, Random random) {
        ReplicaSet.Replica r = net.get(s.node());
        String key = KEYS[s.key()];
        switch (s.kind()) {
            case SET -> r.set(key, "v" + s.arg());
            case INCR -> {
                Metadata m = r.ks.read(0, b(key));
                if (m == null || Numbers.parseLong(m.payload()) != null) {
                    r.incrBy(key, s.arg());
                }
            }
            case APPEND -> r.append(key, "a" + s.arg());
            case DEL -> r.ks.delete(0, b(key));
            // deadlines far beyond the history's time: expiry itself is tested elsewhere
            case EXPIRE -> r.ks.setExpiry(0, b(key), net.time.getAsLong() + 3_600_000 + s.arg());
            case PERSIST -> r.ks.setExpiry(0, b(key), 0);
            case DELIVER -> net.deliverSome(s.node(), random);
            case TICK -> net.time.advance(Math.abs(s.arg()) % 3);
            case RESTART -> r.restart();
            case SADD -> r.sadd(key, "m" + Math.abs(s.arg() % 4));
            case SREM -> r.srem(key, "m" + Math.abs(s.arg() % 4));
            default -> throw new IllegalArgumentException("step " + s);
        }
    }
}
