package io.hyperkv.crdt;

import java.util.Collections;
import java.util.Iterator;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.BiFunction;

/**
 * A dot store mapping each live dot to the value its operation wrote (Almeida et al.'s "DotFun").
 * On its own it is not a lattice: it is joined together with the causal contexts of both sides,
 * which is what makes removal need no tombstone. A dot in one store survives the join unless the
 * other side's context has seen it and dropped it.
 *
 * <p>Immutable; iteration in dot order, so encodings and digests are canonical. The same dot names
 * the same operation on every replica, so both sides normally hold equal values for a shared dot;
 * if they do not (a forged or corrupted state), the greater value wins so that the join stays
 * commutative.
 */
public final class DotFun<V extends Comparable<V>> implements Iterable<Map.Entry<Dot, V>> {

    @SuppressWarnings({"rawtypes", "unchecked"})
    private static final DotFun EMPTY = new DotFun(Collections.emptySortedMap());

    private final SortedMap<Dot, V> entries;

    private DotFun(SortedMap<Dot, V> entries) {
        this.entries = entries;
    }

    @SuppressWarnings("unchecked")
    public static <V extends Comparable<V>> DotFun<V> empty() {
        return (DotFun<V>) EMPTY;
    }

    public static <V extends Comparable<V>> DotFun<V> of(Dot dot, V value) {
        SortedMap<Dot, V> m = new TreeMap<>();
        m.put(dot, value);
        return new DotFun<>(Collections.unmodifiableSortedMap(m));
    }

    /** Takes ownership of {@code entries}. */
    static <V extends Comparable<V>> DotFun<V> wrap(SortedMap<Dot, V> entries) {
        return entries.isEmpty() ? empty() : new DotFun<>(Collections.unmodifiableSortedMap(entries));
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    public int size() {
        return entries.size();
    }

    public V get(Dot dot) {
        return entries.get(dot);
    }

    public Iterable<Dot> dots() {
        return entries.keySet();
    }

    @Override
    public Iterator<Map.Entry<Dot, V>> iterator() {
        return entries.entrySet().iterator();
    }

    /** This store with {@code dot → value} added. */
    public DotFun<V> plus(Dot dot, V value) {
        SortedMap<Dot, V> m = new TreeMap<>(entries);
        m.put(dot, value);
        return wrap(m);
    }

    /**
     * The join of {@code a} (seen with context {@code ca}) and {@code b} (seen with {@code cb}):
     * dots in both, plus dots of one side the other side has not seen.
     */
    public static <V extends Comparable<V>> DotFun<V> join(DotFun<V> a, CausalContext ca, DotFun<V> b, CausalContext cb) {
        if (b.isEmpty()) {
            return a.unseenBy(cb);
        }
        if (a.isEmpty()) {
            return b.unseenBy(ca);
        }
        if (a == b || a.entries.equals(b.entries)) {
            return a;
        }
        SortedMap<Dot, V> out = new TreeMap<>();
        boolean sameAsA = true;
        for (Map.Entry<Dot, V> e : a.entries.entrySet()) {
            V other = b.entries.get(e.getKey());
            if (other != null) {
                V v = e.getValue();
                V winner = v.compareTo(other) >= 0 ? v : other;
                sameAsA &= winner == v;
                out.put(e.getKey(), winner);
            } else if (!cb.contains(e.getKey())) {
                out.put(e.getKey(), e.getValue());
            } else {
                sameAsA = false;
            }
        }
        for (Map.Entry<Dot, V> e : b.entries.entrySet()) {
            if (!a.entries.containsKey(e.getKey()) && !ca.contains(e.getKey())) {
                out.put(e.getKey(), e.getValue());
                sameAsA = false;
            }
        }
        return sameAsA ? a : wrap(out);
    }

    /** The entries whose dots {@code context} has not seen; this very instance if that is all of them. */
    private DotFun<V> unseenBy(CausalContext context) {
        SortedMap<Dot, V> out = null;
        for (Map.Entry<Dot, V> e : entries.entrySet()) {
            if (context.contains(e.getKey())) {
                if (out == null) {
                    out = new TreeMap<>(entries.headMap(e.getKey()));
                }
            } else if (out != null) {
                out.put(e.getKey(), e.getValue());
            }
        }
        return out == null ? this : wrap(out);
    }

    /** Entries for which {@code keep} holds. */
    DotFun<V> filter(BiFunction<Dot, V, Boolean> keep) {
        SortedMap<Dot, V> out = new TreeMap<>();
        for (Map.Entry<Dot, V> e : entries.entrySet()) {
            if (keep.apply(e.getKey(), e.getValue())) {
                out.put(e.getKey(), e.getValue());
            }
        }
        return out.size() == entries.size() ? this : wrap(out);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DotFun<?> f && entries.equals(f.entries);
    }

    @Override
    public int hashCode() {
        return entries.hashCode();
    }

    @Override
    public String toString() {
        return entries.toString();
    }
}
