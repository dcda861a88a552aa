package io.hyperkv.server;

import io.hyperkv.cluster.ClusterSettings;

/** Turns the {@code hyperkv.cluster.*} keys into validated {@link ClusterSettings}, or a start-up failure saying why. */
final class ClusterConfig {

    private ClusterConfig() {
    }

    static ClusterSettings settings(HyperKvConfig config) {
        HyperKvConfig.Cluster c = config.cluster();
        try {
            return ClusterSettings.of(new ClusterSettings.Raw(c.enabled(), config.port(), c.busPort(), c.peers(),
                    c.replicationFactor(), c.writeConsistency(), c.readConsistency(), c.secret(), c.nodeId(),
                    c.announceHost(), new ClusterSettings.Timings(c.replicaWait(), c.heartbeatInterval(),
                            c.suspectAfter(), c.downAfter())));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** The {@code hyperkv.cluster.hints.*} bounds, or a start-up failure naming the keys. */
    static HintStore.Bounds hintBounds(HyperKvConfig config) {
        HyperKvConfig.Hints h = config.cluster().hints();
        try {
            return new HintStore.Bounds(h.maxBytes(), h.maxAge());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("invalid hyperkv.cluster.hints.max-bytes=" + h.maxBytes()
                    + " or hyperkv.cluster.hints.max-age=" + h.maxAge() + ": both must be positive", e);
        }
    }
}
