package io.hyperkv.crdt;

/**
 * What one operation wrote into a register (a string value, a hash field, a sorted-set score, a list
 * element), held under the operation's dot in a {@link DotFun}. {@link RegisterValue#resolve}
 * turns the live contributions into the value a reader sees.
 */
public sealed interface Contribution extends Comparable<Contribution> {

    /** SET, HSET, ZADD, LSET: the value written and the stamp that orders it against other writes. */
    record Assign(Stamp stamp, Bytes value) implements Contribution {
        public Assign {
            if (stamp == null || value == null) {
                throw new IllegalArgumentException("assign needs a stamp and a value");
            }
        }
    }

    /**
     * INCRBY, INCRBYFLOAT, HINCRBY, ZINCRBY: the running total this dot's node has added on top of
     * the assignment stamped {@code base} ({@link Stamp#ZERO} when there was none). Each node keeps
     * one such contribution per base and replaces it with the new total on every increment.
     */
    record Increment(Stamp base, long integral, double floating) implements Contribution {
        public Increment {
            if (base == null) {
                throw new IllegalArgumentException("increment needs a base stamp");
            }
            if (!Double.isFinite(floating)) {
                throw new IllegalArgumentException("increment would produce NaN or Infinity");
            }
        }
    }

    /**
     * DEL / HDEL / ZREM of a counted value: the removal saw node {@code target.node()}'s running
     * total against {@code base} at dot {@code target}, and removed it. An increment of that node on
     * the same base that the removal had not seen carries that total inside its own running total;
     * readers subtract the offset of the latest such target, so only what the removal had not seen
     * counts (DEL ∥ INCR). A node whose total was removed continues from the offset's total, so
     * the offset keeps applying to its later totals. An offset alone makes no value exist; it is
     * dropped once a later offset of the same node and base is live, by a newer assignment, or with the key.
     */
    record Offset(Dot target, Stamp base, long integral, double floating) implements Contribution {
        public Offset {
            if (target == null || base == null) {
                throw new IllegalArgumentException("offset needs a target dot and a base stamp");
            }
            if (!Double.isFinite(floating)) {
                throw new IllegalArgumentException("offset is NaN or Infinity");
            }
        }
    }

    /** True for the contributions that make a value exist (assignments and increments). */
    default boolean isValue() {
        return !(this instanceof Offset);
    }

    private int kind() {
        return this instanceof Assign ? 0 : this instanceof Increment ? 1 : 2;
    }

    @Override
    default int compareTo(Contribution o) {
        int k = Integer.compare(kind(), o.kind());
        if (k != 0) {
            return k;
        }
        if (this instanceof Assign a) {
            Assign b = (Assign) o;
            int c = a.stamp().compareTo(b.stamp());
            return c != 0 ? c : a.value().compareTo(b.value());
        }
        if (this instanceof Increment a) {
            Increment b = (Increment) o;
            int c = a.base().compareTo(b.base());
            if (c == 0) {
                c = Long.compare(a.integral(), b.integral());
            }
            return c != 0 ? c : Double.compare(a.floating(), b.floating());
        }
        Offset a = (Offset) this;
        Offset b = (Offset) o;
        int c = a.target().compareTo(b.target());
        if (c == 0) {
            c = a.base().compareTo(b.base());
        }
        if (c == 0) {
            c = Long.compare(a.integral(), b.integral());
        }
        return c != 0 ? c : Double.compare(a.floating(), b.floating());
    }
}
