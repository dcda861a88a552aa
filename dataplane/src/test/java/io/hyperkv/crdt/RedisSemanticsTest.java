package io.hyperkv.crdt;

import static io.hyperkv.crdt.Universe.b;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.Example;

/**
 * The semantics DESIGN.md §4 promises, one scenario each: "∥" means the two replicas act without
 * having seen each other's operation, then exchange deltas.
 */
class RedisSemanticsTest {

    private final AtomicLong wall = new AtomicLong(1_700_000_000_000L);
    private final HybridLogicalClock a = new HybridLogicalClock(1, wall::get, 0, 60_000, 10_000, m -> { });
    private final HybridLogicalClock b = new HybridLogicalClock(2, wall::get, 0, 60_000, 10_000, m -> { });

    @Example
    void concurrentSaddAndSremKeepTheAdd() {
        OrSet base = OrSet.EMPTY.add(b("x"), a);
        OrSet remove = base.remove(List.of(b("x")), a);
        OrSet add = base.add(b("x"), b);
        OrSet onA = base.merge(remove).merge(add);
        OrSet onB = base.merge(add).merge(remove);
        assertThat(onA).isEqualTo(onB);
        assertThat(onA.contains(b("x"))).isTrue();
        // and a sequential SREM after seeing both removes it
        assertThat(onA.merge(onA.remove(List.of(b("x")), a)).contains(b("x"))).isFalse();
    }

    @Example
    void concurrentHsetAndHdelKeepTheField() {
        OrMap base = OrMap.EMPTY.put(b("f"), b("1"), a);
        OrMap del = base.remove(List.of(b("f")), a);
        OrMap set = base.put(b("f"), b("2"), b);
        OrMap onA = base.merge(del).merge(set);
        OrMap onB = base.merge(set).merge(del);
        assertThat(onA).isEqualTo(onB);
        assertThat(onA.get(b("f")).orElseThrow().bytes()).isEqualTo(b("2"));
    }

    @Example
    void concurrentHincrbyAndHdelKeepTheIncrementTheDeleteHadNotSeen() {
        OrMap base = OrMap.EMPTY.increment(b("f"), 5, a);
        OrMap del = base.remove(List.of(b("f")), a);
        OrMap incr = base.increment(b("f"), 1, b);
        OrMap onA = base.merge(del).merge(incr);
        OrMap onB = base.merge(incr).merge(del);
        assertThat(onA).isEqualTo(onB);
        assertThat(onA.get(b("f")).orElseThrow().bytes()).isEqualTo(b("1"));
    }

    @Example
    void incrOnTwoReplicasAddsUp() {
        CounterRegister base = CounterRegister.EMPTY.assign(b("10"), a);
        CounterRegister incA = base.increment(1, a);
        CounterRegister incB = base.increment(1, b);
        CounterRegister onA = base.merge(incA).merge(incB);
        CounterRegister onB = base.merge(incB).merge(incA);
        assertThat(onA).isEqualTo(onB);
        assertThat(onA.value().orElseThrow().bytes()).isEqualTo(b("12"));
        // a second increment from A replaces A's running total instead of adding an entry
        CounterRegister again = onA.merge(onA.increment(5, a));
        assertThat(again.value().orElseThrow().asLong()).hasValue(17);
        assertThat(again.store().size()).isEqualTo(3);
    }

    @Example
    void setThenIncrSequentiallyBehavesLikeRedis() {
        CounterRegister s = CounterRegister.EMPTY;
        s = s.merge(s.assign(b("10"), a));
        s = s.merge(s.increment(5, a));
        s = s.merge(s.increment(-2, a));
        assertThat(s.value().orElseThrow().bytes()).isEqualTo(b("13"));
        s = s.merge(s.assign(b("100"), a));
        assertThat(s.value().orElseThrow().bytes()).isEqualTo(b("100"));
        s = s.merge(s.increment(1, a));
        assertThat(s.value().orElseThrow().bytes()).isEqualTo(b("101"));
        s = s.merge(s.incrementFloat(0.5, a));
        assertThat(s.value().orElseThrow().bytes()).isEqualTo(b("101.5"));
        // INCR on a missing key starts from 0
        CounterRegister fresh = CounterRegister.EMPTY;
        assertThat(fresh.merge(fresh.increment(1, a)).value().orElseThrow().bytes()).isEqualTo(b("1"));
    }

    @Example
    void concurrentSetAndIncrKeepTheSetAndDropTheIncrement() {
        CounterRegister base = CounterRegister.EMPTY.assign(b("10"), a);
        CounterRegister set = base.assign(b("100"), a);
        CounterRegister incr = base.increment(1, b);
        CounterRegister onA = base.merge(set).merge(incr);
        CounterRegister onB = base.merge(incr).merge(set);
        assertThat(onA).isEqualTo(onB);
        assertThat(onA.value().orElseThrow().bytes()).isEqualTo(b("100"));
    }

