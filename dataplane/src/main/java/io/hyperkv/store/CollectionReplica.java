package io.hyperkv.store;

import java.util.List;

/**
 * How {@link Keyspace} merges and captures the element rows of one collection type; each element store (hash, set,
 * sorted set, list) registers one. Keyspace decides everything about the key as a whole (tombstone or live, which type
 * wins a type conflict, the expiry field) and leaves the rows and the causal context to the store.
 *
 * <p>Called with the key's lock held, never for a type other than the store's own.
 */
public interface CollectionReplica {

    /**
     * Stages in {@code changes} the join of {@code delta}'s named elements (all elements when {@code delta.full()})
     * into the key's rows, and returns the META to stage for the key: context joined, size and element hash updated,
     * stamp the greater of both. {@code local} is the key's stored META: a live collection of this type, a tombstone
     * (its context drops the delta's dots it covers: observed-remove), or null (never heard of). A result with no
     * element is a tombstone carrying the joined context. Returns {@code local} itself when nothing changes, so a
     * delta delivered twice writes nothing the second time. Does not touch expiry: the caller merges it.
     */
    Metadata merge(int db, byte[] key, Metadata local, KeyDelta delta, Keyspace.Changes changes);

    /** Every element row of the live collection {@code meta} of {@code key}, for a full-state {@link KeyDelta}. */
    List<KeyDelta.Element> elements(int db, byte[] key, Metadata meta);
}
