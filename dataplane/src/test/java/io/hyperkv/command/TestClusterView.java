package io.hyperkv.command;

import io.hyperkv.cluster.NodeId;
import io.hyperkv.cluster.Topology;
import io.hyperkv.cluster.bus.PeerReport;
import io.hyperkv.cluster.bus.PeerView;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A cluster-mode view for handler tests: the test sets which node this is, the topology, the links and the hints. */
final class TestClusterView implements ClusterView {

    NodeId self;
    Topology topology;
    List<PeerView> links = List.of();
    Map<NodeId, Long> hints = Map.of();

    TestClusterView(NodeId self, Topology topology) {
        this.self = self;
        this.topology = topology;
    }

    @Override
    public boolean clusterEnabled() {
        return true;
    }

    @Override
    public NodeId nodeId() {
        return self;
    }

    @Override
    public Optional<Topology> topologyInForce() {
        return Optional.ofNullable(topology);
    }

    @Override
    public List<PeerReport> peers() {
        return PeerReport.of(links, topologyInForce(), id -> hints.getOrDefault(id, 0L));
    }
}
