package io.hyperkv.cluster;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How a cluster formed from a static peer list ({@code hyperkv.cluster.peers}) gets its first topology, without an
 * operator. Every member runs this rule on what the peers told it over the bus handshake:
 * <ol>
 *   <li>If any peer (this node included) already has a topology, the one with the highest epoch is adopted: a
 *       restarted member rejoins the cluster as it is, never re-bootstrapping it.</li>
 *   <li>Otherwise, once every listed peer has introduced itself (its node id and client port), the topology is epoch 1
 *       of the {@link Placement#standard() standard placement} over all of them, each node in state {@code up} at the
 *       host and bus port the peer list gives and the client port it announced.</li>
 *   <li>Otherwise there is no topology yet: the node waits for the missing introductions.</li>
 * </ol>
 * The result of step 2 depends only on the peer list, the introductions and N, never on their order, so every member
 * computes the same document and the installs agree ({@link CurrentTopology.Outcome#ALREADY_IN_FORCE}, not
 * {@code CONFLICT}). Later epochs come only from the admin API (the operator) and are spread by gossip.
 */
public final class StaticBootstrap {

    /**
     * What one peer told about itself: its id, the port clients reach it on, and the topology it has in force if any.
     */
    public record Introduction(NodeId id, int port, Optional<Topology> topology) {
    }

    private StaticBootstrap() {
    }

    /**
     * The topology this node should offer to its {@link CurrentTopology}, or empty while introductions are missing.
     *
     * @param peers the static peer list, this node included
     * @param introductions what each peer of the list said, keyed by its entry in the list; entries for addresses not
     *        in the list are ignored
     * @param replicationFactor N of {@code hyperkv.cluster.replication-factor}
     * @throws IllegalStateException when two peers claim one node id (a copied data directory or a repeated
     *         {@code hyperkv.cluster.node-id}), which no topology can describe
     * @throws InvalidTopologyException when N does not fit the peer list
     */
    public static Optional<Topology> decide(List<PeerAddress> peers, Map<PeerAddress, Introduction> introductions,
            int replicationFactor) {
        Map<NodeId, PeerAddress> byId = new HashMap<>();
        Topology newest = null;
        for (PeerAddress peer : peers) {
            Introduction intro = introductions.get(peer);
            if (intro == null) {
                continue;
            }
            PeerAddress other = byId.putIfAbsent(intro.id(), peer);
            if (other != null) {
                throw new IllegalStateException("peers " + other + " and " + peer + " both claim node id " + intro.id()
                        + ": each node needs its own data directory and node id");
            }
            Topology t = intro.topology().orElse(null);
            if (t != null && (newest == null || t.epoch() > newest.epoch())) {
                newest = t;
            }
        }
        if (newest != null) {
            return Optional.of(newest);
        }
        if (byId.size() < peers.size()) {
            return Optional.empty();
        }
        List<ClusterNode> nodes = new ArrayList<>(peers.size());
        for (PeerAddress peer : peers) {
            Introduction intro = introductions.get(peer);
            nodes.add(new ClusterNode(intro.id(), peer.host(), intro.port(), peer.busPort(), NodeState.UP));
        }
        nodes.sort(Comparator.comparing(ClusterNode::id));
        return Optional.of(Placement.standard().topology(1, nodes, replicationFactor));
    }
}
