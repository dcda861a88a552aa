package io.hyperkv.crdt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** The hybrid logical clock: monotonic, persisted, bounded against peers far ahead. */
class HybridLogicalClockTest {

    private final AtomicLong wall = new AtomicLong(1_700_000_000_000L);
    private final List<Long> persisted = new ArrayList<>();

    private HybridLogicalClock clock(long restored) {
        return new HybridLogicalClock(1, wall::get, restored, 60_000, 10_000, persisted::add);
    }

    @Example
    void stampsIncreaseEvenWhenTheWallClockStandsStillOrGoesBack() {
        HybridLogicalClock c = clock(0);
        Stamp a = c.next();
        Stamp b = c.next();
        wall.addAndGet(-5_000);
        Stamp d = c.next();
        assertThat(b).isGreaterThan(a);
        assertThat(d).isGreaterThan(b);
        assertThat(b.physicalMillis()).isEqualTo(a.physicalMillis());
        assertThat(b.logical()).isEqualTo(a.logical() + 1);
    }

    @Example
    void logicalOverflowCarriesIntoTheMillisecond() {
        HybridLogicalClock c = clock(0);
        Stamp first = c.next();
        Stamp last = first;
        for (int i = 0; i < 70_000; i++) {
            Stamp s = c.next();
            assertThat(s).isGreaterThan(last);
            last = s;
        }
        assertThat(last.physicalMillis()).isEqualTo(first.physicalMillis() + 1);
    }

    @Example
    void hlcNeverDecreasesAcrossRestart() {
        HybridLogicalClock before = clock(0);
        Stamp lastBeforeCrash = null;
        for (int i = 0; i < 1000; i++) {
            lastBeforeCrash = before.next();
        }
        long mark = persisted.get(persisted.size() - 1);
        assertThat(before.highWaterMark()).isEqualTo(mark);
        // restart with the wall clock set back an hour (NTP step, VM restore)
        wall.addAndGet(-3_600_000);
        HybridLogicalClock after = clock(mark);
        Stamp first = after.next();
        assertThat(first).isGreaterThan(lastBeforeCrash);
        assertThat(Long.compareUnsigned(first.time(), mark)).isPositive();
    }

    @Example
    void theHighWaterMarkIsPersistedOncePerReservationWindowNotPerStamp() {
        HybridLogicalClock c = clock(0);
        for (int i = 0; i < 5_000; i++) {
            c.next();
            if (i % 100 == 0) {
                wall.addAndGet(1); // 50 ms in all, well inside one 10 s window
            }
        }
        assertThat(persisted).hasSize(1);
        wall.addAndGet(10_001);
        c.next();
        assertThat(persisted).hasSize(2);
    }

    @Example
    void aFailingPersisterIssuesNoStampAboveTheMark() {
        HybridLogicalClock c = new HybridLogicalClock(1, wall::get, 0, 60_000, 10_000, m -> {
            throw new IllegalStateException("disk full");
        });
        assertThatThrownBy(c::next).hasMessage("disk full");
        assertThat(c.lastTime()).isZero();
    }

    @Example
    void observingARemoteStampOrdersLaterLocalStampsAfterIt() {
        HybridLogicalClock c = clock(0);
        Stamp remote = new Stamp(Stamp.pack(wall.get() + 5_000, 3), 2);
        c.observe(remote);
        Stamp next = c.next();
        assertThat(next).isGreaterThan(remote);
        assertThat(Long.compareUnsigned(c.highWaterMark(), remote.time())).as("observed times are reserved too").isPositive();
    }

    @Example
    void aPeerTooFarAheadIsRejectedAndLeavesTheClockUnchanged() {
        HybridLogicalClock c = clock(0);
        Stamp mine = c.next();
        Stamp farAhead = new Stamp(Stamp.pack(wall.get() + 60_001, 0), 2);
        assertThatThrownBy(() -> c.observe(farAhead)).isInstanceOf(ClockSkewException.class)
                .hasMessageContaining("ahead of the local clock");
        assertThat(c.lastTime()).isEqualTo(mine.time());
        c.observe(new Stamp(Stamp.pack(wall.get() + 60_000, 0), 2));
        assertThat(c.next().physicalMillis()).isEqualTo(wall.get() + 60_000);
    }

    @Provide
    Arbitrary<List<Integer>> events() {
        // positive: wall moves by that many ms then next(); negative: observe a peer that far ahead/behind; 0: restart
        return Arbitraries.integers().between(-3_000, 3_000).list().ofMaxSize(60);
    }

    @Property(tries = 200)
    void stampsOfOneNodeStrictlyIncreaseThroughAnyMixOfEventsAndRestarts(@ForAll("events") List<Integer> events) {
        HybridLogicalClock c = clock(0);
        Stamp last = Stamp.ZERO;
        for (int e : events) {
            if (e == 0) {
                c = clock(c.highWaterMark());
            } else if (e % 2 == 0) {
                wall.addAndGet(e / 2);
            } else {
                c.observe(new Stamp(Stamp.pack(wall.get() + e, Math.abs(e) % 7), 9));
            }
            Stamp s = c.next();
            assertThat(s).isGreaterThan(last);
            last = s;
        }
    }
}
