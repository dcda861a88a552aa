package io.hyperkv.store;

import io.hyperkv.crdt.Bytes;
import io.hyperkv.crdt.CausalContext;
import io.hyperkv.crdt.Clock;
import io.hyperkv.crdt.CodecException;
import io.hyperkv.crdt.Contribution;
import io.hyperkv.crdt.Dot;
import io.hyperkv.crdt.DotFun;
import io.hyperkv.crdt.ElementCodec;
import io.hyperkv.crdt.RegisterValue;
import io.hyperkv.crdt.Stamp;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.Optional;

/**
 * Copies the element rows of a collection to another key, either as a fresh CRDT state (COPY) or
 * verbatim (RENAME), staging the rows in a batch.
 *
 * <p>A COPY is a new key with its own lifetime: its elements must not carry the source's dots, or
 * the two keys would share operations (a DEL or SREM observed on one, shipped as "these dots are
 * removed", would remove the other's elements wherever the two are merged or compared by dot).
 * So every element is re-minted: its value is resolved ({@link RegisterValue#resolve} for hash
 * fields, sorted-set members and list elements: the value a reader sees, counters included) and
 * written as one fresh contribution under one fresh dot of this node; the copy's context holds
 * exactly the fresh dots. Dots are minted as {@link CausalContext#nextDot} mints them, one clock
 * tick each: the first starts a new lifetime at its stamp's time (above every counter an earlier
 * lifetime of the destination key could hold), the rest continue it. Elements whose row holds no
 * value (a hash field left with only a removal's offset) are not copied; they were not counted in
 * the size either. Sorted-set score rows and list positions hold no dots and are copied as they are.
 *
 * <p>A RENAME moves the state: the source key is deleted in the same batch, so no two live keys
 * ever share a dot, and keeping the dots keeps the causal history that concurrent operations of
 * other replicas on the key (shipped with the source's dots) need to merge correctly. Replication
 * ships a rename as the removal of the source and the state of the destination.
 *
 * <p>Rows are staged through a {@link RowWriter}, so the copy gets its element hash and, while
 * replicating, every row is named in the destination's delta. A destination that held a collection
 * (or its tombstone) is replaced the way replicas can see: the copy's context also covers the old
 * one and, while replicating, the old rows not rewritten are named as removed
 * ({@link RowWriter#dropped}), so a replica drops them instead of merging them into the copy.
 *
 * <p>Both are O(n) in the collection's size (plus the replaced destination's while replicating):
 * the commands that call them run on a worker ({@code SLOW_PATH}).
 */
final class CollectionCopy {

    private CollectionCopy() {
    }

    /** What a copy staged for its destination's META: the encoded context and the element hash. */
    record Copied(byte[] context, long elementsHash) {}

    /**
     * Stages fresh copies of the rows of the collection {@code source} (of {@code srcKey}; SUB, and ZSCORE for
     * sorted sets) as key {@code dst} under version {@code version}, replacing {@code old} (dst's stored META, any
     * type, or null).
     */
    static Copied fresh(Keyspace ks, Keyspace.Changes changes, int srcDb, byte[] srcKey, Metadata source, int dstDb,
            byte[] dst, long version, Metadata old) {
        Clock clock = ks.clock();
        ValueType type = source.type();
        byte[] from = KeyCodec.subPrefix(srcDb, srcKey, source.version());
        RowWriter rows = RowWriter.local(ks, changes, type, dstDb, dst, version, 0);
        CausalContext context = RowReplica.context(ElementRows.continued(type, old));
        Dot last = null;
        Set<Bytes> written = new HashSet<>();
        try (Engine.Cursor c = ks.engine().iterate(ColumnFamily.SUB, from, KeyCodec.prefixEnd(from))) {
            for (; c.valid(); c.next()) {
                Stamp stamp = clock.next();
                Dot dot = last == null ? CausalContext.EMPTY.nextDot(stamp, clock.restartFloor())
                        : new Dot(stamp.node(), last.counter() + 1);
                byte[] value = remint(type, c.value(), dot, stamp);
                if (value == null) {
                    continue;
                }
                last = dot;
                context = context.with(dot, stamp);
                byte[] name = ElementRows.element(c.key(), from.length);
                rows.write(name, null, value);
                written.add(Bytes.of(name));
            }
        } catch (CodecException e) {
            throw new StoreException("cannot copy a malformed element row: " + e.getMessage(), e);
        }
        return finish(ks, changes, type, from, rows, old, written, context);
    }

