package io.hyperkv.server;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

/**
 * Health probes: live while the process answers; ready when the store is open, the RESP listener
 * is bound, the node is neither draining nor shutting down and, in cluster mode, knows a topology
 * ({@link NodeLifecycle#ready}), so Kubernetes sends clients only to a node that can serve them.
 */
public final class NodeHealth {

    private NodeHealth() {
    }

    @Readiness
    @ApplicationScoped
    public static class Ready implements HealthCheck {
        @Inject
        NodeLifecycle node;
        @Inject
        RespListener listener;

        @Override
        public HealthCheckResponse call() {
            return HealthCheckResponse.named("hyperkv")
                    .status(node.ready())
                    .withData("resp-port", listener.port())
                    .withData("store-open", node.engine() != null)
                    .withData("shutting-down", node.stopping())
                    .withData("draining", node.localNode().map(LocalNode::draining).orElse(false))
                    .withData("topology-epoch", node.localNode().map(n -> n.topology().epoch()).orElse(0L))
                    // Informational: a node catching up still serves; the operator waits for in-sync on /v1/node.
                    .withData("slots-out-of-sync", node.localNode().map(LocalNode::slotsOutOfSync).orElse(0))
                    .build();
        }
    }

    @Liveness
    @ApplicationScoped
    public static class Live implements HealthCheck {
        @Inject
        NodeLifecycle node;

        @Override
        public HealthCheckResponse call() {
            // The process answering HTTP is the liveness signal; a draining node is alive, just not ready,
            // and must not be restarted by the kubelet in the middle of its graceful shutdown.
            return HealthCheckResponse.named("hyperkv").up().withData("shutting-down", node.stopping()).build();
        }
    }
}