    @Example
    void concurrentDelAndIncrKeepTheIncrementTheDeleteHadNotSeen() {
        CounterRegister base = CounterRegister.EMPTY.assign(b("10"), a);
        base = base.merge(base.increment(5, b));
        CounterRegister del = base.clear(a);
        CounterRegister incr = base.increment(1, b);
        CounterRegister onA = base.merge(del).merge(incr);
        assertThat(onA).isEqualTo(base.merge(incr).merge(del));
        // B's running total 6 holds the 5 the DEL had seen: only the unseen 1 survives
        assertThat(onA.value().orElseThrow().bytes()).isEqualTo(b("1"));
        // and B counts on from there, on every replica
        CounterRegister next = onA.merge(onA.increment(2, b));
        assertThat(next.value().orElseThrow().bytes()).isEqualTo(b("3"));
        assertThat(base.merge(incr).merge(next).merge(del).value().orElseThrow().bytes()).isEqualTo(b("3"));
    }

    @Example
    void twoConcurrentDelsAndAnIncrCountOnlyWhatNeitherDelHadSeen() {
        CounterRegister base = CounterRegister.EMPTY.merge(CounterRegister.EMPTY.increment(5, b));
        CounterRegister delA = base.clear(a);
        CounterRegister seenMore = base.merge(base.increment(2, b));
        HybridLogicalClock c = new HybridLogicalClock(3, wall::get, 0, 60_000, 10_000, m -> { });
        CounterRegister delC = seenMore.clear(c);
        CounterRegister incr = seenMore.increment(1, b);
        CounterRegister one = base.merge(delA).merge(seenMore).merge(delC).merge(incr);
        CounterRegister other = incr.merge(delC).merge(delA).merge(base);
        assertThat(one).isEqualTo(other);
        assertThat(one.value().orElseThrow().bytes()).isEqualTo(b("1"));
    }

    @Example
    void delWithoutAConcurrentIncrLeavesNoKey() {
        CounterRegister base = CounterRegister.EMPTY.merge(CounterRegister.EMPTY.increment(5, b));
        CounterRegister deleted = base.merge(base.clear(a));
        assertThat(deleted.isEmpty()).isTrue();
        assertThat(deleted.value()).isEmpty();
        CounterRegister again = deleted.merge(deleted.increment(3, b));
        assertThat(again.value().orElseThrow().bytes()).isEqualTo(b("3"));
    }

    @Example
    void concurrentHincrbyAndHdelFromTheIncrementingNodeKeepOnlyTheUnseenIncrement() {
        OrMap base = OrMap.EMPTY.merge(OrMap.EMPTY.increment(b("f"), 5, b));
        OrMap del = base.remove(List.of(b("f")), a);
        OrMap incr = base.increment(b("f"), 1, b);
        OrMap onA = base.merge(del).merge(incr);
        assertThat(onA).isEqualTo(base.merge(incr).merge(del));
        assertThat(onA.get(b("f")).orElseThrow().bytes()).isEqualTo(b("1"));
        // a field removed with no concurrent update is gone
        OrMap deleted = base.merge(del);
        assertThat(deleted.containsKey(b("f"))).isFalse();
        assertThat(deleted.isEmpty()).isTrue();
        assertThat(deleted.fields()).isEmpty();
    }

    @Example
    void expireAfterSetSequentiallyKeepsTheExpiryInEitherDeliveryOrder() {
        // SET clears the TTL (PERSIST semantics), then EXPIRE sets one: both are LWW on the expiry field
        Expiry set = Expiry.persist(a);
        Expiry expire = Expiry.at(wall.get() + 10_000, a);
        Expiry inOrder = Expiry.NONE.merge(set).merge(expire);
        Expiry reversed = Expiry.NONE.merge(expire).merge(set);
        assertThat(inOrder).isEqualTo(reversed);
        assertThat(inOrder.atMillis()).isEqualTo(wall.get() + 10_000);
        assertThat(inOrder.expiredAt(wall.get() + 10_000)).isTrue();
        assertThat(inOrder.expiredAt(wall.get() + 9_999)).isFalse();
    }

    @Example
    void delConcurrentWithSaddKeepsOnlyTheAddTheDelHadNotSeen() {
        OrSet base = OrSet.EMPTY.add(List.of(b("seen1"), b("seen2")), a);
        OrSet del = base.clear(a);
        OrSet add = base.add(List.of(b("new")), b);
        OrSet onA = base.merge(del).merge(add);
        OrSet onB = base.merge(add).merge(del);
        assertThat(onA).isEqualTo(onB);
        assertThat(onA.members()).containsExactly(b("new"));
    }

