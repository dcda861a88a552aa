package io.hyperkv.admin;

import io.hyperkv.cluster.ClusterNode;
import io.hyperkv.cluster.NodeId;
import io.hyperkv.cluster.SlotSpan;
import io.hyperkv.cluster.Topology;
import io.hyperkv.cluster.bus.PeerReport;
import io.hyperkv.cluster.bus.PeerView;
import io.hyperkv.cluster.repair.AntiEntropy;
import io.hyperkv.server.LocalNode;
import io.hyperkv.server.NodeLifecycle;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.Optional;

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
        List<SlotSpan> owned = topology == null ? List.of() : topology.spansOwnedBy(node.nodeId());
        Optional<AntiEntropy> ae = node.antiEntropy();
        List<AdminJson.Slots> slots = ae.isEmpty()
                ? owned.stream().map(s -> new AdminJson.Slots(s.first(), s.last(), null, null)).toList()
                : ae.get().sync().runs(owned).stream().map(r -> new AdminJson.Slots(r.start(), r.end(), r.inSync(),
                        r.lastRound().map(Object::toString).orElse(null))).toList();
        return new AdminJson.Node(node.nodeId().hex(), LocalNode.version(), node.cluster().enabled(),
                topology == null ? 0 : topology.epoch(), lifecycle.ready(), node.draining(), node.keys(),
                node.diskBytes(), node.memoryBytes(), slots, node.peers().stream().map(NodeResource::peer).toList(),
                ae.map(a -> antiEntropy(a, owned)).orElse(null));
    }

    private static AdminJson.Peer peer(PeerReport p) {
        PeerView link = p.link();
        return new AdminJson.Peer(link.id().map(NodeId::hex).orElse(null),
                p.member().map(ClusterNode::address).orElse(null), link.address().toString(), link.state().word(),
                link.connected(), link.silentMillis(), link.outstandingFrames(), link.queuedBytes(), p.hintsPending());
    }

    private static AdminJson.AntiEntropy antiEntropy(AntiEntropy ae, List<SlotSpan> owned) {
        AntiEntropy.Totals t = ae.totals();
        return new AdminJson.AntiEntropy(t.rounds(), t.keysCompared(), t.keysRepaired(), t.keysChangedHere(),
                ae.sync().outOfSyncCount(owned), ae.lastRound().map(AdminJson.Round::of).orElse(null));
    }
}
