package io.hyperkv.store;

import io.hyperkv.crdt.Clock;
import io.hyperkv.crdt.Stamp;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The CRDT state of a string key as its {@link Metadata} holds it: a last-writer-wins <em>base</em> and, per node, the
 * running total of the increments that node made against that base: a PN counter over an LWW base (DESIGN §4).
 *
 * <p>The base is the key's last assignment (SET, APPEND, SETRANGE, GETSET, INCRBYFLOAT, RENAME/COPY onto it...) at
 * its stamp, or a deletion: a tombstone of any type is the base (its stamp, <em>absent</em>) with no increments, and
 * a key never heard of is ({@link Stamp#ZERO}, absent). So INCR on a missing or deleted key counts against a base
 * every replica agrees on, and concurrent INCRs of a fresh counter on different nodes add up.
 *
 * <p>Where it lives. A plain string (no increment since its base) keeps {@code Metadata.context} empty: its base is
 * ({@code stamp}, {@code payload}). A counter keeps its whole state in {@code context}:
 * <pre>
 * format u8 (1) | present u8 | base.time u64 | base.node u64 | base value i64
 * | count u32 | { node u64 | since u64 | total i64 | stamp.time u64 }*   (by node, then since, unsigned)
 * </pre>
 * Its payload is the materialized value, base + Σ totals in decimal (two's-complement wrap, the same on every replica),
 * so GET and every reader read the payload as for any string; its {@code stamp} is the greatest of the base's and the
 * increments' stamps, and its encoding INT.
 *
 * <p>Join (commutative, associative, idempotent): the greater (base stamp, present) wins whole, dropping the other
 * side's increments (they were made against an older base: SET ∥ INCR and DEL ∥ INCR keep the SET / DEL, as
 * documented in DESIGN §4); equal bases keep, per node, the total with the greater stamp (a node replaces its own total
 * on every increment, so its totals are ordered by its stamps). The type-conflict rank of a string is its base stamp.
 *
 * <p>A node's totals are kept per <em>incarnation</em> ({@code since}: its clock's {@link Clock#restartFloor()}, moved
 * on by the keyspace whenever it drops data while running: a slot it stopped owning, FLUSHDB), so a node that restarted
 * having lost its last local writes (appendfsync everysec), or that owns a dropped slot again, starts a new total from
 * 0 instead of replacing, at a newer stamp, the higher total its peers already hold: the peers' copy still counts.
 * Immutable.
 */
final class StringRegister {

    private static final int FORMAT = 1;
    private static final int HEADER = 1 + 1 + 8 + 8 + 8 + 4;
    private static final int ENTRY = 32;

    /**
     * One node's running total against the base in one incarnation ({@code since}), stamped by its last increment
     * ({@code time}, {@code node}).
     */
    record Increment(long node, long since, long total, long time) {
        Stamp stamp() {
            return new Stamp(time, node);
        }

        int compareId(Increment o) {
            int c = Long.compareUnsigned(node, o.node);
            return c != 0 ? c : Long.compareUnsigned(since, o.since);
        }
    }

    private final Stamp base;
    private final boolean present;
    private final long baseValue;
    private final List<Increment> increments;

    private StringRegister(Stamp base, boolean present, long baseValue, List<Increment> increments) {
        this.base = base;
        this.present = present;
        this.baseValue = baseValue;
        this.increments = increments;
    }

    /**
     * The register {@code meta} holds: null is the bottom, a tombstone (any type) an absent base at its stamp. A plain
     * string's base value is only needed once it is counted on: {@code baseValue} is its integer value or 0.
     */
    static StringRegister of(Metadata meta) {
        if (meta == null) {
            return new StringRegister(Stamp.ZERO, false, 0, List.of());
        }
        if (meta.tombstone()) {
            return new StringRegister(meta.stamp(), false, 0, List.of());
        }
        byte[] c = meta.context();
        if (c.length == 0) {
            Long v = Numbers.parseLong(meta.payload());
            return new StringRegister(meta.stamp(), true, v == null ? 0 : v, List.of());
        }
        try {
            ByteBuffer b = ByteBuffer.wrap(c);
            int format = b.get() & 0xFF;
            if (format != FORMAT) {
                throw new StoreException("unsupported counter state format " + format);
            }
            boolean present = b.get() != 0;
            Stamp base = new Stamp(b.getLong(), b.getLong());
            long value = b.getLong();
            int count = b.getInt();
            if (count < 0 || count != b.remaining() / ENTRY || b.remaining() % ENTRY != 0) {
                throw new StoreException("counter state claims " + count + " increments in " + b.remaining() + " bytes");
            }
            List<Increment> incs = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                incs.add(new Increment(b.getLong(), b.getLong(), b.getLong(), b.getLong()));
            }
            return new StringRegister(base, present, value, List.copyOf(incs));
        } catch (BufferUnderflowException e) {
            throw new StoreException("truncated counter state of " + c.length + " bytes");
        }
    }

    /** The stamp a type conflict compares: a live string's base stamp, any other value's stamp. */
    static Stamp rank(Metadata meta) {
        if (meta.type() == ValueType.STRING && !meta.tombstone() && meta.context().length > 0) {
            return of(meta).base;
        }
        return meta.stamp();
    }

    /**
     * The join of two string-or-tombstone values' registers (expiry aside: the caller joins it). Returns {@code local}
     * itself when the join is {@code local}'s register, {@code remote} itself when it is {@code remote}'s, else a new
     * counter value (version and expiry from {@code local}).
     */
    static Metadata join(Metadata local, Metadata remote) {
        StringRegister l = of(local);
        StringRegister r = of(remote);
        int c = l.compareBase(r);
        if (c > 0) {
            return local;
        }
        if (c < 0) {
            return remote;
        }
        List<Increment> merged = mergeIncrements(l.increments, r.increments);
        if (merged.equals(l.increments)) {
            return local;
        }
        if (merged.equals(r.increments)) {
            return remote;
        }
        StringRegister counter = new StringRegister(l.base, l.present, r.increments.isEmpty() ? l.baseValue : r.baseValue,
                merged);
        return counter.toMeta(local == null ? counter.latest().time() : local.version(), local);
    }

    /**
     * The value after this node ({@code at.node()}, in incarnation {@code since}) adds {@code by} at {@code at} to the
     * register of {@code stored} (null, a tombstone, or a live string whose payload is an integer), keeping
     * {@code stored}'s expiry.
     *
     * @throws ArithmeticException if this node's running total would overflow
     */
    static Metadata increment(Metadata stored, long by, Stamp at, long since) {
        StringRegister r = of(stored);
        List<Increment> next = new ArrayList<>(r.increments.size() + 1);
        boolean found = false;
        for (Increment i : r.increments) {
            if (i.node == at.node() && i.since == since) {
                next.add(new Increment(i.node, since, Math.addExact(i.total, by), at.time()));
                found = true;
            } else {
                next.add(i);
            }
        }
        if (!found) {
            next.add(new Increment(at.node(), since, by, at.time()));
            next.sort(Increment::compareId);
        }
        StringRegister counter = new StringRegister(r.base, r.present, r.baseValue, List.copyOf(next));
        boolean live = stored != null && !stored.tombstone();
        return counter.toMeta(live ? stored.version() : at.time(), stored);
    }

    private int compareBase(StringRegister o) {
        int c = base.compareTo(o.base);
        return c != 0 ? c : Boolean.compare(present, o.present);
    }

    /** Per node and incarnation, the total with the greater stamp; both lists are sorted by (node, since). */
    private static List<Increment> mergeIncrements(List<Increment> a, List<Increment> b) {
        if (a.isEmpty() || b.isEmpty()) {
            return a.isEmpty() ? b : a;
        }
        List<Increment> out = new ArrayList<>(a.size() + b.size());
        int i = 0;
        int j = 0;
        while (i < a.size() || j < b.size()) {
            if (j == b.size()) {
                out.add(a.get(i++));
            } else if (i == a.size()) {
                out.add(b.get(j++));
            } else {
                int c = a.get(i).compareId(b.get(j));
                if (c < 0) {
                    out.add(a.get(i++));
                } else if (c > 0) {
                    out.add(b.get(j++));
                } else {
                    Increment x = a.get(i++);
                    Increment y = b.get(j++);
                    int s = Long.compareUnsigned(x.time, y.time);
                    // equal stamps name one increment; the greater total keeps the join commutative on bad input
                    out.add(s > 0 || (s == 0 && x.total >= y.total) ? x : y);
                }
            }
        }
        return Collections.unmodifiableList(out);
    }

    private Stamp latest() {
        Stamp s = base;
        for (Increment i : increments) {
            if (i.stamp().after(s)) {
                s = i.stamp();
            }
        }
        return s;
    }

    private long value() {
        long v = baseValue;
        for (Increment i : increments) {
            v += i.total;
        }
        return v;
    }

    private Metadata toMeta(long version, Metadata expiryFrom) {
        ByteBuffer b = ByteBuffer.allocate(HEADER + ENTRY * increments.size());
        b.put((byte) FORMAT).put((byte) (present ? 1 : 0)).putLong(base.time()).putLong(base.node()).putLong(baseValue);
        b.putInt(increments.size());
        for (Increment i : increments) {
            b.putLong(i.node).putLong(i.since).putLong(i.total).putLong(i.time);
        }
        long expireAt = expiryFrom == null ? 0 : expiryFrom.expireAt();
        Stamp expiryStamp = expiryFrom == null ? null : expiryFrom.expiryStamp();
        return new Metadata(ValueType.STRING, Encoding.INT, version, latest(), expireAt, expiryStamp, 0, b.array(),
                Numbers.longBytes(value()));
    }
}
