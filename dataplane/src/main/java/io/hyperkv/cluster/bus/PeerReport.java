package io.hyperkv.cluster.bus;

import io.hyperkv.cluster.ClusterNode;
import io.hyperkv.cluster.NodeId;
import io.hyperkv.cluster.Topology;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.ToLongFunction;

/**
 * One peer as {@code INFO replication} and {@code GET /v1/node} report it: the bus's view of the link (state, backlog),
 * the member of the topology in force with the peer's id (where clients reach it; empty before the handshake told the
 * id or while the topology does not list it), and the deltas hinted handoff holds for it.
 */
public record PeerReport(PeerView link, Optional<ClusterNode> member, long hintsPending) {

    /** The reports of {@code links} (in their order) against {@code topology}, with hints from {@code hints}. */
    public static List<PeerReport> of(List<PeerView> links, Optional<Topology> topology, ToLongFunction<NodeId> hints) {
        List<PeerReport> reports = new ArrayList<>(links.size());
        for (PeerView link : links) {
            Optional<ClusterNode> member = link.id().flatMap(id -> topology.flatMap(t -> t.node(id)));
            reports.add(new PeerReport(link, member, link.id().map(hints::applyAsLong).orElse(0L)));
        }
        return List.copyOf(reports);
    }

    /** Where clients reach the peer ({@code host:port}), or {@code -} when no topology lists it yet. */
    public String clientAddress() {
        return member.map(ClusterNode::address).orElse("-");
    }

    /** The peer's 40-hex id, or {@code -} before its handshake. */
    public String idHex() {
        return link.id().map(NodeId::hex).orElse("-");
    }
}
