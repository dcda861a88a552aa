package io.hyperkv.cluster;

/**
 * Which owners hold all the data of a slot ("in sync"), as anti-entropy knows it: a newly added owner is not in sync
 * until a round with its peers has found no differing keys; a node back from being down is not in sync until it has
 * caught up. {@link Transition} drops an owner only when the owners that stay are in sync.
 */
@FunctionalInterface
public interface SyncStatus {

    /** Whether {@code node} holds all of {@code slot}'s data. */
    boolean inSync(NodeId node, int slot);

    /** Every owner of every slot under {@code topology} is in sync, the steady state; nobody else is. */
    static SyncStatus ownersOf(Topology topology) {
        return (node, slot) -> topology.owns(node, slot);
    }
}
