package io.hyperkv.command;

import io.hyperkv.cluster.NodeId;
import io.hyperkv.cluster.Topology;
import io.hyperkv.cluster.bus.PeerReport;
import java.util.List;
import java.util.Optional;

/**
 * What {@code CLUSTER ...}, {@code INFO cluster} and {@code INFO replication} read of this node's cluster membership.
 * The server implements it over the topology in force, the replication bus and the hint store; every method is cheap
 * (no disk access) and safe from any thread, since CLUSTER SLOTS and INFO run on event loops.
 */
public interface ClusterView {

    /** {@code hyperkv.cluster.enabled}: when false every other method may refuse and CLUSTER answers as Redis does. */
    boolean clusterEnabled();

    /** This node's id. */
    NodeId nodeId();

    /** The topology in force; empty until one is installed (a new member before the bus formed the cluster). */
    Optional<Topology> topologyInForce();

    /** Each peer this node links to, as the bus sees it, with its hints; empty while the bus is not running. */
    List<PeerReport> peers();

    /** The view of a node with cluster support disabled (the default, single-node mode). */
    ClusterView DISABLED = new ClusterView() {
        @Override
        public boolean clusterEnabled() {
            return false;
        }

        @Override
        public NodeId nodeId() {
            throw new IllegalStateException("cluster support is disabled: no cluster node id");
        }

        @Override
        public Optional<Topology> topologyInForce() {
            return Optional.empty();
        }

        @Override
        public List<PeerReport> peers() {
            return List.of();
        }
    };
}
