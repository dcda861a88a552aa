package io.hyperkv.crdt;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The set of dots a replica has seen for one key, plus the greatest {@link Stamp} of any operation
 * folded into it. Per node the dots are kept as sorted, disjoint, non-adjacent counter ranges, so
 * the usual case (every dot of a node delivered) compacts to one range per node: a version vector.
 * Ranges only split while deltas arrive out of order, and close again when the gaps are filled.
 *
 * <p>Dot counters of one node on one key are contiguous within a lifetime of the key: a node mints
 * {@code max + 1} when it already has dots there minted by the current process, and starts a new
 * lifetime at the time of the stamp of the minting operation otherwise. Every minted dot consumes one
 * tick of the node's hybrid logical clock, so a counter never exceeds the stamp that minted it, and
 * a lifetime started after the key was garbage-collected, or after a restart (whose clock is above
 * the persisted high-water mark, see {@link Clock#restartFloor()}), begins above every counter of
 * earlier lifetimes, even those a crash lost from local state but a peer holds: a dot is never
 * reused for a different operation. Each restart of a node that writes a key therefore adds one
 * range for that node to the key's context.
 *
 * <p>Immutable. {@link #union} is the join of the lattice (set union of dots, max of stamps).
 */
public final class CausalContext {

    public static final CausalContext EMPTY = new CausalContext(Collections.emptySortedMap(), Stamp.ZERO);

    /** node (unsigned order) → [lo0, hi0, lo1, hi1, ...], sorted, disjoint, non-adjacent. */
    private final SortedMap<Long, long[]> ranges;
    private final Stamp last;

    private CausalContext(SortedMap<Long, long[]> ranges, Stamp last) {
        this.ranges = ranges;
        this.last = last;
    }

    static SortedMap<Long, long[]> newNodeMap() {
        return new TreeMap<>(Long::compareUnsigned);
    }

    /** A context holding exactly {@code dots}, with {@code last} as its stamp. */
    public static CausalContext of(Stamp last, Collection<Dot> dots) {
        SortedMap<Long, List<Long>> byNode = new TreeMap<>(Long::compareUnsigned);
        for (Dot d : dots) {
            byNode.computeIfAbsent(d.node(), n -> new ArrayList<>()).add(d.counter());
        }
        SortedMap<Long, long[]> out = newNodeMap();
        for (Map.Entry<Long, List<Long>> e : byNode.entrySet()) {
            long[] counters = e.getValue().stream().mapToLong(Long::longValue).sorted().distinct().toArray();
            long[] buf = new long[counters.length * 2];
            int n = 0;
            for (long c : counters) {
                if (n > 0 && buf[n - 1] + 1 == c) {
                    buf[n - 1] = c;
                } else {
                    buf[n++] = c;
                    buf[n++] = c;
                }
            }
            out.put(e.getKey(), Arrays.copyOf(buf, n));
        }
        return new CausalContext(Collections.unmodifiableSortedMap(out), Objects.requireNonNull(last));
    }

    /**
     * Builds a context from already canonical ranges (used by the codec, which validates them).
     * @throws IllegalArgumentException if a range list is empty, unsorted, overlapping or adjacent
     */
    static CausalContext fromRanges(SortedMap<Long, long[]> ranges, Stamp last) {
        for (long[] r : ranges.values()) {
            if (r.length == 0 || (r.length & 1) != 0) {
                throw new IllegalArgumentException("bad range list");
            }
            for (int i = 0; i < r.length; i += 2) {
                if (r[i] < 1 || r[i] > r[i + 1] || (i > 0 && r[i - 1] >= r[i] - 1)) {
                    throw new IllegalArgumentException("ranges not canonical");
                }
            }
        }
        return new CausalContext(Collections.unmodifiableSortedMap(ranges), last);
    }

    public Stamp last() {
        return last;
    }

    public boolean isEmpty() {
        return ranges.isEmpty();
    }

    public boolean contains(Dot dot) {
        long[] r = ranges.get(dot.node());
        if (r == null) {
            return false;
        }
        // binary search over range starts
        int lo = 0;
        int hi = r.length / 2 - 1;
        long c = dot.counter();
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (r[2 * mid + 1] < c) {
                lo = mid + 1;
            } else if (r[2 * mid] > c) {
                hi = mid - 1;
            } else {
                return true;
            }
        }
        return false;
    }

    /** The greatest counter seen from {@code node}, or 0. */
    public long max(long node) {
        long[] r = ranges.get(node);
        return r == null ? 0 : r[r.length - 1];
    }

    /**
     * The dot an operation stamped {@code stamp} mints next on this key: continues the node's
     * current lifetime, or starts a new one at the stamp's time.
     */
    public Dot nextDot(Stamp stamp) {
        return nextDot(stamp, 0);
    }

    /**
     * The dot an operation stamped {@code stamp} mints next on this key, by a clock whose
     * {@link Clock#restartFloor() restart floor} is {@code restartFloor}: continues the node's
     * current range if its greatest dot here was minted by this process (is above the floor), and
     * otherwise starts a new range at the stamp's time, which is above every counter an earlier
     * process minted, including those lost from local state but held by peers.
     */
    public Dot nextDot(Stamp stamp, long restartFloor) {
        long max = max(stamp.node());
        if (max == Long.MAX_VALUE) {
            throw new IllegalStateException("dot counter exhausted for node " + Long.toUnsignedString(stamp.node()));
        }
        if (max > 0 && Long.compareUnsigned(max, restartFloor) > 0) {
            return new Dot(stamp.node(), max + 1);
        }
        if (stamp.time() < 1 || Long.compareUnsigned(stamp.time(), restartFloor) <= 0) {
            throw new IllegalArgumentException("stamp time out of range for a dot: " + Long.toUnsignedString(stamp.time()));
        }
        return new Dot(stamp.node(), stamp.time());
    }

    /** Nodes with at least one dot, in unsigned order. */
    public Iterable<Long> nodes() {
        return ranges.keySet();
    }

    public int nodeCount() {
        return ranges.size();
    }

    /** The ranges of {@code node} as [lo0, hi0, lo1, hi1, ...]; a copy. */
    public long[] ranges(long node) {
        long[] r = ranges.get(node);
        return r == null ? new long[0] : r.clone();
    }

    /** Number of dots in this context (saturating). */
    public long dotCount() {
        long n = 0;
        for (long[] r : ranges.values()) {
            for (int i = 0; i < r.length; i += 2) {
                n += r[i + 1] - r[i] + 1;
                if (n < 0) {
                    return Long.MAX_VALUE;
                }
            }
        }
        return n;
    }

    /** True if every dot of {@code other} is in this context. */
    public boolean includes(CausalContext other) {
        for (Map.Entry<Long, long[]> e : other.ranges.entrySet()) {
            long[] mine = ranges.get(e.getKey());
            if (mine == null) {
                return false;
            }
            long[] theirs = e.getValue();
            int j = 0;
            for (int i = 0; i < theirs.length; i += 2) {
                while (j < mine.length && mine[j + 1] < theirs[i]) {
                    j += 2;
                }
                if (j >= mine.length || mine[j] > theirs[i] || mine[j + 1] < theirs[i + 1]) {
                    return false;
                }
            }
        }
        return true;
    }

    /** The join: all dots of both, the greater stamp. */
    public CausalContext union(CausalContext other) {
        if (other == this || (other.ranges.isEmpty() && !other.last.after(last))) {
            return this;
        }
        if (ranges.isEmpty() && !last.after(other.last)) {
            return other;
        }
        SortedMap<Long, long[]> out = newNodeMap();
        out.putAll(ranges);
        for (Map.Entry<Long, long[]> e : other.ranges.entrySet()) {
            long[] mine = out.get(e.getKey());
            out.put(e.getKey(), mine == null ? e.getValue() : unionRanges(mine, e.getValue()));
        }
        Stamp stamp = other.last.after(last) ? other.last : last;
        return new CausalContext(Collections.unmodifiableSortedMap(out), stamp);
    }

    /** This context with {@code dot} added and the stamp raised to {@code stamp} if greater. */
    public CausalContext with(Dot dot, Stamp stamp) {
        return union(of(stamp, List.of(dot)));
    }

    /** This context with its stamp raised to {@code stamp} if greater. */
    public CausalContext withLast(Stamp stamp) {
        return stamp.after(last) ? new CausalContext(ranges, stamp) : this;
    }

    private static long[] unionRanges(long[] a, long[] b) {
        long[] out = new long[a.length + b.length];
        int n = 0;
        int i = 0;
        int j = 0;
        while (i < a.length || j < b.length) {
            long lo;
            long hi;
            if (j >= b.length || (i < a.length && a[i] <= b[j])) {
                lo = a[i];
                hi = a[i + 1];
                i += 2;
            } else {
                lo = b[j];
                hi = b[j + 1];
                j += 2;
            }
            // hi of the previous range + 1 may overflow only at Long.MAX_VALUE, where nothing follows
            if (n > 0 && out[n - 1] != Long.MAX_VALUE && lo <= out[n - 1] + 1) {
                out[n - 1] = Math.max(out[n - 1], hi);
            } else if (n > 0 && out[n - 1] == Long.MAX_VALUE) {
                continue;
            } else {
                out[n++] = lo;
                out[n++] = hi;
            }
        }
        return n == out.length ? out : Arrays.copyOf(out, n);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof CausalContext c) || !last.equals(c.last) || ranges.size() != c.ranges.size()) {
            return false;
        }
        for (Map.Entry<Long, long[]> e : ranges.entrySet()) {
            if (!Arrays.equals(e.getValue(), c.ranges.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = last.hashCode();
        for (Map.Entry<Long, long[]> e : ranges.entrySet()) {
            h = 31 * h + Long.hashCode(e.getKey()) * 17 + Arrays.hashCode(e.getValue());
        }
        return h;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("{");
        for (Map.Entry<Long, long[]> e : ranges.entrySet()) {
            if (sb.length() > 1) {
                sb.append(", ");
            }
            sb.append(Long.toUnsignedString(e.getKey())).append(':');
            long[] r = e.getValue();
            for (int i = 0; i < r.length; i += 2) {
                sb.append(i == 0 ? "[" : ",[").append(r[i]).append("..").append(r[i + 1]).append(']');
            }
        }
        return sb.append(" @").append(last).append('}').toString();
    }
}
