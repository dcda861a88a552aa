package io.hyperkv.crdt;

import java.util.Arrays;

/**
 * Where a list element sits: a path of identifiers {@code (digit, time, node)} in a dense total
 * order, so a new element can always be placed strictly between two neighbours without referring
 * to any other element. The {@code (time, node)} half of each identifier is the hybrid-logical-clock
 * stamp of the insert that created it, which makes positions unique and breaks ties between
 * concurrent inserts at the same place identically on every replica.
 *
 * <p>Order: level by level; identifiers by digit (signed), then time and node (unsigned). A path
 * that has ended compares, at the levels it lacks, as a virtual identifier of digit 0 sorting just
 * below every real identifier of digit 0. Every path is therefore distinct from its extensions, and
 * {@link #between} always finds room, going one level deeper only when two neighbours are adjacent.
 * Appends and prepends step by {@value #STEP} on the first level, so queues driven by LPUSH/RPOP
 * stay one level deep for trillions of operations; insertions in the middle halve the gap.
 *
 * <p>Chosen over RGA's "insert after element X" references because a removed element then needs no
 * tombstone: nothing can ever refer to it.
 */
public final class Position implements Comparable<Position> {

    /** Gap left between consecutive appends or prepends on one level. */
    public static final long STEP = 1L << 20;
    /** Real digits are in [MIN_DIGIT, MAX_DIGIT]; the two outer values stand for the list's ends. */
    public static final long MIN_DIGIT = Long.MIN_VALUE + 1;
    public static final long MAX_DIGIT = Long.MAX_VALUE - 1;

    /** digit, time, node for each level. */
    private final long[] ids;

    private Position(long[] ids) {
        this.ids = ids;
    }

    /**
     * Builds a position from its identifiers (three longs per level).
     * @throws IllegalArgumentException on an empty path or a digit outside [MIN_DIGIT, MAX_DIGIT]
     */
    public static Position of(long... ids) {
        if (ids.length == 0 || ids.length % 3 != 0) {
            throw new IllegalArgumentException("a position needs one or more (digit, time, node) triples");
        }
        for (int i = 0; i < ids.length; i += 3) {
            if (ids[i] < MIN_DIGIT || ids[i] > MAX_DIGIT) {
                throw new IllegalArgumentException("position digit out of range");
            }
        }
        return new Position(ids.clone());
    }

    public int levels() {
        return ids.length / 3;
    }

    public long digit(int level) {
        return ids[3 * level];
    }

    public long time(int level) {
        return ids[3 * level + 1];
    }

    public long node(int level) {
        return ids[3 * level + 2];
    }

    /**
     * A new position strictly between {@code lower} and {@code upper}, its last identifier stamped
     * {@code stamp}; {@code null} stands for the start or the end of the list.
     * @throws IllegalArgumentException if {@code lower} is not below {@code upper}
     */
    public static Position between(Position lower, Position upper, Stamp stamp) {
        if (lower != null && upper != null && lower.compareTo(upper) >= 0) {
            throw new IllegalArgumentException("lower bound is not below upper bound");
        }
        long[] out = new long[3 * (1 + Math.max(lower == null ? 0 : lower.levels(), upper == null ? 0 : upper.levels()))];
        int n = 0;
        boolean lowOpen = lower == null;
        boolean highOpen = upper == null;
        for (int level = 0; ; level++) {
            boolean aReal = !lowOpen && level < lower.levels();
            boolean bReal = !highOpen && level < upper.levels();
            if (aReal && bReal && lower.sameId(level, upper)) {
                n = lower.copyId(level, out, n);
                continue;
            }
            // Inclusive digit range whose identifiers (fresh stamp) fall strictly between both bounds.
            long lowD = aReal ? lower.digit(level) + 1 : lowOpen ? MIN_DIGIT : 0;
            long highD = bReal ? upper.digit(level) - 1 : highOpen ? MAX_DIGIT : -1;
            if (lowD <= highD) {
                long d;
                if (highOpen && lowOpen) {
                    d = 0;
                } else if (highOpen) {
                    d = Long.compareUnsigned(highD - lowD, STEP) >= 0 ? lowD + STEP - 1 : lowD + ((highD - lowD) >>> 1);
                } else if (lowOpen) {
                    d = Long.compareUnsigned(highD - lowD, STEP) >= 0 ? highD - STEP + 1 : lowD + ((highD - lowD) >>> 1);
                } else {
                    d = lowD + ((highD - lowD) >>> 1);
                }
                out[n++] = d;
                out[n++] = stamp.time();
                out[n++] = stamp.node();
                return new Position(Arrays.copyOf(out, n));
            }
            // No room on this level: follow one bound down a level. The copied identifier already
            // orders the result on the other side, so that side stops constraining.
            if (aReal) {
                n = lower.copyId(level, out, n);
                highOpen = true;
            } else {
                n = upper.copyId(level, out, n);
                lowOpen = true;
            }
            if (n + 3 > out.length) {
                out = Arrays.copyOf(out, out.length + 6);
            }
        }
    }

