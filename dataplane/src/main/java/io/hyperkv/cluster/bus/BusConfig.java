package io.hyperkv.cluster.bus;

/**
 * Timings and bounds of the bus. {@link #defaults()} are DESIGN.md section 5's values; a node replaces the failure
 * detector's timings with {@code hyperkv.cluster.heartbeat-interval}, {@code suspect-after} and {@code down-after}
 * (whose defaults are these), and tests shorten them.
 *
 * @param heartbeatMillis how often each outbound link sends {@code HKV.PING}
 * @param suspectAfterMillis silence after which a peer is SUSPECT
 * @param downAfterMillis silence after which a peer is DOWN (its queued deltas fail, to be hinted)
 * @param queueBytes bound of each link's queue of unacknowledged delta frames
 * @param window delta frames in flight (sent, not acknowledged) per link
 * @param minBackoffMillis first reconnect delay; doubled per failure
 * @param maxBackoffMillis reconnect delay cap
 * @param handshakeTimeoutMillis a connection that has not completed its handshake by then is closed
 * @param maxPendingApplies delta batches a receiving link lets the handler work on before it stops reading
 */
public record BusConfig(long heartbeatMillis, long suspectAfterMillis, long downAfterMillis, long queueBytes,
        int window, long minBackoffMillis, long maxBackoffMillis, long handshakeTimeoutMillis, int maxPendingApplies) {

    public BusConfig {
        if (heartbeatMillis <= 0 || suspectAfterMillis <= heartbeatMillis || downAfterMillis <= suspectAfterMillis) {
            throw new IllegalArgumentException("need 0 < heartbeat < suspectAfter < downAfter");
        }
        if (queueBytes <= 0 || window <= 0 || minBackoffMillis <= 0 || maxBackoffMillis < minBackoffMillis
                || handshakeTimeoutMillis <= 0 || maxPendingApplies <= 0) {
            throw new IllegalArgumentException("bus bounds must be positive");
        }
    }

    public static BusConfig defaults() {
        return new BusConfig(500, 2_000, 10_000, 16L * 1024 * 1024, 64, 100, 5_000, 5_000, 16);
    }

    public BusConfig withTimings(long heartbeat, long suspectAfter, long downAfter) {
        return new BusConfig(heartbeat, suspectAfter, downAfter, queueBytes, window, minBackoffMillis,
                maxBackoffMillis, handshakeTimeoutMillis, maxPendingApplies);
    }

    public BusConfig withQueue(long bytes, int frames) {
        return new BusConfig(heartbeatMillis, suspectAfterMillis, downAfterMillis, bytes, frames, minBackoffMillis,
                maxBackoffMillis, handshakeTimeoutMillis, maxPendingApplies);
    }
}
