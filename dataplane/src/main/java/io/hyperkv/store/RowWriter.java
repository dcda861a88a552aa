package io.hyperkv.store;

import java.util.Arrays;

/**
 * Stages the {@link ColumnFamily#SUB} element rows of one collection version in a {@link Keyspace.Changes} and keeps
 * what follows from them: the collection's {@link Metadata#elementsHash()} and, for a local write while the keyspace
 * {@link Keyspace#replicating() replicates}, the rows named for the write's {@link KeyDelta}. Every element store
 * writes its SUB rows through one of these, so no row write can forget the hash or the naming. Derived rows (the
 * sorted-set score index) are not element rows and are staged directly.
 *
 * <p>One per key per change set, used under the key's lock by one thread.
 */
final class RowWriter {

    private final Keyspace.Changes changes;
    private final int db;
    private final byte[] key;
    private final byte[] prefix;
    private final boolean name;
    private long hash;
    private boolean wrote;

    /**
     * Rows of {@code key} under {@code version}, whose element hash is {@code hash} before this write; {@code local}:
     * a local write, whose rows are named for replication (a merge of a remote delta names nothing).
     */
    RowWriter(Keyspace.Changes changes, int db, byte[] key, long version, long hash, boolean local) {
        this.changes = changes;
        this.db = db;
        this.key = key;
        this.prefix = KeyCodec.subPrefix(db, key, version);
        this.name = local;
        this.hash = hash;
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
        hash ^= ElementHash.of(element, before) ^ ElementHash.of(element, after);
        if (name) {
            changes.element(db, key, element, after);
        }
        wrote = true;
        return true;
    }

    /** The collection's element hash with every row staged so far. */
    long hash() {
        return hash;
    }

    /** Whether any row was staged. */
    boolean wrote() {
        return wrote;
    }
}
