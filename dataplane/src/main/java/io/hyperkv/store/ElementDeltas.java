package io.hyperkv.store;

import io.hyperkv.crdt.Bytes;
import java.util.SortedSet;

/**
 * Where an element store reports the CRDT delta of every write it commits, for replication to
 * ship to the key's other replicas, which apply it with the store's {@code merge}. A delta names
 * the elements it touches explicitly: a removal's delta holds no element, only the dots it covers
 * in its context, so the receiver could not otherwise tell which rows to read and merge.
 *
 * <p>Called after the commit, under the key's lock, on the writing thread: keep it short.
 *
 * @param <S> the CRDT type of the collection ({@link io.hyperkv.crdt.OrSet}, {@link io.hyperkv.crdt.OrMap})
 */
@FunctionalInterface
public interface ElementDeltas<S> {

    void applied(int db, byte[] key, S delta, SortedSet<Bytes> elements);

    /** Ships nothing: a single node. */
    static <S> ElementDeltas<S> none() {
        return (db, key, delta, elements) -> { };
    }
}
