package io.hyperkv.store;

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
 * <p>Both are O(n) in the collection's size: the commands that call them run on a worker
 * ({@code SLOW_PATH}).
 */
final class CollectionCopy {

    private CollectionCopy() {
    }

    /**
     * Stages fresh copies of the rows of {@code from} (SUB, and ZSCORE for sorted sets) under
     * {@code to} and returns the encoded context of the copy.
     */
    static byte[] fresh(Engine engine, Clock clock, ValueType type, byte[] from, byte[] to, Engine.Batch batch) {
        CausalContext context = CausalContext.EMPTY;
        Dot last = null;
        try (Engine.Cursor c = engine.iterate(ColumnFamily.SUB, from, KeyCodec.prefixEnd(from))) {
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
                batch.put(ColumnFamily.SUB, rekey(c.key(), from, to), value);
            }
        } catch (CodecException e) {
            throw new StoreException("cannot copy a malformed element row: " + e.getMessage(), e);
        }
        if (type == ValueType.ZSET) {
            verbatim(engine, ColumnFamily.ZSCORE, from, to, batch);
        }
        return context.isEmpty() ? new byte[0] : ElementCodec.encodeContext(context);
    }

    /** Stages the rows of {@code from} under {@code to} unchanged (RENAME: a move keeps the state). */
    static void moved(Engine engine, ValueType type, byte[] from, byte[] to, Engine.Batch batch) {
        verbatim(engine, ColumnFamily.SUB, from, to, batch);
        if (type == ValueType.ZSET) {
            verbatim(engine, ColumnFamily.ZSCORE, from, to, batch);
        }
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

    private static void verbatim(Engine engine, ColumnFamily cf, byte[] from, byte[] to, Engine.Batch batch) {
        try (Engine.Cursor c = engine.iterate(cf, from, KeyCodec.prefixEnd(from))) {
            for (; c.valid(); c.next()) {
                batch.put(cf, rekey(c.key(), from, to), c.value());
            }
        }
    }

    private static byte[] rekey(byte[] k, byte[] from, byte[] to) {
        byte[] nk = new byte[to.length + k.length - from.length];
        System.arraycopy(to, 0, nk, 0, to.length);
        System.arraycopy(k, from.length, nk, to.length, k.length - from.length);
        return nk;
    }
}
