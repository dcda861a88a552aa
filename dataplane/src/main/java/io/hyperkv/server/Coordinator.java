package io.hyperkv.server;

import io.hyperkv.cluster.Consistency;
import io.hyperkv.cluster.CurrentTopology;
import io.hyperkv.cluster.NodeId;
import io.hyperkv.cluster.Topology;
import io.hyperkv.cluster.bus.BusNode;
import io.hyperkv.cluster.bus.Delivery;
import io.hyperkv.cluster.bus.DeltaEnvelope;
import io.hyperkv.cluster.bus.HintSink;
import io.hyperkv.cluster.bus.PeerState;
import io.hyperkv.resp.Reply;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The cluster-mode side of serving clients (DESIGN.md section 5, "Coordinator"): the {@link Replicator} that ships
 * local writes to the other owners, the {@link Router} that sends commands on keys this node does not own to an owner,
 * and the view of the peers WAIT and routing need. Exists only in cluster mode
 * ({@link ServerWiring#coordinator()} is null on a single node, and nothing on the request path looks further).
 *
 * <p>Built before the RESP listener starts (the keyspace reports deltas from the first command on); the bus, which
 * needs the listener's port, and the hinted handoff, which needs the bus, are attached afterwards. A change committed
 * before that (a client quicker than the bus start) reaches no peer and no hint: anti-entropy repairs it.
 * Thread-safe: the attached references are volatile, the rest immutable.
 */
final class Coordinator {

    private final NodeId self;
    private final CurrentTopology topology;
    private final Replicator replicator;
    private final Forwarder forwarder;
    private final Router router;
    private final QuorumReads reads;
    private volatile BusNode bus;
    private volatile HintSink hints;
    private volatile QuorumReads.Fetch fetch = (peer, db, keys, executor, merge) -> CompletableFuture.failedFuture(
            new IllegalStateException("the cluster bus is not started yet"));

    /**
     * {@code replicaWait} ({@code hyperkv.cluster.replica-wait}) bounds how long a write's reply waits for its W
     * acknowledgements before {@code -NOQUORUM}; {@code reads} has its own bound, the same setting in a node.
     */
    Coordinator(NodeId self, CurrentTopology topology, Consistency write, Duration replicaWait, Forwarder forwarder,
            QuorumReads reads) {
        this.self = self;
        this.topology = topology;
        this.replicator = new Replicator(self, topology, this::send, new AttachedHints(), write, replicaWait);
        this.forwarder = forwarder;
        this.reads = reads;
        this.router = new Router(self, this, forwarder);
    }

    /** The bus, the hints and the state fetch of quorum reads, once they run. */
    void attach(BusNode node, HintSink handoff, QuorumReads.Fetch states) {
        this.hints = handoff;
        this.fetch = states;
        this.bus = node;
    }

    QuorumReads reads() {
        return reads;
    }

    QuorumReads.Fetch fetch() {
        return fetch;
    }

    CurrentTopology topology() {
        return topology;
    }

    Replicator replicator() {
        return replicator;
    }

    Router router() {
        return router;
    }

    /** Closes the connections to other nodes' client ports (node shutdown). */
    void close() {
        forwarder.close();
    }

    /** A peer's state as the bus's failure detector sees it; DOWN before the bus runs. */
    PeerState peerState(NodeId id) {
        BusNode b = bus;
        return b == null ? PeerState.DOWN : b.state(id);
    }

    private Delivery send(NodeId peer, List<DeltaEnvelope> batch) {
        BusNode b = bus;
        if (b == null) {
            return new Delivery.Refused(Delivery.Reason.UNKNOWN_PEER, "the cluster bus is not started yet");
        }
        return b.send(peer, batch);
    }

    /** The hinted handoff once attached; before, nothing is held (see the class comment). */
    private final class AttachedHints implements HintSink {
        @Override
        public void hold(NodeId peer, List<DeltaEnvelope> batch) {
            HintSink h = hints;
            if (h != null) {
                h.hold(peer, batch);
            }
        }

        @Override
        public long pending(NodeId peer) {
            HintSink h = hints;
            return h == null ? 0 : h.pending(peer);
        }
    }

    /**
     * Redis Cluster's {@code -MOVED slot host:port} (the slot's first owner) when the topology in force does not make
     * this node an owner of {@code slot}; null when it does, or when no topology is known.
     */
    Reply movedAway(int slot) {
        Topology t = topology.get().orElse(null);
        if (t == null || t.owns(self, slot)) {
            return null;
        }
        return moved(t, slot);
    }

    /** {@code -MOVED slot host:port} naming the first owner of {@code slot} in {@code t}, or CLUSTERDOWN if none. */
    static Reply moved(Topology t, int slot) {
        return t.ownersOf(slot).stream().findFirst().flatMap(t::node)
                .map(n -> Reply.error("MOVED " + slot + " " + n.address()))
                .orElseGet(() -> Reply.error("CLUSTERDOWN Hash slot not served"));
    }

    /** Members of the topology in force, this node aside, that the bus sees UP (WAIT before any write). */
    int reachablePeers() {
        Topology t = topology.get().orElse(null);
        if (t == null) {
            return 0;
        }
        int n = 0;
        for (var node : t.nodes()) {
            if (!node.id().equals(self) && peerState(node.id()) == PeerState.UP) {
                n++;
            }
        }
        return n;
    }
}
