package io.hyperkv.crdt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.Size;

/**
 * The laws every CRDT of this package must obey, checked on states reached by random scenarios of
 * three replicas. A subclass per type supplies the empty state, the operations with their Redis
 * model, and the observable view.
 */
abstract class CrdtLaws<S extends Crdt<S>, V> {

    static final int TRIES = 150;

    abstract S empty();

    abstract Arbitrary<Op<S, V>> ops();

    abstract V view(S state);

    abstract Class<S> type();

    @Provide
    Arbitrary<List<Simulation.Step<S>>> scenario() {
        Arbitrary<Simulation.Step<S>> apply = Arbitraries.integers().between(0, Simulation.REPLICAS - 1)
                .flatMap(r -> ops().map(op -> new Simulation.Apply<>(r, op)));
        Arbitrary<Simulation.Step<S>> deliver = Arbitraries.integers().between(0, 999)
                .flatMap(i -> Arbitraries.integers().between(0, 4).map(d -> new Simulation.Deliver<>(i, d == 0)));
        Arbitrary<Simulation.Step<S>> drop = Arbitraries.integers().between(0, 999).map(Simulation.Drop::new);
        Arbitrary<Simulation.Step<S>> tick = Arbitraries.integers().between(0, 4).map(Simulation.Tick::new);
        @SuppressWarnings("unchecked")
        Arbitrary<Simulation.Step<S>> step = Arbitraries.frequencyOf(
                Tuple.of(6, apply), Tuple.of(5, deliver), Tuple.of(1, drop), Tuple.of(2, tick));
        return step.list().ofMaxSize(40);
    }

    @Provide
    Arbitrary<Op<S, V>> op() {
        return ops();
    }

    Simulation<S> simulate(List<Simulation.Step<S>> steps) {
        Simulation<S> sim = new Simulation<>(empty());
        sim.run(steps);
        return sim;
    }

    @Property(tries = TRIES)
    void mergeIsCommutativeAssociativeAndIdempotent(@ForAll("scenario") List<Simulation.Step<S>> steps) {
        Simulation<S> sim = simulate(steps);
        S a = sim.states.get(0);
        S b = sim.states.get(1);
        S c = sim.states.get(2);
        assertThat(a.merge(b)).isEqualTo(b.merge(a));
        assertThat(a.merge(b).merge(c)).isEqualTo(a.merge(b.merge(c)));
        assertThat(a.merge(a)).isEqualTo(a);
        assertThat(a.merge(empty())).isEqualTo(a);
        for (S delta : sim.allDeltas) {
            assertThat(a.merge(delta).merge(delta)).isEqualTo(a.merge(delta));
            assertThat(delta.merge(a)).isEqualTo(a.merge(delta));
        }
    }

    @Property(tries = TRIES)
    void replicasConvergeWhateverTheDeliveryOrderDuplicatesAndLosses(@ForAll("scenario") List<Simulation.Step<S>> steps) {
        Simulation<S> sim = simulate(steps);
        S everything = empty();
        for (S delta : sim.allDeltas) {
            everything = everything.merge(delta);
        }
        if (!sim.lost) {
            sim.drain();
            assertThat(sim.states).allSatisfy(s -> assertThat(s).isEqualTo(sim.states.get(0)));
        }
        sim.exchangeFullState();
        for (S s : sim.states) {
            assertThat(s).isEqualTo(everything);
            assertThat(view(s)).isEqualTo(view(everything));
        }
    }

    @Property(tries = TRIES)
    void mergingTheDeltaHasTheEffectOfTheOperation(@ForAll("scenario") List<Simulation.Step<S>> steps,
                                                   @ForAll("op") Op<S, V> op) {
        Simulation<S> sim = simulate(steps);
        S before = sim.states.get(0);
        S delta = op.delta().apply(before, sim.clocks.get(0));
        S after = before.merge(delta);
        assertThat(view(after)).as("after %s", op).isEqualTo(op.model().apply(view(before)));
        assertThat(after.merge(delta)).isEqualTo(after);
        // a peer that already had the same state reaches the same state from the delta alone
        S peer = sim.states.get(1).merge(before);
        assertThat(peer.merge(delta)).isEqualTo(peer.merge(after));
    }

    @Property(tries = TRIES)
    void everyStateAndDeltaSurvivesTheCodec(@ForAll("scenario") List<Simulation.Step<S>> steps) throws CodecException {
        Simulation<S> sim = simulate(steps);
        List<S> all = new ArrayList<>(sim.states);
        all.addAll(sim.allDeltas);
        all.add(empty());
        for (S s : all) {
            byte[] bytes = CrdtCodec.encode(s);
            S back = CrdtCodec.decode(bytes, type());
            assertThat(back).isEqualTo(s);
            assertThat(CrdtCodec.encode(back)).isEqualTo(bytes);
        }
    }

    @Property(tries = TRIES)
    void corruptedEncodingsFailCleanlyOrDecodeCanonically(@ForAll("scenario") List<Simulation.Step<S>> steps,
                                                         @ForAll int position, @ForAll byte value, @ForAll boolean truncate) {
        Simulation<S> sim = simulate(steps);
        byte[] bytes = CrdtCodec.encode(sim.states.get(0).merge(sim.states.get(1)));
        int i = Math.floorMod(position, bytes.length);
        byte[] forged = truncate ? Arrays.copyOf(bytes, i) : bytes.clone();
        if (!truncate) {
            forged[i] = value;
        }
        assertDecodesCanonicallyOrFailsCleanly(forged);
    }

    @Property(tries = TRIES)
    void randomBytesAfterAValidHeaderFailCleanlyOrDecodeCanonically(@ForAll @Size(max = 64) byte[] body) {
        byte[] forged = new byte[body.length + 2];
        forged[0] = CrdtCodec.FORMAT_VERSION;
        forged[1] = CrdtCodec.encode(empty())[1];
        System.arraycopy(body, 0, forged, 2, body.length);
        assertDecodesCanonicallyOrFailsCleanly(forged);
    }

    static void assertDecodesCanonicallyOrFailsCleanly(byte[] forged) {
        Crdt<?> decoded;
        try {
            decoded = CrdtCodec.decode(forged);
        } catch (CodecException e) {
            return;
        }
        assertThat(CrdtCodec.encode(decoded)).as("an accepted encoding is canonical").isEqualTo(forged);
    }

    static void assertRejected(byte[] forged) {
        assertThatThrownBy(() -> CrdtCodec.decode(forged)).isInstanceOf(CodecException.class);
    }
}
