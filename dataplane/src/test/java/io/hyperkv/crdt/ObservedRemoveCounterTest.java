package io.hyperkv.crdt;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The documented DEL ∥ INCR rule against a specification rather than against another replica:
 * three replicas increment and delete one string key concurrently and sync full states in random
 * directions; each replica also records which operations it has seen. After everyone has synced,
 * the value must be the sum of exactly the increments that no DEL had seen, and the key must exist
 * iff such an increment exists. (The convergence laws alone cannot catch a wrong rule: every
 * replica would agree on the wrong value.)
 */
class ObservedRemoveCounterTest {

    sealed interface Step permits Incr, Del, Sync {
    }

    record Incr(int replica, long by) implements Step {
    }

    record Del(int replica) implements Step {
    }

    record Sync(int from, int to) implements Step {
    }

    @Provide
    Arbitrary<List<Step>> steps() {
        Arbitrary<Integer> replica = Arbitraries.integers().between(0, 2);
        Arbitrary<Step> incr = replica.flatMap(r -> Arbitraries.longs().between(-5, 9).map(by -> new Incr(r, by)));
        Arbitrary<Step> del = replica.map(Del::new);
        Arbitrary<Step> sync = replica.flatMap(f -> replica.map(t -> new Sync(f, t)));
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(5, incr), net.jqwik.api.Tuple.of(2, del), net.jqwik.api.Tuple.of(3, sync))
                .list().ofMaxSize(30);
    }

    @Property(tries = 300)
    void afterFullSyncTheValueIsTheSumOfTheIncrementsNoDelHadSeen(@ForAll("steps") List<Step> steps) {
        AtomicLong wall = new AtomicLong(1_700_000_000_000L);
        List<HybridLogicalClock> clocks = new ArrayList<>();
        List<CounterRegister> states = new ArrayList<>();
        List<Set<Integer>> seen = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            clocks.add(new HybridLogicalClock(i + 1, wall::get, 0, 60_000, 1_000, m -> { }));
            states.add(CounterRegister.EMPTY);
            seen.add(new HashSet<>());
        }
        List<Long> amounts = new ArrayList<>();
        Set<Integer> removed = new HashSet<>();
        for (Step step : steps) {
            wall.incrementAndGet();
            if (step instanceof Incr i) {
                CounterRegister s = states.get(i.replica());
                states.set(i.replica(), s.merge(s.increment(i.by(), clocks.get(i.replica()))));
                seen.get(i.replica()).add(amounts.size());
                amounts.add(i.by());
            } else if (step instanceof Del d) {
                CounterRegister s = states.get(d.replica());
                states.set(d.replica(), s.merge(s.clear(clocks.get(d.replica()))));
                removed.addAll(seen.get(d.replica()));
            } else if (step instanceof Sync y) {
                clocks.get(y.to()).observe(states.get(y.from()).latest());
                states.set(y.to(), states.get(y.to()).merge(states.get(y.from())));
                seen.get(y.to()).addAll(seen.get(y.from()));
            }
        }
        CounterRegister all = states.get(0).merge(states.get(1)).merge(states.get(2));
        long expected = 0;
        boolean exists = false;
        for (int id = 0; id < amounts.size(); id++) {
            if (!removed.contains(id)) {
                expected += amounts.get(id);
                exists = true;
            }
        }
        Optional<Long> value = all.value().map(v -> v.asLong().orElseThrow());
        assertThat(value).isEqualTo(exists ? Optional.of(expected) : Optional.empty());
        assertThat(all.isEmpty()).isEqualTo(!exists);
    }
}