    @Example
    void twoInsertsAtTheSamePlaceEndInTheSameOrderOnEveryReplica() {
        Sequence base = Sequence.EMPTY.pushRight(List.of(b("x"), b("z")), a);
        Sequence fromA = base.insert(b("x"), false, b("a"), a).orElseThrow();
        Sequence fromB = base.insert(b("x"), false, b("b"), b).orElseThrow();
        // each replica builds its next delta on its own current state
        Sequence pushA = base.merge(fromA).pushLeft(List.of(b("headA")), a);
        Sequence pushB = base.merge(fromB).pushLeft(List.of(b("headB")), b);
        Sequence onA = base.merge(fromA).merge(pushA).merge(fromB).merge(pushB);
        Sequence onB = base.merge(pushB).merge(fromB).merge(pushA).merge(fromA);
        assertThat(onA).isEqualTo(onB);
        assertThat(onA.values()).hasSize(6).containsSubsequence(b("x"), b("z"));
        assertThat(onA.values().subList(2, 5)).containsExactlyInAnyOrder(b("x"), b("a"), b("b"));
        assertThat(onA.values().get(2)).isEqualTo(b("x"));
    }

    @Example
    void concurrentMultiValuePushesKeepEachRunTogether() {
        Sequence base = Sequence.EMPTY.pushRight(List.of(b("x")), a);
        Sequence fromA = base.pushRight(List.of(b("a1"), b("a2"), b("a3")), a);
        Sequence fromB = base.pushRight(List.of(b("b1"), b("b2"), b("b3")), b);
        Sequence headA = base.pushLeft(List.of(b("p1"), b("p2")), a);
        Sequence headB = base.pushLeft(List.of(b("q1"), b("q2")), b);
        Sequence onA = base.merge(fromA).merge(fromB);
        assertThat(onA).isEqualTo(base.merge(fromB).merge(fromA));
        List<String> tail = onA.values().subList(1, 7).stream().map(Bytes::utf8).toList();
        assertThat(tail).isIn(List.of("a1", "a2", "a3", "b1", "b2", "b3"), List.of("b1", "b2", "b3", "a1", "a2", "a3"));
        List<String> head = base.merge(headA).merge(headB).values().subList(0, 4).stream().map(Bytes::utf8).toList();
        assertThat(head).isIn(List.of("p2", "p1", "q2", "q1"), List.of("q2", "q1", "p2", "p1"));
    }

    @Example
    void concurrentPopsReturnTheSameElementOnceRemoved() {
        Sequence base = Sequence.EMPTY.pushRight(List.of(b("1"), b("2")), a);
        Sequence.Removal popA = base.popLeft(1, a);
        Sequence.Removal popB = base.popLeft(1, b);
        assertThat(popA.values()).isEqualTo(popB.values()).containsExactly(b("1"));
        Sequence converged = base.merge(popA.delta()).merge(popB.delta());
        assertThat(converged.values()).containsExactly(b("2"));
    }

    @Example
    void aDeletedKeyIsCollectableOnlyOnceTheDeleteIsCausallyStable() {
        OrMap h = OrMap.EMPTY.put(Map.of(b("f"), b("v")), a);
        OrMap deleted = h.merge(h.clear(a));
        assertThat(deleted.isEmpty()).isTrue();
        Stamp deleteStamp = deleted.latest();
        assertThat(deleted.isCollectable(new Stamp(deleteStamp.time() - 1, Long.MAX_VALUE))).isFalse();
        assertThat(deleted.isCollectable(deleteStamp)).isTrue();
        assertThat(h.isCollectable(a.next())).as("a live key is never collectable").isFalse();
        // after the key is dropped and re-created, its dots cannot collide with the old lifetime's
        OrMap recreated = OrMap.EMPTY.put(b("f"), b("w"), a);
        OrMap lagging = deleted.merge(recreated);
        assertThat(lagging.get(b("f")).orElseThrow().bytes()).isEqualTo(b("w"));
    }

    @Example
    void hashFieldsAsSortedSetScoresTakeZaddAsAssignmentAndZincrbyAsIncrement() {
        OrMap z = OrMap.EMPTY.put(b("m"), b("1.5"), a);
        z = z.merge(z.incrementFloat(b("m"), 2.25, a));
        assertThat(z.get(b("m")).orElseThrow().asDouble()).hasValue(3.75);
        OrMap concurrent1 = z.incrementFloat(b("m"), 1, a);
        OrMap concurrent2 = z.incrementFloat(b("m"), 1, b);
        assertThat(z.merge(concurrent1).merge(concurrent2).get(b("m")).orElseThrow().bytes()).isEqualTo(b("5.75"));
    }
}