    /** Stages the rows of {@code source} as {@code dst} unchanged (RENAME: a move keeps the state); as {@link #fresh}. */
    static Copied moved(Keyspace ks, Keyspace.Changes changes, int srcDb, byte[] srcKey, Metadata source, int dstDb,
            byte[] dst, long version, Metadata old) {
        byte[] from = KeyCodec.subPrefix(srcDb, srcKey, source.version());
        RowWriter rows = RowWriter.local(ks, changes, source.type(), dstDb, dst, version, 0);
        Set<Bytes> written = new HashSet<>();
        try (Engine.Cursor c = ks.engine().iterate(ColumnFamily.SUB, from, KeyCodec.prefixEnd(from))) {
            for (; c.valid(); c.next()) {
                byte[] name = ElementRows.element(c.key(), from.length);
                rows.write(name, null, c.value());
                written.add(Bytes.of(name));
            }
        }
        CausalContext context = RowReplica.context(source).union(RowReplica.context(ElementRows.continued(source.type(), old)));
        return finish(ks, changes, source.type(), from, rows, old, written, context);
    }

    /** Stages the score index of a sorted set's copy and names the rows of {@code old} the copy drops. */
    private static Copied finish(Keyspace ks, Keyspace.Changes changes, ValueType type, byte[] from, RowWriter rows,
            Metadata old, Set<Bytes> written, CausalContext context) {
        if (type == ValueType.ZSET) {
            try (Engine.Cursor c = ks.engine().iterate(ColumnFamily.ZSCORE, from, KeyCodec.prefixEnd(from))) {
                for (; c.valid(); c.next()) {
                    changes.putSub(ColumnFamily.ZSCORE, rekey(c.key(), from, rows.prefix()), c.value());
                }
            }
        }
        rows.dropped(ks.engine(), old, written);
        rows.ship(context.last());
        return new Copied(context.isEmpty() ? new byte[0] : ElementCodec.encodeContext(context), rows.hash());
    }

    private static byte[] remint(ValueType type, byte[] row, Dot dot, Stamp stamp) throws CodecException {
        return switch (type) {
            case SET -> ElementCodec.encodeMember(DotFun.of(dot, Boolean.TRUE));
            case HASH, LIST -> field(row, dot, stamp);
            case ZSET -> {
                // score f64 | contributions: the score is a cache of the value, kept as it is
                byte[] contributions = field(Arrays.copyOfRange(row, 8, row.length), dot, stamp);
                if (contributions == null) {
                    yield null;
                }
                byte[] out = Arrays.copyOf(row, 8 + contributions.length);
                System.arraycopy(contributions, 0, out, 8, contributions.length);
                yield out;
            }
            case STRING -> throw new IllegalArgumentException("a string has no element rows");
        };
    }

    private static byte[] field(byte[] row, Dot dot, Stamp stamp) throws CodecException {
        Optional<RegisterValue> value = RegisterValue.resolve(ElementCodec.decodeField(row));
        if (value.isEmpty()) {
            return null;
        }
        return ElementCodec.encodeField(DotFun.of(dot, new Contribution.Assign(stamp, value.get().bytes())));
    }

    private static byte[] rekey(byte[] k, byte[] from, byte[] to) {
        byte[] nk = new byte[to.length + k.length - from.length];
        System.arraycopy(to, 0, nk, 0, to.length);
        System.arraycopy(k, from.length, nk, to.length, k.length - from.length);
        return nk;
    }
}
