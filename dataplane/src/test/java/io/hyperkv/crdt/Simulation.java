package io.hyperkv.crdt;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Three replicas of one CRDT, each with its own hybrid logical clock on a shared, skewed fake wall
 * clock, exchanging deltas through an unreliable network: messages can be delivered in any order,
 * more than once, or never. Single-threaded and deterministic for a given list of steps.
 */
final class Simulation<S extends Crdt<S>> {

    static final int REPLICAS = 3;
    /** Node ids chosen to exercise unsigned ordering: one has the sign bit set. */
    static final long[] NODES = {7L, 0x8000_0000_0000_0011L, 42L};

    /** One step of a scenario. */
    sealed interface Step<S extends Crdt<S>> permits Apply, Deliver, Drop, Tick {
    }

    /** Replica {@code replica} performs {@code op} and sends the delta to both peers. */
    record Apply<S extends Crdt<S>>(int replica, Op<S, ?> op) implements Step<S> {
    }

    /** The pending message picked by {@code pick} is delivered; it stays pending if {@code duplicate}. */
    record Deliver<S extends Crdt<S>>(int pick, boolean duplicate) implements Step<S> {
    }

    /** The pending message picked by {@code pick} is lost. */
    record Drop<S extends Crdt<S>>(int pick) implements Step<S> {
    }

    /** The wall clock moves forward. */
    record Tick<S extends Crdt<S>>(int millis) implements Step<S> {
    }

    record Message<S>(int to, S delta) {
    }

    private final AtomicLong wall = new AtomicLong(1_700_000_000_000L);
    final List<S> states = new ArrayList<>();
    final List<HybridLogicalClock> clocks = new ArrayList<>();
    final List<Message<S>> pending = new ArrayList<>();
    final List<S> allDeltas = new ArrayList<>();
    boolean lost;

    Simulation(S empty) {
        long[] skew = {0, 3, -2};
        for (int i = 0; i < REPLICAS; i++) {
            long s = skew[i];
            states.add(empty);
            clocks.add(new HybridLogicalClock(NODES[i], () -> wall.get() + s, 0, Long.MAX_VALUE / 4, 1000, mark -> { }));
        }
    }

    void run(List<Step<S>> steps) {
        for (Step<S> step : steps) {
            apply(step);
        }
    }

    void apply(Step<S> step) {
        if (step instanceof Apply<S> a) {
            S delta = a.op().delta().apply(states.get(a.replica()), clocks.get(a.replica()));
            states.set(a.replica(), states.get(a.replica()).merge(delta));
            allDeltas.add(delta);
            for (int to = 0; to < REPLICAS; to++) {
                if (to != a.replica()) {
                    pending.add(new Message<>(to, delta));
                }
            }
        } else if (step instanceof Deliver<S> d) {
            if (!pending.isEmpty()) {
                int i = Math.floorMod(d.pick(), pending.size());
                Message<S> m = d.duplicate() ? pending.get(i) : pending.remove(i);
                receive(m.to(), m.delta());
            }
        } else if (step instanceof Drop<S> d) {
            if (!pending.isEmpty()) {
                pending.remove(Math.floorMod(d.pick(), pending.size()));
                lost = true;
            }
        } else if (step instanceof Tick<S> t) {
            wall.addAndGet(t.millis());
        }
    }

    void receive(int replica, S delta) {
        clocks.get(replica).observe(delta.latest());
        states.set(replica, states.get(replica).merge(delta));
    }

    /** Delivers everything still pending, in order. */
    void drain() {
        while (!pending.isEmpty()) {
            Message<S> m = pending.remove(0);
            receive(m.to(), m.delta());
        }
    }

    /** Anti-entropy: every replica merges every other replica's full state. */
    void exchangeFullState() {
        for (int round = 0; round < 2; round++) {
            for (int from = 0; from < REPLICAS; from++) {
                for (int to = 0; to < REPLICAS; to++) {
                    if (from != to) {
                        receive(to, states.get(from));
                    }
                }
            }
        }
    }
}
