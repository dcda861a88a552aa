package io.hyperkv.store;

import io.hyperkv.crdt.Bytes;
import io.hyperkv.crdt.CausalContext;
import io.hyperkv.crdt.CodecException;
import io.hyperkv.crdt.Dot;
import io.hyperkv.crdt.DotFun;
import io.hyperkv.crdt.ElementCodec;
import io.hyperkv.crdt.Stamp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Stages the {@link ColumnFamily#SUB} element rows of one collection version in a {@link Keyspace.Changes} and keeps
 * what follows from them: the collection's {@link Metadata#elementsHash()} (while the keyspace replicates; on a single
 * node a written collection's hash is {@link Metadata#STALE_HASH}, rebuilt when replication starts) and, for a local
 * write while the keyspace
 * {@link Keyspace#replicating() replicates}, what the write's {@link KeyDelta} ships: the rows it changed, named with
 * their new state, and the delta's causal context ({@link #ship}). Every element store writes its SUB rows through
 * one of these, so no row write can forget the hash or the naming. Derived rows (the sorted-set score index) are not
 * element rows and are staged directly.
 *
 * <p>Why a delta context and not META's: a replica merges only the rows a delta names, so the context it joins must
 * speak only of those rows. The delta context is the dots of the named rows before and after the write: the dots the
 * write covered (replaced or removed) and the dots it minted, exactly the context of the CRDT delta-mutator's result.
 * Shipping the collection's full context instead would make a replica that receives a later delta before an earlier
 * one (another origin's, or a retry) treat the earlier delta's new elements as seen and removed.
 *
 * <p>One per key per change set, used under the key's lock by one thread.
 */
final class RowWriter {

    private final Keyspace.Changes changes;
    private final int db;
    private final byte[] key;
    private final byte[] prefix;
    /** The collection's type, whose rows' dots a shipped delta's context holds; null when nothing is shipped. */
    private final ValueType shipping;
    /** Whether the element hash is kept: always for a merge, for a local write only while replicating. */
    private final boolean hashing;
    private final List<Dot> dots = new ArrayList<>();
    private long hash;
    private boolean wrote;

    private RowWriter(Keyspace.Changes changes, int db, byte[] key, long version, long hash, ValueType shipping,
            boolean hashing) {
        this.changes = changes;
        this.hashing = hashing;
        this.db = db;
        this.key = key;
        this.prefix = KeyCodec.subPrefix(db, key, version);
        this.shipping = shipping;
        this.hash = hash;
    }

    /**
     * A local write's rows of {@code key} under {@code version}, whose element hash is {@code hash} before the write;
     * rows of this {@code type} are named for replication while {@code ks} replicates.
     */
    static RowWriter local(Keyspace ks, Keyspace.Changes changes, ValueType type, int db, byte[] key, long version,
            long hash) {
        boolean replicating = ks.replicating();
        return new RowWriter(changes, db, key, version, hash, replicating ? type : null, replicating);
    }

    /** A merge's rows: hashed, never named (a merge is not reported to the delta sink). */
    static RowWriter merge(Keyspace.Changes changes, int db, byte[] key, long version, long hash) {
        return new RowWriter(changes, db, key, version, hash, null, true);
    }

    /** The sub-key prefix of the collection's version. */
    byte[] prefix() {
        return prefix;
    }

    /**
     * Stages row {@code element} going from {@code before} to {@code after} (either null: no row); nothing when the
     * two are equal. Returns whether it staged a write.
     */
    boolean write(byte[] element, byte[] before, byte[] after) {
        if (Arrays.equals(before, after)) {
            return false;
        }
        byte[] subKey = Arrays.copyOf(prefix, prefix.length + element.length);
        System.arraycopy(element, 0, subKey, prefix.length, element.length);
        if (after == null) {
            changes.deleteSub(ColumnFamily.SUB, subKey);
        } else {
            changes.putSub(ColumnFamily.SUB, subKey, after);
        }
        if (!hashing) {
            // a single node compares no digests: the hash is rebuilt from the rows when replication starts
            hash = Metadata.STALE_HASH;
        } else if (hash != Metadata.STALE_HASH) {
            hash ^= ElementHash.of(element, before) ^ ElementHash.of(element, after);
        }
        wrote = true;
        if (shipping != null) {
            changes.element(db, key, element, after);
            collect(before);
            collect(after);
        }
        return true;
    }

    /**
     * Names as removed, while shipping, every element row of the live collection {@code stored} (this key's previous
     * value) that a write replacing it under a new version does not rewrite ({@code kept}), and puts the dots of all
     * of its rows in the delta's context: the replicas then drop those rows and the old dots of the kept ones. Writes nothing (the old version's rows go with it).
     * O(rows of stored); nothing on a single node.
     */
    void dropped(Engine engine, Metadata stored, Set<Bytes> kept) {
        if (shipping == null || stored == null || stored.tombstone() || !stored.type().hasSubkeys()) {
            return;
        }
        byte[] old = KeyCodec.subPrefix(db, key, stored.version());
        try (Engine.Cursor c = engine.iterate(ColumnFamily.SUB, old, KeyCodec.prefixEnd(old))) {
            for (; c.valid(); c.next()) {
                byte[] element = ElementRows.element(c.key(), old.length);
                if (!kept.contains(Bytes.of(element))) {
                    changes.element(db, key, element, null);
                }
                // a kept element's old dots are replaced too: the context covers them
                collect(c.value());
            }
        }
    }

    /** Stages, while shipping, the delta context of the rows named so far, as of the write's {@code stamp}. */
    void ship(Stamp stamp) {
        if (shipping != null) {
            changes.deltaContext(db, key, ElementCodec.encodeContext(CausalContext.of(stamp, dots)));
        }
    }

    private void collect(byte[] row) {
        if (row == null) {
            return;
        }
        try {
            DotFun<?> f = switch (shipping) {
                case SET -> ElementCodec.decodeMember(row);
                case ZSET -> ZSetStore.contributionsOf(row);
                default -> ElementCodec.decodeField(row);
            };
            f.dots().forEach(dots::add);
        } catch (CodecException e) {
            throw new StoreException("malformed element row: " + e.getMessage(), e);
        }
    }

    /**
     * The collection's element hash with every row staged so far; {@link Metadata#STALE_HASH} once a row was staged
     * without hashing (a local write on a single node) or when the hash it started from was stale.
     */
    long hash() {
        return hash;
    }

    /** Whether any row was staged. */
    boolean wrote() {
        return wrote;
    }
}
