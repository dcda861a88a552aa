package io.hyperkv.crdt;

/**
 * A state-based CRDT: an immutable value whose {@link #merge} is the join of a semilattice
 * (commutative, associative, idempotent), so replicas that have merged the same states hold equal
 * values whatever the order, duplication or grouping of deliveries. Deltas produced by mutators are
 * states of the same type, merged the same way. {@link CrdtCodec} encodes every implementation.
 */
public sealed interface Crdt<S extends Crdt<S>> permits LwwRegister, Expiry, CausalCrdt {

    /** The join of this state and {@code other}; neither is changed. */
    S merge(S other);

    /**
     * The greatest stamp of any operation folded into this state. A replica receiving a delta passes
     * it to {@link Clock#observe} before applying it, so its own later writes order after it.
     */
    Stamp latest();
}
