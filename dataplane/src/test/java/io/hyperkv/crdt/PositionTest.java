package io.hyperkv.crdt;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Dense list positions: always room between two neighbours, and a total order. */
class PositionTest {

    @Provide
    Arbitrary<List<Integer>> insertionPoints() {
        return Arbitraries.integers().between(-1, 1000).list().ofMinSize(1).ofMaxSize(200);
    }

    /** Inserts at random places (-1 = head); the resulting list must stay strictly ordered. */
    @Property(tries = 200)
    void betweenAlwaysFindsRoomStrictlyBetweenNeighbours(@ForAll("insertionPoints") List<Integer> points) {
        List<Position> list = new ArrayList<>();
        long time = 1;
        for (int p : points) {
            int at = p < 0 ? 0 : Math.floorMod(p, list.size() + 1);
            Position lower = at == 0 ? null : list.get(at - 1);
            Position upper = at == list.size() ? null : list.get(at);
            Position made = Position.between(lower, upper, new Stamp(time++, (p & 1) == 0 ? 3 : -3));
            if (lower != null) {
                assertThat(made).isGreaterThan(lower);
            }
            if (upper != null) {
                assertThat(made).isLessThan(upper);
            }
            list.add(at, made);
        }
        for (int i = 1; i < list.size(); i++) {
            assertThat(list.get(i - 1).compareTo(list.get(i))).isNegative();
            assertThat(list.get(i).compareTo(list.get(i - 1))).isPositive();
        }
    }

    @Example
    void repeatedInsertsAtOnePlaceGoDeeperOnlyLogarithmically() {
        Position lower = Position.between(null, null, new Stamp(1, 1));
        Position upper = Position.between(lower, null, new Stamp(2, 1));
        for (int i = 0; i < 1000; i++) {
            Position mid = Position.between(lower, upper, new Stamp(3 + i, 1));
            assertThat(mid).isGreaterThan(lower).isLessThan(upper);
            upper = mid;
        }
        assertThat(upper.levels()).isLessThanOrEqualTo(1000 / 19 + 2);
    }

    @Example
    void aQueueOfPushesAndPopsStaysOneLevelDeep() {
        Position head = null;
        for (int i = 0; i < 100_000; i++) {
            head = Position.between(null, head, new Stamp(i + 1, 1));
        }
        assertThat(head.levels()).isEqualTo(1);
    }

    @Example
    void positionsBeyondTheDigitRangeStillFindRoomOneLevelDown() {
        Position edge = Position.of(Position.MIN_DIGIT, 5, 5);
        Position before = Position.between(null, edge, new Stamp(6, 1));
        assertThat(before).isLessThan(edge);
        Position top = Position.of(Position.MAX_DIGIT, 5, 5);
        Position after = Position.between(top, null, new Stamp(7, 1));
        assertThat(after).isGreaterThan(top);
        Position a = Position.of(-1, 5, 5);
        Position b = Position.of(0, 5, 5);
        Position mid = Position.between(a, b, new Stamp(8, 1));
        assertThat(mid).isGreaterThan(a).isLessThan(b);
    }

    /** Positions made like LPUSH/RPUSH/LINSERT make them, including multi-value pushes (extensions). */
    @Property(tries = 200)
    void sortKeysOrderLikePositionsAndDecodeBack(@ForAll("insertionPoints") List<Integer> points) {
        List<Position> made = new ArrayList<>();
        long time = 1;
        for (int p : points) {
            Position lower = made.isEmpty() ? null : made.get(Math.floorMod(p, made.size()));
            Position upper = null;
            for (Position q : made) {
                if ((lower == null || q.compareTo(lower) > 0) && (upper == null || q.compareTo(upper) < 0)) {
                    upper = q;
                }
            }
            Position fresh = Position.between(p < 0 ? null : lower, p < 0 ? (made.isEmpty() ? null : made.stream().min(Position::compareTo).orElseThrow()) : upper, new Stamp(time++, 7));
            made.add(fresh);
            if ((p & 3) == 0) {
                made.add(fresh.extend(-(long) (p % 5 + 1) * Position.STEP, new Stamp(time++, 7)));
                made.add(fresh.extend((long) (p % 5 + 1) * Position.STEP, new Stamp(time++, 7)));
            }
        }
        made.add(Position.of(0, 9, 9));
        made.add(Position.of(0, 9, 9, 0, 1, 1));
        made.add(Position.of(0, 9, 9, -1, 1, 1));
        made.add(Position.of(Position.MIN_DIGIT, 1, 1));
        made.add(Position.of(Position.MAX_DIGIT, -1, -1));
        for (Position a : made) {
            assertThat(Position.fromSortKey(a.sortKey())).isEqualTo(a);
            for (Position b : made) {
                int byBytes = java.util.Arrays.compareUnsigned(a.sortKey(), b.sortKey());
                assertThat(Integer.signum(byBytes)).as("%s vs %s", a, b).isEqualTo(Integer.signum(a.compareTo(b)));
            }
        }
    }
}
