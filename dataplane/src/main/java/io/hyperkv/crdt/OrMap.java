package io.hyperkv.crdt;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A Redis hash (field → value) or sorted set (member → score): an observed-remove map whose values
 * are {@link CounterRegister}-style registers sharing the map's causal context.
 * <ul>
 *   <li>HSET/ZADD assign (last writer wins between concurrent assignments);</li>
 *   <li>HINCRBY/HINCRBYFLOAT/ZINCRBY add (concurrent increments add up; an increment concurrent with
 *       an assignment of the same field is dropped, as for strings);</li>
 *   <li>HDEL/ZREM remove only the contributions they have seen: an update concurrent with the
 *       removal keeps the field, with the value of the updates the removal had not seen.</li>
 * </ul>
 * Immutable.
 */
public record OrMap(DotMap<Bytes, Contribution> store, CausalContext context) implements CausalCrdt<OrMap> {

    public static final OrMap EMPTY = new OrMap(DotMap.empty(), CausalContext.EMPTY);

    public OrMap {
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(context, "context");
    }

    public Optional<RegisterValue> get(Bytes field) {
        return RegisterValue.resolve(store.get(field));
    }

    /** True if {@code field} has a value; a field holding only removal offsets has none. */
    public boolean containsKey(Bytes field) {
        return RegisterValue.exists(store.get(field));
    }

    /** Number of fields with a value (linear: offset-only entries are skipped). */
    public int size() {
        int n = 0;
        for (Map.Entry<Bytes, DotFun<Contribution>> e : store) {
            if (RegisterValue.exists(e.getValue())) {
                n++;
            }
        }
        return n;
    }

    @Override
    public boolean isEmpty() {
        for (Map.Entry<Bytes, DotFun<Contribution>> e : store) {
            if (RegisterValue.exists(e.getValue())) {
                return false;
            }
        }
        return true;
    }

    /** Fields with a value, in unsigned lexicographic order. */
    public List<Bytes> fields() {
        List<Bytes> out = new ArrayList<>(store.size());
        for (Map.Entry<Bytes, DotFun<Contribution>> e : store) {
            if (RegisterValue.exists(e.getValue())) {
                out.add(e.getKey());
            }
        }
        return out;
    }

    /** HSET / ZADD: the delta assigning every given field. */
    public OrMap put(Map<Bytes, Bytes> fields, Clock clock) {
        DotMinter minter = new DotMinter(context, clock);
        SortedMap<Bytes, DotFun<Contribution>> out = new TreeMap<>();
        for (Map.Entry<Bytes, Bytes> e : fields.entrySet()) {
            minter.cover(store.get(e.getKey()).dots());
            Dot dot = minter.mint();
            out.put(e.getKey(), DotFun.of(dot, new Contribution.Assign(minter.stamp(), e.getValue())));
        }
        return new OrMap(DotMap.wrap(out), minter.context());
    }

    public OrMap put(Bytes field, Bytes value, Clock clock) {
        return put(Map.of(field, value), clock);
    }

    /**
     * HINCRBY: the delta adding {@code by} to {@code field}.
     * @throws ArithmeticException if this node's running total for the field overflows
     */
    public OrMap increment(Bytes field, long by, Clock clock) {
        return increment(field, by, 0.0, clock);
    }

    /**
     * HINCRBYFLOAT / ZINCRBY: the delta adding {@code by} to {@code field}.
     * @throws IllegalArgumentException if {@code by} or this node's running total is not finite
     */
    public OrMap incrementFloat(Bytes field, double by, Clock clock) {
        return increment(field, 0, by, clock);
    }

    private OrMap increment(Bytes field, long integral, double floating, Clock clock) {
        DotMinter minter = new DotMinter(context, clock);
        Dot dot = minter.mint();
        CounterRegister.Field f = CounterRegister.incrementField(store.get(field), integral, floating, minter.stamp(), dot);
        SortedMap<Bytes, DotFun<Contribution>> out = new TreeMap<>();
        out.put(field, f.store());
        return new OrMap(DotMap.wrap(out), f.context());
    }

    /** HDEL / ZREM: the delta removing what this replica has seen of {@code fields}. */
    public OrMap remove(Collection<Bytes> fields, Clock clock) {
        DotMinter minter = new DotMinter(context, clock);
        SortedMap<Bytes, DotFun<Contribution>> out = new TreeMap<>();
        for (Bytes f : new java.util.TreeSet<>(fields)) {
            removeInto(out, f, store.get(f), minter);
        }
        minter.stamp();
        return new OrMap(DotMap.wrap(out), minter.context());
    }

    @Override
    public OrMap clear(Clock clock) {
        DotMinter minter = new DotMinter(context, clock);
        SortedMap<Bytes, DotFun<Contribution>> out = new TreeMap<>();
        for (Map.Entry<Bytes, DotFun<Contribution>> e : store) {
            removeInto(out, e.getKey(), e.getValue(), minter);
        }
        minter.stamp();
        return new OrMap(DotMap.wrap(out), minter.context());
    }

    /** Covers the field's value and keeps the offsets a concurrent increment needs (see {@link CounterRegister#removal}). */
    private static void removeInto(SortedMap<Bytes, DotFun<Contribution>> out, Bytes field,
                                   DotFun<Contribution> value, DotMinter minter) {
        DotFun<Contribution> offsets = CounterRegister.removal(value, minter);
        if (!offsets.isEmpty()) {
            out.put(field, offsets);
        }
    }

    @Override
    public OrMap merge(OrMap other) {
        return new OrMap(DotMap.join(store, context, other.store, other.context), context.union(other.context));
    }
}
