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
                    c.announceHost()));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }
}
