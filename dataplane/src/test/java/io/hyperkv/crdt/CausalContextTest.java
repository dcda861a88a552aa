package io.hyperkv.crdt;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Causal contexts against a plain set of dots as the reference. */
class CausalContextTest {

    @Provide
    Arbitrary<List<Dot>> dots() {
        Arbitrary<Long> node = Arbitraries.of(1L, 2L, -1L);
        Arbitrary<Long> counter = Arbitraries.longs().between(1, 40);
        return Combinators.combine(node, counter).as(Dot::new).list().ofMaxSize(30);
    }

    @Property(tries = 300)
    void rangesHoldExactlyTheDotsAddedAndUnionIsSetUnion(@ForAll("dots") List<Dot> x, @ForAll("dots") List<Dot> y) {
        CausalContext cx = CausalContext.of(Stamp.ZERO, x);
        CausalContext cy = CausalContext.of(new Stamp(5, 1), y);
        Set<Dot> both = new HashSet<>(x);
        both.addAll(y);
        CausalContext union = cx.union(cy);
        assertThat(union).isEqualTo(cy.union(cx)).isEqualTo(CausalContext.of(new Stamp(5, 1), both.stream().toList()));
        assertThat(union.includes(cx)).isTrue();
        assertThat(union.includes(cy)).isTrue();
        assertThat(union.dotCount()).isEqualTo(both.size());
        for (long node : new long[] {1, 2, -1}) {
            for (long c = 1; c <= 41; c++) {
                Dot d = new Dot(node, c);
                assertThat(union.contains(d)).isEqualTo(both.contains(d));
                assertThat(cx.contains(d)).isEqualTo(x.contains(d));
            }
        }
        assertThat(cx.includes(union)).isEqualTo(new HashSet<>(x).containsAll(both));
    }

    @Example
    void contiguousDotsCompactToOneRangePerNode() {
        CausalContext c = CausalContext.EMPTY;
        for (long i = 10; i >= 1; i--) {
            c = c.with(new Dot(3, i), Stamp.ZERO);
        }
        assertThat(c.ranges(3)).containsExactly(1, 10);
        assertThat(c.with(new Dot(3, 12), Stamp.ZERO).ranges(3)).containsExactly(1, 10, 12, 12);
        assertThat(c.with(new Dot(3, 12), Stamp.ZERO).with(new Dot(3, 11), Stamp.ZERO).ranges(3)).containsExactly(1, 12);
    }

    @Example
    void aNewLifetimeStartsAtTheStampAndThenCountsUp() {
        Stamp s = new Stamp(Stamp.pack(1_000, 3), 9);
        Dot first = CausalContext.EMPTY.nextDot(s);
        assertThat(first).isEqualTo(new Dot(9, s.time()));
        CausalContext c = CausalContext.EMPTY.with(first, s);
        assertThat(c.nextDot(new Stamp(s.time() + 50, 9))).isEqualTo(new Dot(9, s.time() + 1));
    }
}
