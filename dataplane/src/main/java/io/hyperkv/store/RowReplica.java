package io.hyperkv.store;

import io.hyperkv.crdt.Bytes;
import io.hyperkv.crdt.CausalContext;
import io.hyperkv.crdt.CodecException;
import io.hyperkv.crdt.Contribution;
import io.hyperkv.crdt.Dot;
import io.hyperkv.crdt.DotFun;
import io.hyperkv.crdt.ElementCodec;
import io.hyperkv.crdt.Stamp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The {@link CollectionReplica} of the element stores, one algorithm for all four types: a collection is a map from
 * element name to a {@link DotFun} (one SUB row each) plus the causal context in META, and two replicas' states join
 * row by row with {@link DotFun#join} under their two contexts (a dot survives unless the other side has seen it and
 * dropped it: add wins over a concurrent remove, observed removes win). A type supplies only how a row encodes its
 * dots ({@link #decode}, {@link #encode}), which rows count in the size ({@link #visible}) and its bookkeeping beside
 * the rows ({@link Bookkeeping}: the score index of sorted sets, the ends of lists, the encodings).
 *
 * <p>Which rows are joined: the delta's named ones; for a full delta or a tombstone (a DEL seen with its context) also
 * every local row, so a local row the sender no longer has and whose dots its context covers goes; for a part of a
 * whole state ({@link KeyDelta.Part}) every local row in the part's range, and the context joins whole only with the
 * last part. Cost: one get per named row, or one scan of the key's rows (of the part's range) for a full delta.
 *
 * <p>Called with the key's lock held (see {@link CollectionReplica}); stateless, so safe on any thread.
 *
 * @param <V> the value type of the rows' dots
 */
abstract class RowReplica<V extends Comparable<V>> implements CollectionReplica {

    protected final Keyspace ks;
    private final ValueType type;

    RowReplica(Keyspace ks, ValueType type) {
        this.ks = ks;
        this.type = type;
    }

    /** The dots of a stored row, or of a delta's row state. */
    abstract DotFun<V> decode(byte[] row) throws CodecException;

    /** The row that stores {@code dots} (never empty); null if such an element has no row. */
    abstract byte[] encode(DotFun<V> dots);

    /** The replica of a type whose rows are {@link ElementCodec} fields: hash fields and list elements. */
    abstract static class Fields extends RowReplica<Contribution> {

        Fields(Keyspace ks, ValueType type) {
            super(ks, type);
        }

        @Override
        final DotFun<Contribution> decode(byte[] row) throws CodecException {
            return ElementCodec.decodeField(row);
        }

        @Override
        final byte[] encode(DotFun<Contribution> dots) {
            return ElementCodec.encodeField(dots);
        }
    }

    /** Whether an element with these dots counts in the collection's size (is visible to reads). */
    boolean visible(DotFun<V> dots) {
        return !dots.isEmpty();
    }

    /** Starts the bookkeeping of one merge into {@code live} (null: a new version under {@code prefix}). */
    abstract Bookkeeping begin(Keyspace.Changes changes, Metadata live, byte[] prefix);

    /** What a type keeps beside its element rows, told of every row a merge changes. */
    interface Bookkeeping {

        /** Row {@code name} went from {@code before} to {@code after} (null: no row); called once per changed row. */
        void row(byte[] name, byte[] before, byte[] after);

        /** The META of the merged live collection, given the type-independent one ({@code meta}: encoding RAW, no payload). */
        Metadata finish(Metadata meta);
    }

    @Override
    public final Metadata merge(int db, byte[] key, Metadata local, KeyDelta delta, Keyspace.Changes changes) {
        Metadata theirs = delta.meta();
        boolean live = local != null && !local.tombstone();
        CausalContext mine = context(local);
        CausalContext other = context(theirs);
        long version = live ? local.version() : ks.stamp().time();
        RowWriter rows = RowWriter.merge(changes, db, key, version, live ? local.elementsHash() : 0);
        SortedMap<Bytes, byte[]> named = new TreeMap<>();
        for (KeyDelta.Element e : delta.elements()) {
            named.put(Bytes.of(e.name()), e.state());
        }
        SortedMap<Bytes, byte[]> stored = new TreeMap<>();
        KeyDelta.Part part = delta.part();
        if (live && part != null) {
            stored.putAll(rowsIn(db, key, local, part));
        } else if (live && (delta.full() || theirs.tombstone())) {
            for (KeyDelta.Element e : elements(db, key, local)) {
                stored.put(Bytes.of(e.name()), e.state());
            }
        } else if (live) {
            for (Bytes name : named.keySet()) {
                byte[] row = ks.engine().get(ColumnFamily.SUB, KeyCodec.sub(db, key, version, name.toByteArray()));
                if (row != null) {
                    stored.put(name, row);
                }
            }
        }
        SortedMap<Bytes, byte[]> names = new TreeMap<>(stored);
        named.forEach(names::putIfAbsent);
        Bookkeeping book = begin(changes, live ? local : null, rows.prefix());
        long size = live ? local.size() : 0;
        SortedMap<Bytes, byte[]> after = new TreeMap<>();
        for (Bytes name : names.keySet()) {
            byte[] before = stored.get(name);
            DotFun<V> was = dots(before);
            DotFun<V> joined = DotFun.join(was, mine, dots(named.get(name)), other);
            if (!joined.equals(was)) {
                byte[] row = joined.isEmpty() ? null : encode(joined);
                after.put(name, row);
                size += (row != null && visible(joined) ? 1 : 0) - (before != null && visible(was) ? 1 : 0);
            }
        }
        for (Map.Entry<Bytes, byte[]> e : after.entrySet()) {
            byte[] element = e.getKey().toByteArray();
            byte[] before = stored.get(e.getKey());
            if (rows.write(element, before, e.getValue())) {
                book.row(element, before, e.getValue());
            }
        }
        CausalContext context = part == null || part.last() ? mine.union(other) : mine.union(dotsOf(named));
        Stamp stamp = local == null || theirs.stamp().compareTo(local.stamp()) > 0 ? theirs.stamp() : local.stamp();
        if (local != null && !rows.wrote() && context.equals(mine) && stamp.equals(local.stamp())) {
            return local;
        }
        byte[] encodedContext = ElementCodec.encodeContext(context);
        if (size <= 0 && !rowsRemain(db, key, local, version, after)) {
            // an empty result keeps the tombstone's version unless rows were written under a new one
            return Metadata.tombstone(type, local != null && !rows.wrote() ? local.version() : version, stamp,
                    encodedContext);
        }
        return book.finish(new Metadata(type, Encoding.RAW, version, stamp, live ? local.expireAt() : 0,
                local == null ? null : local.expiryStamp(), size, encodedContext, null).withElementsHash(rows.hash()));
    }

    /**
     * Whether the collection keeps a row after this merge (its rows staged in {@code after}): only a hash field
     * without a value (removal offsets) can remain with nothing visible. Such a hash stays live with size 0 rather
     * than becoming a tombstone, because its offsets are state the other replicas hold too (only a local write
     * that empties a collection drops them, and ships that). Reads the key's rows only when nothing is visible.
     */
    private boolean rowsRemain(int db, byte[] key, Metadata local, long version, Map<Bytes, byte[]> after) {
        for (byte[] row : after.values()) {
            if (row != null) {
                return true;
            }
        }
        if (local == null || local.tombstone() || local.version() != version) {
            return false;
        }
        for (KeyDelta.Element e : elements(db, key, local)) {
            if (!after.containsKey(Bytes.of(e.name()))) {
                return true;
            }
        }
        return false;
    }

    /** The stored rows of {@code meta} (live) whose element names lie in {@code part}'s range. */
    private SortedMap<Bytes, byte[]> rowsIn(int db, byte[] key, Metadata meta, KeyDelta.Part part) {
        SortedMap<Bytes, byte[]> out = new TreeMap<>();
        byte[] prefix = KeyCodec.subPrefix(db, key, meta.version());
        byte[] from = part.after() == null ? prefix : KeyCodec.sub(db, key, meta.version(), part.after());
        try (Engine.Cursor c = ks.engine().iterate(ColumnFamily.SUB, from, KeyCodec.prefixEnd(prefix))) {
            for (; c.valid(); c.next()) {
                byte[] name = ElementRows.element(c.key(), prefix.length);
                if (part.upTo() != null && Arrays.compareUnsigned(name, part.upTo()) > 0) {
                    break;
                }
                if (part.covers(name)) {
                    out.put(Bytes.of(name), c.value());
                }
            }
        }
        return out;
    }

    /**
     * The dots of the rows a part names: what a receiver's context may grow by before the part's last one arrives
     * (see {@link KeyDelta.Part}).
     */
    private CausalContext dotsOf(Map<Bytes, byte[]> rows) {
        List<Dot> dots = new ArrayList<>();
        for (byte[] row : rows.values()) {
            for (Dot d : dots(row).dots()) {
                dots.add(d);
            }
        }
        return CausalContext.of(Stamp.ZERO, dots);
    }

    @Override
    public final List<KeyDelta.Element> elements(int db, byte[] key, Metadata meta) {
        List<KeyDelta.Element> out = new ArrayList<>((int) Math.min(meta.size(), 1 << 16));
        byte[] prefix = KeyCodec.subPrefix(db, key, meta.version());
        try (Engine.Cursor c = ks.engine().iterate(ColumnFamily.SUB, prefix, KeyCodec.prefixEnd(prefix))) {
            for (; c.valid(); c.next()) {
                out.add(new KeyDelta.Element(ElementRows.element(c.key(), prefix.length), c.value()));
            }
        }
        return out;
    }

    private DotFun<V> dots(byte[] row) {
        if (row == null) {
            return DotFun.empty();
        }
        try {
            return decode(row);
        } catch (CodecException e) {
            throw new StoreException("malformed " + type.redisName() + " element row: " + e.getMessage(), e);
        }
    }

    /** {@code meta} with another encoding and payload. */
    static Metadata reshaped(Metadata meta, Encoding encoding, byte[] payload) {
        return new Metadata(meta.type(), encoding, meta.version(), meta.stamp(), meta.expireAt(), meta.expiryStamp(),
                meta.size(), meta.context(), payload, meta.tombstone(), meta.elementsHash(), meta.observed());
    }

    /**
     * The dots a stored or shipped META covers: a collection's (live or tombstone) causal context, a string's
     * (live or tombstone) observed context (of the collections it replaced, see {@link Metadata}); empty for null.
     */
    static CausalContext context(Metadata meta) {
        if (meta == null) {
            return CausalContext.EMPTY;
        }
        byte[] bytes = meta.type().hasSubkeys() ? meta.context() : meta.observed();
        if (bytes.length == 0) {
            return CausalContext.EMPTY;
        }
        try {
            return ElementCodec.decodeContext(bytes);
        } catch (CodecException e) {
            throw new StoreException("corrupt collection context: " + e.getMessage(), e);
        }
    }

    /**
     * {@code meta}, a string or a tombstone (of any type), also covering {@code extra}: in its observed context for a
     * string, in its context for a collection's tombstone. A live collection must instead join {@code extra} as a
     * tombstone's context (which also drops its rows whose dots {@code extra} covers).
     */
    static Metadata covering(Metadata meta, CausalContext extra) {
        if (meta == null || extra.equals(CausalContext.EMPTY)) {
            return meta;
        }
        CausalContext own = context(meta);
        CausalContext all = own.union(extra);
        if (all.equals(own)) {
            return meta;
        }
        byte[] encoded = ElementCodec.encodeContext(all);
        return meta.type().hasSubkeys() ? meta.withContext(encoded) : meta.withObserved(encoded);
    }
}
