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

    @Override
    default int compareTo(Contribution o) {
        if (this instanceof Assign a) {
            if (o instanceof Assign b) {
                int c = a.stamp().compareTo(b.stamp());
                return c != 0 ? c : a.value().compareTo(b.value());
            }
            return -1;
        }
        Increment a = (Increment) this;
        if (o instanceof Increment b) {
            int c = a.base().compareTo(b.base());
            if (c == 0) {
                c = Long.compare(a.integral(), b.integral());
            }
            return c != 0 ? c : Double.compare(a.floating(), b.floating());
        }
        return 1;
    }
}
