package io.hyperkv.server;

import io.hyperkv.cluster.ClusterSettings;
import io.hyperkv.cluster.CurrentTopology;
import io.hyperkv.cluster.PeerAddress;
import io.hyperkv.cluster.TopologyStore;
import io.hyperkv.cluster.bus.BusConfig;
import io.hyperkv.cluster.bus.BusNode;
import io.hyperkv.cluster.bus.BusRpc;
import io.hyperkv.cluster.bus.DeltaHandler;
import io.hyperkv.cluster.bus.PeerStates;
import io.vertx.core.Vertx;
import java.time.Duration;
import org.jboss.logging.Logger;

/**
 * The replication bus of a node in cluster mode ({@code hyperkv.cluster.enabled=true}): the {@link BusTransport}
 * listening on {@code hyperkv.cluster.bus-port} and the {@link BusNode} that links this node to its peers, gossips
 * the topology and bootstraps it from {@code hyperkv.cluster.peers}, with the {@link BusRpc} calls that ride on it.
 * Built by {@link NodeLifecycle} after the RESP listener is bound (the handshake tells peers the client port) and
 * stopped before the store closes (installing a topology writes to it).
 */
final class ClusterBus {

    private static final Logger LOG = Logger.getLogger(ClusterBus.class);

    private final BusTransport transport;
    private final BusNode node;
    private final BusRpc rpc;

    private ClusterBus(BusTransport transport, BusNode node) {
        this.transport = transport;
        this.node = node;
        this.rpc = new BusRpc(node, transport.blocking());
    }

    static ClusterBus start(Vertx vertx, ClusterSettings cluster, NodeIdentity identity, String bindHost,
            int clientPort, CurrentTopology topology, TopologyStore store, DeltaHandler deltas, Duration timeout)
            throws Exception {
        BusTransport transport = BusTransport.start(vertx, timeout);
        try {
            int busPort = transport.listen(bindHost, cluster.busPort(), timeout);
            String host = cluster.announceHost().orElse(
                    "0.0.0.0".equals(bindHost) || "::".equals(bindHost) ? "127.0.0.1" : bindHost);
            BusNode node = new BusNode(busConfig(cluster.timings()),
                    new BusNode.Identity(identity.nodeId(), new PeerAddress(host, busPort), clientPort),
                    cluster.secret().orElseThrow(), cluster.peers(), cluster.replicationFactor(), topology,
                    store::persist, deltas, transport);
            transport.acceptor(node::accept);
            node.start();
            LOG.infof("node %s joined the cluster bus on port %d, announced as %s:%d; static peers %s",
                    identity.nodeIdHex(), busPort, host, busPort, cluster.peers());
            return new ClusterBus(transport, node);
        } catch (Exception | Error e) {
            transport.close(timeout);
            throw e;
        }
    }

    /** The bus's bounds with the failure detector's timings of {@code hyperkv.cluster.*} (validated already). */
    static BusConfig busConfig(ClusterSettings.Timings t) {
        return BusConfig.defaults().withTimings(t.heartbeatInterval().toMillis(), t.suspectAfter().toMillis(),
                t.downAfter().toMillis());
    }

    BusNode node() {
        return node;
    }

    /** Calls between nodes (anti-entropy, state fetches); handlers and answers run on Vert.x worker threads. */
    BusRpc rpc() {
        return rpc;
    }

    PeerStates peers() {
        return node;
    }

    void stop(Duration timeout) {
        try {
            node.stop().get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            LOG.warnf("the cluster bus did not stop its links cleanly: %s", e.toString());
        }
        transport.close(timeout);
    }
}
