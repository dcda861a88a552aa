package io.hyperkv.cluster;

import static io.hyperkv.cluster.Members.ids;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hyperkv.cluster.CurrentTopology.Outcome;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class CurrentTopologyTest {

    private static final Topology BASE = Placement.standard().topology(1, Members.nodes(ids(1, 2, 3)), 2);
    private static final Topology OTHER = Placement.standard().topology(1, Members.nodes(ids(1, 2, 4)), 2);

    @Test
    void aNewNodeHasNoTopologyAndTakesTheFirstOffered() {
        CurrentTopology current = new CurrentTopology(null);
        assertThat(current.get()).isEmpty();
        assertThat(current.epoch()).isZero();
        CurrentTopology.Offer offer = current.offer(BASE.withEpoch(3));
        assertThat(offer.outcome()).isEqualTo(Outcome.INSTALLED);
        assertThat(offer.epochInForce()).isEqualTo(3);
        assertThat(current.get()).contains(BASE.withEpoch(3));
    }

    @Test
    void lowerEqualAndConflictingEpochsLeaveTheTopologyInForce() {
        CurrentTopology current = new CurrentTopology(BASE.withEpoch(5));
        assertThat(current.offer(BASE.withEpoch(4)).outcome()).isEqualTo(Outcome.STALE);
        assertThat(current.offer(BASE.withEpoch(5)).outcome()).isEqualTo(Outcome.ALREADY_IN_FORCE);
        CurrentTopology.Offer conflict = current.offer(OTHER.withEpoch(5));
        assertThat(conflict.outcome()).isEqualTo(Outcome.CONFLICT);
        assertThat(conflict.inForce()).isEqualTo(BASE.withEpoch(5));
        assertThat(current.offer(OTHER.withEpoch(6)).outcome()).isEqualTo(Outcome.INSTALLED);
        assertThat(current.get()).contains(OTHER.withEpoch(6));
    }

    @Test
    void aTopologyThatCannotBePersistedIsNotInstalled() {
        CurrentTopology current = new CurrentTopology(BASE.withEpoch(1));
        assertThatThrownBy(() -> current.offer(BASE.withEpoch(2), t -> {
            throw new IllegalStateException("disk full");
        })).hasMessage("disk full");
        assertThat(current.epoch()).isEqualTo(1);
        List<Long> persisted = new ArrayList<>();
        current.offer(BASE.withEpoch(2), t -> persisted.add(t.epoch()));
        current.offer(BASE.withEpoch(2), t -> persisted.add(t.epoch()));
        assertThat(persisted).containsExactly(2L);
    }

    @Property(tries = 200)
    void whateverTheOrderOfOffersTheHighestEpochEndsInForce(
            @ForAll @Size(min = 1, max = 20) List<@LongRange(min = 1, max = 50) Long> epochs) {
        CurrentTopology current = new CurrentTopology(null);
        for (long e : epochs) {
            current.offer(BASE.withEpoch(e));
        }
        assertThat(current.epoch()).isEqualTo(epochs.stream().mapToLong(Long::longValue).max().orElseThrow());
    }

    @Test
    void racingOffersEndWithTheHighestEpochAndNeverGoBack() throws Exception {
        CurrentTopology current = new CurrentTopology(null);
        List<Topology> offers = new ArrayList<>();
        for (int e = 1; e <= 200; e++) {
            offers.add(BASE.withEpoch(e));
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                final int offset = t;
                done.add(pool.submit(() -> {
                    go.await();
                    long seen = 0;
                    for (int i = offset; i < offers.size(); i += 4) {
                        // Each thread offers its share in descending order, so interleavings vary.
                        CurrentTopology.Offer o = current.offer(offers.get(offers.size() - 1 - i));
                        if (o.epochInForce() < seen) {
                            throw new AssertionError("epoch went back from " + seen + " to " + o.epochInForce());
                        }
                        seen = o.epochInForce();
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : done) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(current.epoch()).isEqualTo(200);
    }
}
