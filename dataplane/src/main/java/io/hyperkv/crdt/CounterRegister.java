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
 * <p>Each node keeps one live increment holding its running total and replaces it on every
 * increment, and every write drops the dead contributions it has seen. A running total concurrent
 * with a DEL includes what the DEL removed, so the DEL leaves an {@link Contribution.Offset} per
 * counted increment it removed, and readers subtract the latest one below each live total; later
 * offsets of the same node make earlier ones dead, and a SET drops them all. The store stays at most
 * one assignment plus, per node, one increment and (after deletes) one offset in the steady state.
 * Immutable.
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
        return !RegisterValue.exists(store);
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
        DotMinter minter = new DotMinter(context, clock);
        DotFun<Contribution> offsets = removal(store, minter);
        minter.stamp();
        return new CounterRegister(offsets, minter.context());
    }

    /**
     * The store of a delta removing the value held in {@code store} (DEL, HDEL, ZREM): covers every
     * assignment and increment seen, and for each counted increment leaves an {@link Contribution.Offset}
     * under a fresh dot, so that a concurrent increment of the same node, whose running total
     * includes what was removed, counts only what the removal had not seen. Earlier offsets stay
     * live: an increment concurrent with an earlier removal may still arrive.
     */
    static DotFun<Contribution> removal(DotFun<Contribution> store, DotMinter minter) {
        Stamp base = RegisterValue.resolve(store).map(RegisterValue::base).orElse(Stamp.ZERO);
        java.util.SortedMap<Dot, Contribution> offsets = new java.util.TreeMap<>();
        minter.cover(deadOffsets(store, base));
        for (Map.Entry<Dot, Contribution> e : store) {
            Contribution c = e.getValue();
            if (!c.isValue()) {
                continue;
            }
            minter.cover(List.of(e.getKey()));
            if (c instanceof Contribution.Increment inc && inc.base().compareTo(base) >= 0) {
                offsets.put(minter.mint(), new Contribution.Offset(e.getKey(), inc.base(), inc.integral(), inc.floating()));
            }
        }
        return DotFun.wrap(offsets);
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
     * every dead one (older assignments, increments and offsets against older bases, offsets made
     * redundant by a later one).
     *
     * <p>A running total is raw: it includes what removals took away, which their offsets record.
     * When a removal took the node's last total away, the node continues from the raw total its
     * latest offset recorded, so that offset (which stays live) still subtracts exactly what was
     * removed from this and every later total.
     */
    static Field incrementField(DotFun<Contribution> store, long integral, double floating, Stamp stamp, Dot dot) {
        if (!Double.isFinite(floating)) {
            throw new IllegalArgumentException("increment is NaN or Infinity");
        }
        Stamp base = RegisterValue.resolve(store).map(RegisterValue::base).orElse(Stamp.ZERO);
        long total = integral;
        double totalFloating = floating;
        Dot ownLatest = null;
        List<Dot> replaced = deadOffsets(store, base);
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
        long prevIntegral = 0;
        double prevFloating = 0;
        if (ownLatest != null) {
            Contribution.Increment prev = (Contribution.Increment) store.get(ownLatest);
            prevIntegral = prev.integral();
            prevFloating = prev.floating();
        } else {
            Contribution.Offset removed = RegisterValue.offsetFor(store, dot, base);
            if (removed != null) {
                prevIntegral = removed.integral();
                prevFloating = removed.floating();
            }
        }
        total = Math.addExact(prevIntegral, integral);
        totalFloating = prevFloating + floating;
        replaced.add(dot);
        return new Field(DotFun.of(dot, new Contribution.Increment(base, total, totalFloating)),
                CausalContext.of(stamp, replaced));
    }

    /**
     * Offsets no reader needs any more: those against a base older than {@code base}, and those of a
     * node and base for which a later offset (greater target, or the same target under a greater dot)
     * is live, since a node's totals only grow past the targets removals saw.
     */
    static List<Dot> deadOffsets(DotFun<Contribution> store, Stamp base) {
        List<Dot> dead = new ArrayList<>();
        for (Map.Entry<Dot, Contribution> e : store) {
            if (!(e.getValue() instanceof Contribution.Offset o)) {
                continue;
            }
            if (o.base().compareTo(base) < 0) {
                dead.add(e.getKey());
                continue;
            }
            for (Map.Entry<Dot, Contribution> f : store) {
                if (f.getValue() instanceof Contribution.Offset p && p.target().node() == o.target().node()
                        && p.base().equals(o.base())) {
                    int c = p.target().compareTo(o.target());
                    if (c > 0 || (c == 0 && f.getKey().compareTo(e.getKey()) > 0)) {
                        dead.add(e.getKey());
                        break;
                    }
                }
            }
        }
        return dead;
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
