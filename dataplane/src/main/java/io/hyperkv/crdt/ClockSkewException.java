package io.hyperkv.crdt;

/**
 * Thrown by {@link HybridLogicalClock#observe(Stamp)} when a peer's timestamp is further ahead of
 * the local wall clock than the configured tolerance. The clock is left unchanged: adopting such a
 * timestamp would drag every later local write into the future with it, and a single peer with a
 * broken clock could then win every last-writer-wins race for as long as the skew lasts. The
 * caller refuses the message that carried the timestamp (the sender retries; by then the clocks may
 * agree again) and reports the peer.
 */
public final class ClockSkewException extends RuntimeException {

    private final Stamp remote;
    private final long localWallMillis;

    public ClockSkewException(Stamp remote, long localWallMillis, long toleranceMillis) {
        super("timestamp from node " + Long.toUnsignedString(remote.node()) + " is "
                + (remote.physicalMillis() - localWallMillis) + " ms ahead of the local clock (tolerance "
                + toleranceMillis + " ms)");
        this.remote = remote;
        this.localWallMillis = localWallMillis;
    }

    public Stamp remote() {
        return remote;
    }

    public long localWallMillis() {
        return localWallMillis;
    }
}
