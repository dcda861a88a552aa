package io.hyperkv.crdt;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * Add-wins against a specification: three replicas run SADD, SREM and DEL on one set with random
 * full-state syncs, each recording which SADDs it has seen. After everyone has synced, a member is
 * present iff some SADD of it was seen by no SREM of that member and no DEL.
 */
class AddWinsSetTest {

    record Step(int kind, int replica, String member, int to) {
    }

    @Provide
    Arbitrary<List<Step>> steps() {
        Arbitrary<Integer> replica = Arbitraries.integers().between(0, 2);
        Arbitrary<String> member = Arbitraries.of("a", "b", "c");
        Arbitrary<Step> add = replica.flatMap(r -> member.map(m -> new Step(0, r, m, 0)));
        Arbitrary<Step> rem = replica.flatMap(r -> member.map(m -> new Step(1, r, m, 0)));
        Arbitrary<Step> del = replica.map(r -> new Step(2, r, "", 0));
        Arbitrary<Step> sync = replica.flatMap(f -> replica.map(t -> new Step(3, f, "", t)));
        return Arbitraries.frequencyOf(Tuple.of(5, add), Tuple.of(3, rem), Tuple.of(1, del), Tuple.of(4, sync))
                .list().ofMaxSize(30);
    }

    @Property(tries = 300)
    void afterFullSyncAMemberIsPresentIffAnAddOfItWasSeenByNoRemoval(@ForAll("steps") List<Step> steps) {
        AtomicLong wall = new AtomicLong(1_700_000_000_000L);
        List<HybridLogicalClock> clocks = new ArrayList<>();
        List<OrSet> states = new ArrayList<>();
        List<Set<Integer>> seen = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            clocks.add(new HybridLogicalClock(i + 1, wall::get, 0, 60_000, 1_000, m -> { }));
            states.add(OrSet.EMPTY);
            seen.add(new HashSet<>());
        }
        List<String> adds = new ArrayList<>();
        Set<Integer> removed = new HashSet<>();
        for (Step s : steps) {
            wall.incrementAndGet();
            int r = s.replica();
            OrSet state = states.get(r);
            switch (s.kind()) {
                case 0 -> {
                    states.set(r, state.merge(state.add(Bytes.of(s.member()), clocks.get(r))));
                    seen.get(r).add(adds.size());
                    adds.add(s.member());
                }
                case 1 -> {
                    states.set(r, state.merge(state.remove(List.of(Bytes.of(s.member())), clocks.get(r))));
                    seen.get(r).stream().filter(id -> adds.get(id).equals(s.member())).forEach(removed::add);
                }
                case 2 -> {
                    states.set(r, state.merge(state.clear(clocks.get(r))));
                    removed.addAll(seen.get(r));
                }
                default -> {
                    clocks.get(s.to()).observe(state.latest());
                    states.set(s.to(), states.get(s.to()).merge(state));
                    seen.get(s.to()).addAll(seen.get(r));
                }
            }
        }
        OrSet all = states.get(0).merge(states.get(1)).merge(states.get(2));
        Set<Bytes> expected = new TreeSet<>();
        for (int id = 0; id < adds.size(); id++) {
            if (!removed.contains(id)) {
                expected.add(Bytes.of(adds.get(id)));
            }
        }
        assertThat(all.members()).containsExactlyElementsOf(expected);
    }
}