    /**
     * This position extended by one identifier. If this position was fresh (just made by
     * {@link #between}), every extension of it is still strictly between the same bounds: the
     * comparison with any other position is decided before the added level. Extensions with a
     * non-negative digit sort after this position, negative ones before it.
     */
    public Position extend(long digit, Stamp stamp) {
        if (digit < MIN_DIGIT || digit > MAX_DIGIT) {
            throw new IllegalArgumentException("position digit out of range");
        }
        long[] out = Arrays.copyOf(ids, ids.length + 3);
        out[ids.length] = digit;
        out[ids.length + 1] = stamp.time();
        out[ids.length + 2] = stamp.node();
        return new Position(out);
    }

    /**
     * Bytes whose unsigned lexicographic order is this class's order, for use as the last part of a
     * storage key (a list element's subkey): per level the digit with its sign bit flipped, then time
     * and node, each 8 bytes big-endian; then a terminator equal to an encoded digit 0. The terminator
     * is what makes an ended path sort, as {@link #compareTo} requires, after its extensions with a
     * negative digit (LPUSH runs) and before those with digit 0 or more: plain concatenation would put
     * a path before all its extensions.
     */
    public byte[] sortKey() {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8 * ids.length + 8);
        for (int i = 0; i < ids.length; i += 3) {
            b.putLong(ids[i] ^ Long.MIN_VALUE).putLong(ids[i + 1]).putLong(ids[i + 2]);
        }
        return b.putLong(Long.MIN_VALUE).array();
    }

    /**
     * The position {@link #sortKey()} encoded.
     * @throws IllegalArgumentException if {@code key} is not such an encoding
     */
    public static Position fromSortKey(byte[] key) {
        if (key.length < 32 || (key.length - 8) % 24 != 0) {
            throw new IllegalArgumentException("not a position key: " + key.length + " bytes");
        }
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(key);
        long[] ids = new long[(key.length - 8) / 8];
        for (int i = 0; i < ids.length; i += 3) {
            ids[i] = b.getLong() ^ Long.MIN_VALUE;
            ids[i + 1] = b.getLong();
            ids[i + 2] = b.getLong();
        }
        if (b.getLong() != Long.MIN_VALUE) {
            throw new IllegalArgumentException("position key without its terminator");
        }
        return of(ids);
    }

    private boolean sameId(int level, Position o) {
        int i = 3 * level;
        return ids[i] == o.ids[i] && ids[i + 1] == o.ids[i + 1] && ids[i + 2] == o.ids[i + 2];
    }

    private int copyId(int level, long[] out, int n) {
        System.arraycopy(ids, 3 * level, out, n, 3);
        return n + 3;
    }

    @Override
    public int compareTo(Position o) {
        int levels = Math.max(levels(), o.levels());
        for (int level = 0; level < levels; level++) {
            boolean mine = level < levels();
            boolean theirs = level < o.levels();
            if (mine && theirs) {
                int i = 3 * level;
                int c = Long.compare(ids[i], o.ids[i]);
                if (c == 0) {
                    c = Long.compareUnsigned(ids[i + 1], o.ids[i + 1]);
                }
                if (c == 0) {
                    c = Long.compareUnsigned(ids[i + 2], o.ids[i + 2]);
                }
                if (c != 0) {
                    return c;
                }
            } else if (mine) {
                return ids[3 * level] >= 0 ? 1 : -1;
            } else {
                return o.ids[3 * level] >= 0 ? -1 : 1;
            }
        }
        return 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Position p && Arrays.equals(ids, p.ids);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(ids);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("<");
        for (int i = 0; i < ids.length; i += 3) {
            sb.append(i == 0 ? "" : ".").append(ids[i]).append('@').append(Long.toUnsignedString(ids[i + 1]))
                    .append('/').append(Long.toUnsignedString(ids[i + 2]));
        }
        return sb.append('>').toString();
    }
}
