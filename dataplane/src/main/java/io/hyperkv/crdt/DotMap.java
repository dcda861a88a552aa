package io.hyperkv.crdt;

import java.util.Collections;
import java.util.Iterator;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A dot store mapping keys (set members, hash fields, list positions) to {@link DotFun}s; a key is
 * present while at least one of its dots is live. Joined together with causal contexts like
 * {@link DotFun}; keys whose stores become empty disappear, so removed keys leave no tombstone.
 * Immutable; iteration in key order.
 */
public final class DotMap<K extends Comparable<K>, V extends Comparable<V>> implements Iterable<Map.Entry<K, DotFun<V>>> {

    @SuppressWarnings({"rawtypes", "unchecked"})
    private static final DotMap EMPTY = new DotMap(Collections.emptySortedMap());

    private final SortedMap<K, DotFun<V>> entries;

    private DotMap(SortedMap<K, DotFun<V>> entries) {
        this.entries = entries;
    }

    @SuppressWarnings("unchecked")
    public static <K extends Comparable<K>, V extends Comparable<V>> DotMap<K, V> empty() {
        return (DotMap<K, V>) EMPTY;
    }

    /**
     * A dot map holding a copy of {@code entries}: how the store builds a <em>slice</em> of a stored
     * collection (only the elements a command touches, read from their rows, with the collection's
     * whole causal context), on which the type's mutators work as on the whole state.
     *
     * @throws IllegalArgumentException if an entry's store is empty (an element without dots has no row)
     */
    public static <K extends Comparable<K>, V extends Comparable<V>> DotMap<K, V> of(SortedMap<K, DotFun<V>> entries) {
        for (Map.Entry<K, DotFun<V>> e : entries.entrySet()) {
            if (e.getValue().isEmpty()) {
                throw new IllegalArgumentException("empty dot store for " + e.getKey());
            }
        }
        return wrap(new TreeMap<>(entries));
    }

    /** Takes ownership of {@code entries}, which must hold no empty store. */
    static <K extends Comparable<K>, V extends Comparable<V>> DotMap<K, V> wrap(SortedMap<K, DotFun<V>> entries) {
        return entries.isEmpty() ? empty() : new DotMap<>(Collections.unmodifiableSortedMap(entries));
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    public int size() {
        return entries.size();
    }

    /** The store of {@code key}, empty if absent. */
    public DotFun<V> get(K key) {
        DotFun<V> f = entries.get(key);
        return f == null ? DotFun.empty() : f;
    }

    public boolean containsKey(K key) {
        return entries.containsKey(key);
    }

    public Iterable<K> keys() {
        return entries.keySet();
    }

    SortedMap<K, DotFun<V>> view() {
        return entries;
    }

    @Override
    public Iterator<Map.Entry<K, DotFun<V>>> iterator() {
        return entries.entrySet().iterator();
    }

    /** The join of {@code a} (with context {@code ca}) and {@code b} (with {@code cb}), key by key. */
    public static <K extends Comparable<K>, V extends Comparable<V>> DotMap<K, V> join(
            DotMap<K, V> a, CausalContext ca, DotMap<K, V> b, CausalContext cb) {
        if (a.isEmpty() && b.isEmpty()) {
            return a;
        }
        // copied on the first change only: merging what is already known allocates nothing
        SortedMap<K, DotFun<V>> out = null;
        for (Map.Entry<K, DotFun<V>> e : a.entries.entrySet()) {
            DotFun<V> theirs = b.entries.get(e.getKey());
            DotFun<V> joined = DotFun.join(e.getValue(), ca, theirs == null ? DotFun.empty() : theirs, cb);
            if (joined != e.getValue()) {
                if (out == null) {
                    out = new TreeMap<>(a.entries);
                }
                if (joined.isEmpty()) {
                    out.remove(e.getKey());
                } else {
                    out.put(e.getKey(), joined);
                }
            }
        }
        for (Map.Entry<K, DotFun<V>> e : b.entries.entrySet()) {
            if (!a.entries.containsKey(e.getKey())) {
                DotFun<V> joined = DotFun.join(DotFun.empty(), ca, e.getValue(), cb);
                if (!joined.isEmpty()) {
                    if (out == null) {
                        out = new TreeMap<>(a.entries);
                    }
                    out.put(e.getKey(), joined);
                }
            }
        }
        return out == null ? a : wrap(out);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DotMap<?, ?> m && entries.equals(m.entries);
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
