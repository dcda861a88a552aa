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

    /**
     * A value every stamp this process issues is above, and every stamp (hence every dot counter)
     * an earlier process of this node issued is at or below: the high-water mark the clock was
     * restored from. Dot minting starts a new counter range on a key whose greatest own dot is at or
     * below it, because the local state may have lost dots a peer already holds (a restart under
     * {@code appendfsync everysec}), and reusing one would silently drop two operations.
     * 0 for a clock that never restarts.
     */
    default long restartFloor() {
        return 0;
    }
}
