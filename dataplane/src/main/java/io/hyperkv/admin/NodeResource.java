package io.hyperkv.admin;

import io.hyperkv.cluster.ClusterNode;
import io.hyperkv.cluster.NodeId;
import io.hyperkv.cluster.SlotSpan;
import io.hyperkv.cluster.Topology;
import io.hyperkv.cluster.bus.PeerReport;
import io.hyperkv.cluster.bus.PeerView;
import io.hyperkv.server.LocalNode;
import io.hyperkv.server.NodeLifecycle;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/** {@code GET /v1/node}: what this node says about itself to the operator. Runs on a worker (it walks the store's files). */
@Path("/v1/node")
public class NodeResource {

    @Inject
    NodeLifecycle lifecycle;

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public AdminJson.Node node() {
        LocalNode node = lifecycle.localNode().orElseThrow(AdminException::unavailable);
        Topology topology = node.topology().get().orElse(null);
        List<AdminJson.Slots> slots = topology == null ? List.of()
                : topology.spansOwnedBy(node.nodeId()).stream().map(NodeResource::slots).toList();
        List<AdminJson.Peer> peers = node.peers().stream().map(NodeResource::peer).toList();
        return new AdminJson.Node(node.nodeId().hex(), LocalNode.version(), node.cluster().enabled(),
                topology == null ? 0 : topology.epoch(), lifecycle.ready(), node.draining(), node.keys(),
                node.diskBytes(), node.memoryBytes(), slots, peers);
    }

    private static AdminJson.Peer peer(PeerReport p) {
        PeerView link = p.link();
        return new AdminJson.Peer(link.id().map(NodeId::hex).orElse(null),
                p.member().map(ClusterNode::address).orElse(null), link.address().toString(), link.state().word(),
                link.connected(), link.silentMillis(), link.outstandingFrames(), link.queuedBytes(), p.hintsPending());
    }

    private static AdminJson.Slots slots(SlotSpan span) {
        return new AdminJson.Slots(span.first(), span.last());
    }
}
