package io.hyperkv.crdt;

import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The binary encoding of one element of a stored collection (a set member's dots, a hash field's or
 * list position's contributions) and of a collection's causal context, each on its own. The store
 * keeps a collection as one RocksDB row per element plus the context in the key's metadata, so a
 * command reads and writes only the elements it touches (see {@code store/package-info.java});
 * {@link CrdtCodec} encodes whole states, whose dots index a node table in the state's context and
 * so cannot be split per element. Here every dot carries its node id explicitly.
 *
 * <p>Format version {@value #FORMAT_VERSION}, same primitives as {@link CrdtCodec}:
 * <pre>
 * context    = version:u8 'C' context                      (CrdtCodec's context)
 * member     = version:u8 'S' count:uv { node:u64 counter:uv }           ascending, count ≥ 1
 * field      = version:u8 'F' count:uv { node:u64 counter:uv contribution } ascending, count ≥ 1
 * contribution = 0 stamp bytes | 1 base:stamp integral:sv floating:u64
 *              | 2 target:(node:u64 counter:uv) base:stamp integral:sv floating:u64
 * </pre>
 * Decoding trusts nothing, as {@link CrdtCodec}: any malformed input ends in {@link CodecException}.
 */
public final class ElementCodec {

    public static final byte FORMAT_VERSION = 1;
    private static final byte KIND_CONTEXT = 'C';
    private static final byte KIND_MEMBER = 'S';
    private static final byte KIND_FIELD = 'F';

    private ElementCodec() {
    }

    public static byte[] encodeContext(CausalContext context) {
        CrdtCodec.Writer w = header(KIND_CONTEXT);
        w.context(context);
        return w.toByteArray();
    }

    /** Decodes a context; an empty array is the empty context (a collection that never had one). */
    public static CausalContext decodeContext(byte[] data) throws CodecException {
        if (data.length == 0) {
            return CausalContext.EMPTY;
        }
        CrdtCodec.Reader r = open(data, KIND_CONTEXT);
        CausalContext c = r.context().context();
        done(r);
        return c;
    }

    /** A set member: the dots of the SADDs that added it (never empty: an absent member has no row). */
    public static byte[] encodeMember(DotFun<Boolean> dots) {
        requireNonEmpty(dots);
        CrdtCodec.Writer w = header(KIND_MEMBER);
        w.uv(dots.size());
        for (Dot d : dots.dots()) {
            dot(w, d);
        }
        return w.toByteArray();
    }

    public static DotFun<Boolean> decodeMember(byte[] data) throws CodecException {
        CrdtCodec.Reader r = open(data, KIND_MEMBER);
        int n = nonZero(r.count());
        SortedMap<Dot, Boolean> m = new TreeMap<>();
        Dot prev = null;
        for (int i = 0; i < n; i++) {
            Dot d = dot(r);
            prev = ascending(prev, d);
            m.put(d, Boolean.TRUE);
        }
        done(r);
        return DotFun.wrap(m);
    }

    /** A hash field, sorted-set member or list element: its contributions (never empty). */
    public static byte[] encodeField(DotFun<Contribution> contributions) {
        requireNonEmpty(contributions);
        CrdtCodec.Writer w = header(KIND_FIELD);
        w.uv(contributions.size());
        for (Map.Entry<Dot, Contribution> e : contributions) {
            dot(w, e.getKey());
            if (e.getValue() instanceof Contribution.Assign a) {
                w.u8(0);
                w.stamp(a.stamp());
                w.bytes(a.value());
            } else if (e.getValue() instanceof Contribution.Increment inc) {
                w.u8(1);
                w.stamp(inc.base());
                w.sv(inc.integral());
                w.u64(Double.doubleToLongBits(inc.floating()));
            } else {
                Contribution.Offset o = (Contribution.Offset) e.getValue();
                w.u8(2);
                dot(w, o.target());
                w.stamp(o.base());
                w.sv(o.integral());
                w.u64(Double.doubleToLongBits(o.floating()));
            }
        }
        return w.toByteArray();
    }

    public static DotFun<Contribution> decodeField(byte[] data) throws CodecException {
        CrdtCodec.Reader r = open(data, KIND_FIELD);
        int n = nonZero(r.count());
        SortedMap<Dot, Contribution> m = new TreeMap<>();
        Dot prev = null;
        for (int i = 0; i < n; i++) {
            Dot d = dot(r);
            prev = ascending(prev, d);
            int kind = r.u8();
            Contribution value;
            try {
                value = switch (kind) {
                    case 0 -> new Contribution.Assign(r.stamp(), r.bytes());
                    case 1 -> new Contribution.Increment(r.stamp(), r.sv(), finite(Double.longBitsToDouble(r.u64())));
                    case 2 -> {
                        Dot target = dot(r);
                        yield new Contribution.Offset(target, r.stamp(), r.sv(), finite(Double.longBitsToDouble(r.u64())));
                    }
                    default -> throw new CodecException("unknown contribution kind " + kind);
                };
            } catch (IllegalArgumentException e) {
                throw new CodecException("invalid contribution: " + e.getMessage(), e);
            }
            m.put(d, value);
        }
        done(r);
        return DotFun.wrap(m);
    }

    // ------------------------------------------------------------------ helpers

    private static CrdtCodec.Writer header(byte kind) {
        CrdtCodec.Writer w = new CrdtCodec.Writer();
        w.u8(FORMAT_VERSION);
        w.u8(kind);
        return w;
    }

    private static CrdtCodec.Reader open(byte[] data, byte kind) throws CodecException {
        CrdtCodec.Reader r = new CrdtCodec.Reader(data);
        int version = r.u8();
        if (version != FORMAT_VERSION) {
            throw new CodecException("unsupported element format version " + version);
        }
        int k = r.u8();
        if (k != kind) {
            throw new CodecException("expected element kind '" + (char) kind + "' but found " + k);
        }
        return r;
    }

    private static void done(CrdtCodec.Reader r) throws CodecException {
        if (r.remaining() != 0) {
            throw new CodecException(r.remaining() + " trailing bytes after the element");
        }
    }

    private static void dot(CrdtCodec.Writer w, Dot d) {
        w.u64(d.node());
        w.uv(d.counter());
    }

    private static Dot dot(CrdtCodec.Reader r) throws CodecException {
        long node = r.u64();
        long counter = r.uv();
        if (counter < 1) {
            throw new CodecException("dot counter out of range");
        }
        return new Dot(node, counter);
    }

    private static Dot ascending(Dot prev, Dot d) throws CodecException {
        if (prev != null && prev.compareTo(d) >= 0) {
            throw new CodecException("dots not in ascending order");
        }
        return d;
    }

    private static int nonZero(int n) throws CodecException {
        if (n == 0) {
            throw new CodecException("element without dots");
        }
        return n;
    }

    private static double finite(double v) throws CodecException {
        if (!Double.isFinite(v)) {
            throw new CodecException("contribution is not a finite number");
        }
        return v;
    }

    private static void requireNonEmpty(DotFun<?> f) {
        if (f.isEmpty()) {
            throw new IllegalArgumentException("an element without dots has no row: delete it instead");
        }
    }
}
