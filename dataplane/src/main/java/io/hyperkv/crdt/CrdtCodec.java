package io.hyperkv.crdt;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The binary encoding of every {@link Crdt} state and delta: what is stored in RocksDB and sent on
 * the replication bus. Encodings are canonical (one state, one byte string: maps in key order,
 * contexts as canonical ranges), so equal states have equal bytes and digests of encodings can be
 * compared across replicas.
 *
 * <p>Format version {@value #FORMAT_VERSION}. A new release may add versions and type tags; it must
 * keep decoding every earlier version unchanged. Layout ({@code uv} = unsigned LEB128 varint,
 * {@code sv} = zigzag varint, {@code u64} = 8 bytes big-endian):
 * <pre>
 * state      = version:u8 tag:u8 body
 * tag 1 LwwRegister     = stamp bytes
 * tag 2 Expiry          = stamp atMillis:uv
 * tag 3 CounterRegister = context dotfun
 * tag 4 OrSet           = context count:uv { member:bytes dots }
 * tag 5 OrMap           = context count:uv { field:bytes dotfun }
 * tag 6 Sequence        = context count:uv { position dotfun(assignments only) }
 * stamp      = time:uv node:u64
 * bytes      = length:uv octets
 * context    = nodes:uv { node:u64 ranges:uv { lo:uv (hi-lo):uv } } last:stamp
 * dot        = nodeIndex:uv counter:uv          (index into the context's node list)
 * dots       = count:uv { dot }                 (ascending)
 * dotfun     = count:uv { dot contribution }    (ascending by dot)
 * contribution = 0 stamp bytes                  (assign)
 *              | 1 base:stamp integral:sv floating:u64   (increment, IEEE 754 bits)
 * position   = levels:uv { digit:sv time:uv node:u64 }
 * </pre>
 *
 * <p>Decoding trusts nothing: every length and count is checked against the bytes left before
 * anything is allocated, and every invariant of the state is checked, so forged input costs at most
 * memory proportional to its own size and always ends in {@link CodecException}.
 */
public final class CrdtCodec {

    public static final byte FORMAT_VERSION = 1;

    static final byte TAG_LWW = 1;
    static final byte TAG_EXPIRY = 2;
    static final byte TAG_COUNTER_REGISTER = 3;
    static final byte TAG_OR_SET = 4;
    static final byte TAG_OR_MAP = 5;
    static final byte TAG_SEQUENCE = 6;

    private CrdtCodec() {
    }

    // ------------------------------------------------------------------ encode

    public static byte[] encode(Crdt<?> state) {
        Writer w = new Writer();
        w.u8(FORMAT_VERSION);
        if (state instanceof LwwRegister r) {
            w.u8(TAG_LWW);
            w.stamp(r.stamp());
            w.bytes(r.value());
        } else if (state instanceof Expiry e) {
            w.u8(TAG_EXPIRY);
            w.stamp(e.stamp());
            w.uv(e.atMillis());
        } else if (state instanceof CounterRegister c) {
            w.u8(TAG_COUNTER_REGISTER);
            Map<Long, Integer> nodes = w.context(c.context());
            w.dotFun(c.store(), nodes);
        } else if (state instanceof OrSet s) {
            w.u8(TAG_OR_SET);
            Map<Long, Integer> nodes = w.context(s.context());
            w.uv(s.store().size());
            for (Map.Entry<Bytes, DotFun<Boolean>> e : s.store()) {
                w.bytes(e.getKey());
                w.uv(e.getValue().size());
                for (Dot d : e.getValue().dots()) {
                    w.dot(d, nodes);
                }
            }
        } else if (state instanceof OrMap m) {
            w.u8(TAG_OR_MAP);
            Map<Long, Integer> nodes = w.context(m.context());
            w.uv(m.store().size());
            for (Map.Entry<Bytes, DotFun<Contribution>> e : m.store()) {
                w.bytes(e.getKey());
                w.dotFun(e.getValue(), nodes);
            }
        } else if (state instanceof Sequence q) {
            w.u8(TAG_SEQUENCE);
            Map<Long, Integer> nodes = w.context(q.context());
            w.uv(q.store().size());
            for (Map.Entry<Position, DotFun<Contribution>> e : q.store()) {
                w.position(e.getKey());
                w.dotFun(e.getValue(), nodes);
            }
        } else {
            throw new IllegalArgumentException("no encoding for " + state.getClass());
        }
        return w.toByteArray();
    }

    // ------------------------------------------------------------------ decode

    /** Decodes any state. */
    public static Crdt<?> decode(byte[] data) throws CodecException {
        try {
            Reader r = new Reader(data);
            int version = r.u8();
            if (version != FORMAT_VERSION) {
                throw new CodecException("unsupported CRDT format version " + version);
            }
            int tag = r.u8();
            Crdt<?> state = switch (tag) {
                case TAG_LWW -> new LwwRegister(r.stamp(), r.bytes());
                case TAG_EXPIRY -> {
                    Stamp s = r.stamp();
                    long at = r.uv();
                    if (at < 0) {
                        throw new CodecException("expiry out of range");
                    }
                    yield new Expiry(s, at);
                }
                case TAG_COUNTER_REGISTER -> {
                    Context c = r.context();
                    yield new CounterRegister(r.dotFun(c, false), c.context());
                }
                case TAG_OR_SET -> r.orSet();
                case TAG_OR_MAP -> {
                    Context c = r.context();
                    int n = r.count();
                    SortedMap<Bytes, DotFun<Contribution>> m = new TreeMap<>();
                    Bytes prev = null;
                    for (int i = 0; i < n; i++) {
                        Bytes k = r.bytes();
                        if (prev != null && prev.compareTo(k) >= 0) {
                            throw new CodecException("map fields not in ascending order");
                        }
                        m.put(k, r.nonEmpty(r.dotFun(c, false)));
                        prev = k;
                    }
                    yield new OrMap(DotMap.wrap(m), c.context());
                }
                case TAG_SEQUENCE -> {
                    Context c = r.context();
                    int n = r.count();
                    SortedMap<Position, DotFun<Contribution>> m = new TreeMap<>();
                    Position prev = null;
                    for (int i = 0; i < n; i++) {
                        Position p = r.position();
                        if (prev != null && prev.compareTo(p) >= 0) {
                            throw new CodecException("list positions not in ascending order");
                        }
                        m.put(p, r.nonEmpty(r.dotFun(c, true)));
                        prev = p;
                    }
                    yield new Sequence(DotMap.wrap(m), c.context());
                }
                default -> throw new CodecException("unknown CRDT type tag " + tag);
            };
            if (r.remaining() != 0) {
                throw new CodecException(r.remaining() + " trailing bytes after the state");
            }
            return state;
        } catch (IllegalArgumentException | IllegalStateException | ArithmeticException e) {
            // Constructors re-check their invariants; reaching one here means the input broke one.
            throw new CodecException("invalid state: " + e.getMessage(), e);
        }
    }

    /** Decodes a state that must be of type {@code type}. */
    public static <T extends Crdt<T>> T decode(byte[] data, Class<T> type) throws CodecException {
        Crdt<?> state = decode(data);
        if (!type.isInstance(state)) {
            throw new CodecException("expected " + type.getSimpleName() + " but found " + state.getClass().getSimpleName());
        }
        return type.cast(state);
    }

    // ------------------------------------------------------------------ writer

    static final class Writer {
        private byte[] buf = new byte[64];
        private int n;

        void ensure(int more) {
            if (n + more > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, n + more));
            }
        }

        void u8(int v) {
            ensure(1);
            buf[n++] = (byte) v;
        }

        void u64(long v) {
            ensure(8);
            for (int shift = 56; shift >= 0; shift -= 8) {
                buf[n++] = (byte) (v >>> shift);
            }
        }

        void uv(long v) {
            ensure(10);
            while ((v & ~0x7FL) != 0) {
                buf[n++] = (byte) ((v & 0x7F) | 0x80);
                v >>>= 7;
            }
            buf[n++] = (byte) v;
        }

        void sv(long v) {
            uv((v << 1) ^ (v >> 63));
        }

        void bytes(Bytes b) {
            uv(b.length());
            ensure(b.length());
            System.arraycopy(b.array(), 0, buf, n, b.length());
            n += b.length();
        }

        void stamp(Stamp s) {
            uv(s.time());
            u64(s.node());
        }

        Map<Long, Integer> context(CausalContext c) {
            Map<Long, Integer> index = new HashMap<>();
            uv(c.nodeCount());
            for (long node : c.nodes()) {
                index.put(node, index.size());
                u64(node);
                long[] r = c.ranges(node);
                uv(r.length / 2);
                for (int i = 0; i < r.length; i += 2) {
                    uv(r[i]);
                    uv(r[i + 1] - r[i]);
                }
            }
            stamp(c.last());
            return index;
        }

        void dot(Dot d, Map<Long, Integer> nodes) {
            Integer i = nodes.get(d.node());
            if (i == null) {
                throw new IllegalStateException("dot " + d + " outside the causal context");
            }
            uv(i);
            uv(d.counter());
        }

        void dotFun(DotFun<Contribution> f, Map<Long, Integer> nodes) {
            uv(f.size());
            for (Map.Entry<Dot, Contribution> e : f) {
                dot(e.getKey(), nodes);
                if (e.getValue() instanceof Contribution.Assign a) {
                    u8(0);
                    stamp(a.stamp());
                    bytes(a.value());
                } else if (e.getValue() instanceof Contribution.Increment inc) {
                    u8(1);
                    stamp(inc.base());
                    sv(inc.integral());
                    u64(Double.doubleToLongBits(inc.floating()));
                } else {
                    Contribution.Offset o = (Contribution.Offset) e.getValue();
                    u8(2);
                    dot(o.target(), nodes);
                    stamp(o.base());
                    sv(o.integral());
                    u64(Double.doubleToLongBits(o.floating()));
                }
            }
        }

        void position(Position p) {
            uv(p.levels());
            for (int i = 0; i < p.levels(); i++) {
                sv(p.digit(i));
                uv(p.time(i));
                u64(p.node(i));
            }
        }

        byte[] toByteArray() {
            return Arrays.copyOf(buf, n);
        }
    }

    // ------------------------------------------------------------------ reader

    /** A decoded context and its node table, which dots refer to by index. */
    record Context(CausalContext context, long[] nodes) {
    }

    static final class Reader {
        private final byte[] data;
        private int pos;

        Reader(byte[] data) {
            this.data = data;
        }

        int remaining() {
            return data.length - pos;
        }

        int u8() throws CodecException {
            if (pos >= data.length) {
                throw new CodecException("truncated input at byte " + pos);
            }
            return data[pos++] & 0xFF;
        }

        long u64() throws CodecException {
            if (remaining() < 8) {
                throw new CodecException("truncated input at byte " + pos);
            }
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v = (v << 8) | (data[pos++] & 0xFF);
            }
            return v;
        }

        long uv() throws CodecException {
            long v = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                int b = u8();
                if (shift == 63 && (b & 0xFE) != 0) {
                    throw new CodecException("varint overflows 64 bits");
                }
                v |= (long) (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    if (b == 0 && shift > 0) {
                        throw new CodecException("varint not in shortest form");
                    }
                    return v;
                }
            }
            throw new CodecException("varint too long");
        }

        long sv() throws CodecException {
            long v = uv();
            return (v >>> 1) ^ -(v & 1);
        }

        /** A count of items each taking at least one byte: never more than the bytes left. */
        int count() throws CodecException {
            long c = uv();
            if (c < 0 || c > remaining()) {
                throw new CodecException("count " + Long.toUnsignedString(c) + " exceeds the " + remaining() + " bytes left");
            }
            return (int) c;
        }

        Bytes bytes() throws CodecException {
            int len = count();
            byte[] b = Arrays.copyOfRange(data, pos, pos + len);
            pos += len;
            return Bytes.wrap(b);
        }

        Stamp stamp() throws CodecException {
            long time = uv();
            return new Stamp(time, u64());
        }

        Context context() throws CodecException {
            int nodes = count();
            long[] table = new long[nodes];
            SortedMap<Long, long[]> ranges = CausalContext.newNodeMap();
            for (int i = 0; i < nodes; i++) {
                long node = u64();
                if (i > 0 && Long.compareUnsigned(table[i - 1], node) >= 0) {
                    throw new CodecException("context nodes not in ascending order");
                }
                table[i] = node;
                int n = count();
                if (n == 0) {
                    throw new CodecException("context node without ranges");
                }
                if (n > remaining() / 2) {
                    throw new CodecException("range count exceeds input");
                }
                long[] r = new long[2 * n];
                for (int j = 0; j < n; j++) {
                    long lo = uv();
                    long len = uv();
                    long hi = lo + len;
                    if (lo < 1 || len < 0 || hi < lo) {
                        throw new CodecException("context range out of bounds");
                    }
                    if (j > 0 && (r[2 * j - 1] == Long.MAX_VALUE || lo <= r[2 * j - 1] + 1)) {
                        throw new CodecException("context ranges overlap, touch or are unsorted");
                    }
                    r[2 * j] = lo;
                    r[2 * j + 1] = hi;
                }
                ranges.put(node, r);
            }
            Stamp last = stamp();
            return new Context(CausalContext.fromRanges(ranges, last), table);
        }

        Dot dot(Context c) throws CodecException {
            long index = uv();
            if (index < 0 || index >= c.nodes().length) {
                throw new CodecException("dot refers to an unknown node");
            }
            long counter = uv();
            if (counter < 1) {
                throw new CodecException("dot counter out of range");
            }
            Dot d = new Dot(c.nodes()[(int) index], counter);
            if (!c.context().contains(d)) {
                throw new CodecException("dot " + d + " outside the causal context");
            }
            return d;
        }

        DotFun<Contribution> dotFun(Context c, boolean assignmentsOnly) throws CodecException {
            int n = count();
            SortedMap<Dot, Contribution> m = new TreeMap<>();
            Dot prev = null;
            for (int i = 0; i < n; i++) {
                Dot d = dot(c);
                if (prev != null && prev.compareTo(d) >= 0) {
                    throw new CodecException("dots not in ascending order");
                }
                int kind = u8();
                Contribution value;
                if (kind == 0) {
                    value = new Contribution.Assign(stamp(), bytes());
                } else if (kind == 1 && !assignmentsOnly) {
                    Stamp base = stamp();
                    long integral = sv();
                    double floating = Double.longBitsToDouble(u64());
                    if (!Double.isFinite(floating)) {
                        throw new CodecException("increment is not a finite number");
                    }
                    value = new Contribution.Increment(base, integral, floating);
                } else if (kind == 2 && !assignmentsOnly) {
                    Dot target = dot(c);
                    Stamp base = stamp();
                    long integral = sv();
                    double floating = Double.longBitsToDouble(u64());
                    if (!Double.isFinite(floating)) {
                        throw new CodecException("offset is not a finite number");
                    }
                    value = new Contribution.Offset(target, base, integral, floating);
                } else {
                    throw new CodecException("unknown contribution kind " + kind);
                }
                m.put(d, value);
                prev = d;
            }
            return DotFun.wrap(m);
        }

        <V extends Comparable<V>> DotFun<V> nonEmpty(DotFun<V> f) throws CodecException {
            if (f.isEmpty()) {
                throw new CodecException("entry without dots");
            }
            return f;
        }

        OrSet orSet() throws CodecException {
            Context c = context();
            int n = count();
            SortedMap<Bytes, DotFun<Boolean>> m = new TreeMap<>();
            Bytes prevKey = null;
            for (int i = 0; i < n; i++) {
                Bytes k = bytes();
                if (prevKey != null && prevKey.compareTo(k) >= 0) {
                    throw new CodecException("set members not in ascending order");
                }
                int dots = count();
                if (dots == 0) {
                    throw new CodecException("entry without dots");
                }
                SortedMap<Dot, Boolean> f = new TreeMap<>();
                Dot prev = null;
                for (int j = 0; j < dots; j++) {
                    Dot d = dot(c);
                    if (prev != null && prev.compareTo(d) >= 0) {
                        throw new CodecException("dots not in ascending order");
                    }
                    f.put(d, Boolean.TRUE);
                    prev = d;
                }
                m.put(k, DotFun.wrap(f));
                prevKey = k;
            }
            return new OrSet(DotMap.wrap(m), c.context());
        }

        Position position() throws CodecException {
            int levels = count();
            if (levels == 0) {
                throw new CodecException("empty list position");
            }
            long[] ids = new long[3 * levels];
            for (int i = 0; i < levels; i++) {
                ids[3 * i] = sv();
                ids[3 * i + 1] = uv();
                ids[3 * i + 2] = u64();
            }
            return Position.of(ids);
        }
    }
}
