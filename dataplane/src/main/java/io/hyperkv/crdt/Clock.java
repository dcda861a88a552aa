package io.hyperkv.crdt;

/**
 * Issues timestamps for local events. The production implementation is the hybrid logical clock
 * of this package; tests may supply their own.
 */
public interface Clock {

    /** A timestamp strictly greater than every one this clock issued or observed before. */
    Stamp next();

    /** Folds in a timestamp seen on a message from a peer, so later local events order after it. */
    void observe(Stamp remote);

    /** This node's id, the tie-break of {@link Stamp}. */
    long nodeId();
}
