package io.hyperkv.crdt;

import static io.hyperkv.crdt.Universe.b;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.Example;

/**
 * A node that restarts with the last writes of a key lost locally (appendfsync everysec) but
 * already replicated to a peer must not mint those dots again for new operations: the peer would
 * take the new operation for one it has already seen and drop it, and the old one would be
 * dropped on the restarted node, so both acknowledged writes vanish on every replica.
 */
class DotReuseAfterRestartTest {

    private final AtomicLong wall = new AtomicLong(1_700_000_000_000L);
    private final AtomicLong durableMark = new AtomicLong();
    private final HybridLogicalClock peer = new HybridLogicalClock(2, wall::get, 0, 60_000, 10_000, m -> { });

    private HybridLogicalClock startNodeOne() {
        return new HybridLogicalClock(1, wall::get, durableMark.get(), 60_000, 10_000, durableMark::set);
    }

    @Example
    void saddAfterARestartThatLostTheLastSaddKeepsBothMembersEverywhere() {
        HybridLogicalClock first = startNodeOne();
        OrSet durable = OrSet.EMPTY.merge(OrSet.EMPTY.add(b("x"), first));
        OrSet lostLocally = durable.add(b("y"), first);
        OrSet onPeer = OrSet.EMPTY.merge(durable).merge(lostLocally);

        // restart: the clock comes back from its durable high-water mark, the key from the older state
        HybridLogicalClock second = startNodeOne();
        OrSet added = durable.add(b("z"), second);
        OrSet onNode = durable.merge(added);
        onPeer = onPeer.merge(added);

        OrSet nodeAfterSync = onNode.merge(onPeer);
        OrSet peerAfterSync = onPeer.merge(onNode);
        assertThat(nodeAfterSync).isEqualTo(peerAfterSync);
        assertThat(nodeAfterSync.members()).containsExactly(b("x"), b("y"), b("z"));
    }

    @Example
    void setAfterARestartThatLostTheLastIncrementIsNotTakenForTheLostOne() {
        HybridLogicalClock first = startNodeOne();
        CounterRegister durable = CounterRegister.EMPTY.merge(CounterRegister.EMPTY.increment(5, first));
        CounterRegister lostLocally = durable.increment(1, first);
        CounterRegister onPeer = CounterRegister.EMPTY.merge(durable).merge(lostLocally);

        HybridLogicalClock second = startNodeOne();
        CounterRegister set = durable.assign(b("100"), second);
        CounterRegister onNode = durable.merge(set);
        onPeer = onPeer.merge(set);

        assertThat(onNode.merge(onPeer)).isEqualTo(onPeer.merge(onNode));
        assertThat(onPeer.merge(onNode).value().orElseThrow().bytes()).isEqualTo(b("100"));
    }

    @Example
    void rpushAfterARestartThatLostTheLastPushKeepsEveryElement() {
        HybridLogicalClock first = startNodeOne();
        Sequence durable = Sequence.EMPTY.merge(Sequence.EMPTY.pushRight(List.of(b("a")), first));
        Sequence lostLocally = durable.pushRight(List.of(b("b")), first);
        Sequence onPeer = Sequence.EMPTY.merge(durable).merge(lostLocally);

        HybridLogicalClock second = startNodeOne();
        Sequence pushed = durable.pushRight(List.of(b("c")), second);
        Sequence onNode = durable.merge(pushed);
        onPeer = onPeer.merge(pushed);

        assertThat(onNode.merge(onPeer)).isEqualTo(onPeer.merge(onNode));
        assertThat(onNode.merge(onPeer).size()).isEqualTo(3);
    }
}
