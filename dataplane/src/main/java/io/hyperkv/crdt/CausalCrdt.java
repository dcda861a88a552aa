package io.hyperkv.crdt;

/**
 * A CRDT made of a dot store and the {@link CausalContext} of the key that holds it. Removal is
 * observed-remove: a delta's context names the dots it has seen, and a merge drops those dots
 * unless the delta carries them again. Nothing is kept per removed element; what remains of a key
 * after DEL is its context, which {@link #isCollectable} tells when it can be dropped.
 */
public sealed interface CausalCrdt<S extends CausalCrdt<S>> extends Crdt<S>
        permits CounterRegister, OrSet, OrMap, Sequence {

    /** Every dot this state has seen, and the stamp of the latest operation folded in. */
    CausalContext context();

    @Override
    default Stamp latest() {
        return context().last();
    }

    /** No live element: the key does not exist for a reader (it may still hold a context). */
    boolean isEmpty();

    /**
     * Key-level observed-remove delete (DEL, or the first half of an overwrite by another type):
     * removes every element this replica has seen. Concurrent additions the deleting replica had
     * not seen survive the merge.
     */
    S clear(Clock clock);

    /**
     * True if this state is a deleted key's remains that may be dropped from storage: it has no
     * live element and every operation folded into it is stamped at or before
     * {@code stableHorizon}.
     *
     * <p>The caller guarantees {@code stableHorizon} is causally stable: every operation any replica
     * issued before it had applied all operations stamped at or before the horizon has been applied
     * here. One way to compute it: each replica acknowledges a watermark W once it has applied every
     * operation stamped at or before W and its own clock is past W; when all replicas have
     * acknowledged T, note the local clock S; when all have acknowledged S, T is stable. Dropping
     * earlier could let an operation still in flight revive elements the delete removed.
     */
    default boolean isCollectable(Stamp stableHorizon) {
        return isEmpty() && !context().last().after(stableHorizon);
    }
}
