package io.hyperkv.crdt;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A string value: a last-writer-wins register with a PN counter over it, as Redis strings are both
 * (SET/APPEND/SETRANGE assign, INCR/DECR/INCRBY/INCRBYFLOAT add). Also the value of a hash field
 * and of a sorted-set member's score, through {@link OrMap}.
 *
 * <p>Semantics (see {@link RegisterValue} for how a value is read):
 * <ul>
 *   <li>SET ∥ SET: the higher (HLC, node) stamp wins;</li>
 *   <li>INCR ∥ INCR: both count;</li>
 *   <li>SET then INCR on one replica: exactly Redis;</li>
 *   <li>SET ∥ INCR: the SET wins and the concurrent increment is dropped, because it was made against
 *       an older base. This is the documented price of SET being a reset;</li>
 *   <li>DEL ∥ INCR: the increment the DEL had not seen survives, on a base of 0.</li>
 * </ul>
 * APPEND and SETRANGE are assignments of the new bytes (the command layer computes them from
 * {@link #value()}).
 *
 * <p>Each node keeps at most one live increment per base and replaces it on every increment, and
 * every write drops the dead contributions it has seen, so the store stays at most one entry per
 * node plus one assignment in the steady state. Immutable.
 */
public record CounterRegister(DotFun<Contribution> store, CausalContext context) implements CausalCrdt<CounterRegister> {

    public static final CounterRegister EMPTY = new CounterRegister(DotFun.empty(), CausalContext.EMPTY);

    public CounterRegister {
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(context, "context");
    }

    /** The value a reader sees, empty if the register does not exist. */
    public Optional<RegisterValue> value() {
        return RegisterValue.resolve(store);
    }

    @Override
    public boolean isEmpty() {
        return store.isEmpty();
    }

    /** SET: the delta that assigns {@code value}, replacing everything this replica has seen. */
    public CounterRegister assign(Bytes value, Clock clock) {
        Stamp stamp = clock.next();
        Dot dot = context.nextDot(stamp, clock.restartFloor());
        return new CounterRegister(DotFun.of(dot, new Contribution.Assign(stamp, value)),
                contextOf(store.dots(), dot, stamp));
    }

    /**
     * INCRBY: the delta that adds {@code by}. The command layer checks the visible value for
     * overflow first, as Redis does.
     * @throws ArithmeticException if this node's running total against the current base overflows
     */
    public CounterRegister increment(long by, Clock clock) {
        return increment(by, 0.0, clock);
    }

    /**
     * INCRBYFLOAT / ZINCRBY: the delta that adds {@code by}.
     * @throws IllegalArgumentException if {@code by} or this node's running total is not finite
     */
    public CounterRegister incrementFloat(double by, Clock clock) {
        return increment(0, by, clock);
    }

    private CounterRegister increment(long integral, double floating, Clock clock) {
        Stamp stamp = clock.next();
        Dot dot = context.nextDot(stamp, clock.restartFloor());
        Field f = incrementField(store, integral, floating, stamp, dot);
        return new CounterRegister(f.store(), f.context());
    }

    @Override
    public CounterRegister clear(Clock clock) {
        Stamp stamp = clock.next();
        return new CounterRegister(DotFun.empty(), contextOf(store.dots(), null, stamp));
    }

    @Override
    public CounterRegister merge(CounterRegister other) {
        return new CounterRegister(DotFun.join(store, context, other.store, other.context), context.union(other.context));
    }

    /** A register delta: what an increment adds, and the context naming what it replaces. */
    record Field(DotFun<Contribution> store, CausalContext context) {
    }

    /**
     * The delta of an increment on {@code store}: one new contribution holding this node's new
     * running total against the current base; the context covers the contribution it replaces and
     * every dead one (older assignments, increments against older bases).
     */
    static Field incrementField(DotFun<Contribution> store, long integral, double floating, Stamp stamp, Dot dot) {
        if (!Double.isFinite(floating)) {
            throw new IllegalArgumentException("increment is NaN or Infinity");
        }
        Stamp base = RegisterValue.resolve(store).map(RegisterValue::base).orElse(Stamp.ZERO);
        long total = integral;
        double totalFloating = floating;
        Dot ownLatest = null;
        List<Dot> replaced = new ArrayList<>();
        for (Map.Entry<Dot, Contribution> e : store) {
            Contribution c = e.getValue();
            if (c instanceof Contribution.Assign a) {
                if (a.stamp().compareTo(base) < 0) {
                    replaced.add(e.getKey());
                }
            } else if (c instanceof Contribution.Increment inc) {
                int cmp = inc.base().compareTo(base);
                if (cmp < 0) {
                    replaced.add(e.getKey());
                } else if (cmp == 0 && e.getKey().node() == stamp.node()) {
                    replaced.add(e.getKey());
                    if (ownLatest == null || e.getKey().compareTo(ownLatest) > 0) {
                        ownLatest = e.getKey();
                    }
                }
            }
        }
        if (ownLatest != null) {
            Contribution.Increment prev = (Contribution.Increment) store.get(ownLatest);
            total = Math.addExact(prev.integral(), integral);
            totalFloating = prev.floating() + floating;
        }
        replaced.add(dot);
        return new Field(DotFun.of(dot, new Contribution.Increment(base, total, totalFloating)),
                CausalContext.of(stamp, replaced));
    }

    /** A context holding {@code dots}, {@code extra} if not null, stamped {@code stamp}. */
    static CausalContext contextOf(Iterable<Dot> dots, Dot extra, Stamp stamp) {
        List<Dot> all = new ArrayList<>();
        dots.forEach(all::add);
        if (extra != null) {
            all.add(extra);
        }
        return CausalContext.of(stamp, all);
    }
}
