package io.hyperkv.crdt;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A Redis list: a sequence CRDT whose elements sit at dense {@link Position}s built from the
 * inserting operation's HLC stamp and node, each holding a last-writer-wins value under dots in the
 * list's causal context.
 * <ul>
 *   <li>concurrent inserts at the same place are all kept, in the order of their positions, which is
 *       the same on every replica; the values of one multi-value push stay together;</li>
 *   <li>LSET assigns a new value (last writer wins against a concurrent LSET; an LSET concurrent with
 *       the element's removal keeps the element, like HSET ∥ HDEL);</li>
 *   <li>LREM, LTRIM and POP remove the elements they have seen; nothing is left behind, so removed
 *       elements need no garbage collection;</li>
 *   <li>POP is at-least-once across replicas: two replicas popping concurrently may both return the
 *       same element (it is removed once). Exactly-once would need consensus on every pop.</li>
 * </ul>
 * Reads by index walk the list (O(n)); the ends are O(log n). Immutable.
 */
public record Sequence(DotMap<Position, Contribution> store, CausalContext context) implements CausalCrdt<Sequence> {

    public static final Sequence EMPTY = new Sequence(DotMap.empty(), CausalContext.EMPTY);

    public Sequence {
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(context, "context");
    }

    /** What a removing operation took out, and the delta that removes it. */
    public record Removal(Sequence delta, List<Bytes> values) {
    }

    public int size() {
        return store.size();
    }

    @Override
    public boolean isEmpty() {
        return store.isEmpty();
    }

    /** All values, head first. */
    public List<Bytes> values() {
        List<Bytes> out = new ArrayList<>(store.size());
        for (Map.Entry<Position, DotFun<Contribution>> e : store) {
            out.add(valueOf(e.getValue()));
        }
        return out;
    }

    /** LINDEX: the value at {@code index} (negative counts from the tail). */
    public Optional<Bytes> get(long index) {
        List<Bytes> r = range(index, index);
        return r.isEmpty() ? Optional.empty() : Optional.of(r.get(0));
    }

    /** LRANGE with Redis's index rules. */
    public List<Bytes> range(long start, long stop) {
        long[] span = span(start, stop, size());
        if (span == null) {
            return List.of();
        }
        List<Bytes> out = new ArrayList<>((int) (span[1] - span[0] + 1));
        long i = 0;
        for (Map.Entry<Position, DotFun<Contribution>> e : store) {
            if (i > span[1]) {
                break;
            }
            if (i >= span[0]) {
                out.add(valueOf(e.getValue()));
            }
            i++;
        }
        return out;
    }

    /** LPUSH: the delta putting {@code values} at the head one after another (the last ends first). */
    public Sequence pushLeft(List<Bytes> values, Clock clock) {
        return push(values, clock, true);
    }

    /** RPUSH: the delta appending {@code values} in order. */
    public Sequence pushRight(List<Bytes> values, Clock clock) {
        return push(values, clock, false);
    }

    /**
     * One fresh position for the first value; the others hang one level below it, so the values of
     * one push stay together even when another replica pushes at the same end concurrently (the two
     * runs are ordered by their first positions instead of interleaving).
     */
    private Sequence push(List<Bytes> values, Clock clock, boolean left) {
        DotMinter minter = new DotMinter(context, clock);
        SortedMap<Position, DotFun<Contribution>> out = new TreeMap<>();
        Position first = null;
        long i = 0;
        for (Bytes v : values) {
            Dot dot = minter.mint();
            Stamp stamp = minter.stamp();
            Position p;
            if (first == null) {
                Position end = isEmpty() ? null : left ? store.view().firstKey() : store.view().lastKey();
                p = left ? Position.between(null, end, stamp) : Position.between(end, null, stamp);
                first = p;
            } else {
                i++;
                // i * STEP stays far inside the digit range for any list Redis can hold (2^32 elements)
                p = first.extend(left ? -i * Position.STEP : i * Position.STEP, stamp);
            }
            out.put(p, element(dot, stamp, v));
        }
        return new Sequence(DotMap.wrap(out), minter.context());
    }

    /**
     * LINSERT: the delta inserting {@code value} before or after the first element equal to
     * {@code pivot}; empty if there is none.
     */
    public Optional<Sequence> insert(Bytes pivot, boolean before, Bytes value, Clock clock) {
        Position prev = null;
        Iterator<Map.Entry<Position, DotFun<Contribution>>> it = store.iterator();
        while (it.hasNext()) {
            Map.Entry<Position, DotFun<Contribution>> e = it.next();
            if (valueOf(e.getValue()).equals(pivot)) {
                Position lower = before ? prev : e.getKey();
                Position upper = before ? e.getKey() : (it.hasNext() ? it.next().getKey() : null);
                DotMinter minter = new DotMinter(context, clock);
                Dot dot = minter.mint();
                Position p = Position.between(lower, upper, minter.stamp());
                SortedMap<Position, DotFun<Contribution>> out = new TreeMap<>();
                out.put(p, element(dot, minter.stamp(), value));
                return Optional.of(new Sequence(DotMap.wrap(out), minter.context()));
            }
            prev = e.getKey();
        }
        return Optional.empty();
    }

    /**
     * LSET: the delta assigning {@code value} at {@code index} (negative counts from the tail).
     * @throws IndexOutOfBoundsException if there is no such element
     */
    public Sequence set(long index, Bytes value, Clock clock) {
        long i = index < 0 ? index + size() : index;
        if (i < 0 || i >= size()) {
            throw new IndexOutOfBoundsException("index out of range");
        }
        Map.Entry<Position, DotFun<Contribution>> target = entryAt(i);
        DotMinter minter = new DotMinter(context, clock);
        minter.cover(target.getValue().dots());
        Dot dot = minter.mint();
        SortedMap<Position, DotFun<Contribution>> out = new TreeMap<>();
        out.put(target.getKey(), element(dot, minter.stamp(), value));
        return new Sequence(DotMap.wrap(out), minter.context());
    }

    /**
     * LREM: removes elements equal to {@code value}: the first {@code count} from the head if
     * positive, from the tail if negative, all if zero.
     */
    public Removal remove(long count, Bytes value, Clock clock) {
        List<Map.Entry<Position, DotFun<Contribution>>> entries = new ArrayList<>();
        store.forEach(entries::add);
        if (count < 0) {
            Collections.reverse(entries);
        }
        long limit = count == 0 ? Long.MAX_VALUE : (count == Long.MIN_VALUE ? Long.MAX_VALUE : Math.abs(count));
        List<Map.Entry<Position, DotFun<Contribution>>> victims = new ArrayList<>();
        for (Map.Entry<Position, DotFun<Contribution>> e : entries) {
            if (victims.size() >= limit) {
                break;
            }
            if (valueOf(e.getValue()).equals(value)) {
                victims.add(e);
            }
        }
        return removing(victims, clock);
    }

    /** LPOP with a count: removes up to {@code count} elements from the head. */
    public Removal popLeft(long count, Clock clock) {
        List<Map.Entry<Position, DotFun<Contribution>>> victims = new ArrayList<>();
        for (Map.Entry<Position, DotFun<Contribution>> e : store) {
            if (victims.size() >= count) {
                break;
            }
            victims.add(e);
        }
        return removing(victims, clock);
    }

    /** RPOP with a count: removes up to {@code count} elements from the tail, tail first. */
    public Removal popRight(long count, Clock clock) {
        List<Map.Entry<Position, DotFun<Contribution>>> victims = new ArrayList<>();
        SortedMap<Position, DotFun<Contribution>> view = store.view();
        while (victims.size() < count && !view.isEmpty()) {
            Position last = view.lastKey();
            victims.add(Map.entry(last, view.get(last)));
            view = view.headMap(last);
        }
        return removing(victims, clock);
    }

    /** LTRIM: removes every element outside [start, stop] (Redis's index rules). */
    public Removal trim(long start, long stop, Clock clock) {
        long[] span = span(start, stop, size());
        List<Map.Entry<Position, DotFun<Contribution>>> victims = new ArrayList<>();
        long i = 0;
        for (Map.Entry<Position, DotFun<Contribution>> e : store) {
            if (span == null || i < span[0] || i > span[1]) {
                victims.add(e);
            }
            i++;
        }
        return removing(victims, clock);
    }

    @Override
    public Sequence clear(Clock clock) {
        List<Map.Entry<Position, DotFun<Contribution>>> all = new ArrayList<>();
        store.forEach(all::add);
        return removing(all, clock).delta();
    }

    @Override
    public Sequence merge(Sequence other) {
        return new Sequence(DotMap.join(store, context, other.store, other.context), context.union(other.context));
    }

    private Removal removing(List<Map.Entry<Position, DotFun<Contribution>>> victims, Clock clock) {
        DotMinter minter = new DotMinter(context, clock);
        List<Bytes> values = new ArrayList<>(victims.size());
        for (Map.Entry<Position, DotFun<Contribution>> e : victims) {
            minter.cover(e.getValue().dots());
            values.add(valueOf(e.getValue()));
        }
        return new Removal(new Sequence(DotMap.empty(), minter.context()), values);
    }

    private Map.Entry<Position, DotFun<Contribution>> entryAt(long index) {
        long i = 0;
        for (Map.Entry<Position, DotFun<Contribution>> e : store) {
            if (i++ == index) {
                return e;
            }
        }
        throw new IndexOutOfBoundsException("index out of range");
    }

    private static DotFun<Contribution> element(Dot dot, Stamp stamp, Bytes value) {
        return DotFun.of(dot, new Contribution.Assign(stamp, value));
    }

    /** The element's value: its highest-stamped assignment. */
    private static Bytes valueOf(DotFun<Contribution> element) {
        Contribution.Assign best = null;
        for (Map.Entry<Dot, Contribution> e : element) {
            if (e.getValue() instanceof Contribution.Assign a && (best == null || a.compareTo(best) > 0)) {
                best = a;
            }
        }
        return best == null ? Bytes.EMPTY : best.value();
    }

    /** Redis's LRANGE/LTRIM normalisation: the inclusive [from, to] inside [0, size), or null if empty. */
    static long[] span(long start, long stop, long size) {
        if (start < 0) {
            start = Math.max(0, start + size);
        }
        if (stop < 0) {
            stop = stop + size;
        }
        if (stop >= size) {
            stop = size - 1;
        }
        if (start > stop || start >= size) {
            return null;
        }
        return new long[] {start, stop};
    }
}
