package io.hyperkv.command;

import io.hyperkv.cluster.ClusterNode;
import io.hyperkv.cluster.NodeId;
import io.hyperkv.cluster.SlotRange;
import io.hyperkv.cluster.SlotRanges;
import io.hyperkv.cluster.SlotSpan;
import io.hyperkv.cluster.Topology;
import io.hyperkv.cluster.bus.PeerReport;
import io.hyperkv.cluster.bus.PeerState;
import io.hyperkv.cluster.bus.PeerView;
import io.hyperkv.resp.Reply;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The cluster as this node describes it to cluster-aware clients at one instant: the replies of {@code CLUSTER SLOTS},
 * {@code SHARDS}, {@code NODES} and {@code INFO} in Redis 7's shapes and words, and the peer lines of
 * {@code INFO replication}, built from the topology in force and this node's view of its peers.
 *
 * <p>HyperKV has no primaries: every owner of a slot accepts writes and reads. Redis's shapes name one master per slot
 * with replicas behind it, so a slot's first owner (in preference order) is shown as its master and the others as its
 * replicas:
 * <ul>
 *   <li>SLOTS: one entry per run of slots with equal owner lists, master first; replicas this node sees DOWN are left
 *       out, as Redis leaves out failed replicas;</li>
 *   <li>SHARDS: one shard per distinct owner list, the first owner with role {@code master}, the others
 *       {@code replica}; a node owning slots under several owner lists appears in several shards (in Redis a node
 *       belongs to one shard);</li>
 *   <li>NODES: one line per member, every one flagged {@code master} with the slots it is first owner of. A NODES line
 *       can name a single master for a replica, which a node replicating several owner lists does not have, so
 *       replicas show in SLOTS and SHARDS only. A client routing by NODES (Lettuce) sends each slot to its first owner,
 *       which takes the write as any owner would.</li>
 * </ul>
 * A member's health is this node's failure detector: itself UP, a peer as the bus sees it, a member without a link
 * DOWN. Redis's {@code fail?} (PFAIL) is SUSPECT, {@code fail} is DOWN. Replication offsets do not exist here (replicas
 * merge CRDT deltas, not one stream) and are shown as 0; the config epoch of every member is the topology's epoch.
 *
 * <p>Immutable once built; build one per command.
 */
final class ClusterDescription {

    private final NodeId self;
    private final Topology topology;
    private final List<PeerReport> peers;
    private final Map<NodeId, PeerView> links = new HashMap<>();
    private final long nowMillis;

    /** The description of {@code view} at wall-clock time {@code nowMillis}; cluster support must be enabled. */
    ClusterDescription(ClusterView view, long nowMillis) {
        this.self = view.nodeId();
        this.topology = view.topologyInForce().orElse(null);
        this.peers = view.peers();
        this.nowMillis = nowMillis;
        for (PeerReport p : peers) {
            // Two links may name one id while a peer moves address: the connected one speaks for it.
            p.link().id().ifPresent(id -> links.merge(id, p.link(), (a, b) -> a.connected() ? a : b));
        }
    }

    // ------------------------------------------------------------------------------------------------ CLUSTER SLOTS

    Reply slots() {
        List<Reply> entries = new ArrayList<>();
        if (topology != null) {
            for (SlotRange range : topology.ranges()) {
                List<Reply> entry = new ArrayList<>();
                entry.add(Reply.integer(range.first()));
                entry.add(Reply.integer(range.last()));
                List<NodeId> owners = range.owners();
                for (int i = 0; i < owners.size(); i++) {
                    if (i == 0 || state(owners.get(i)) != PeerState.DOWN) {
                        entry.add(slotsNode(member(owners.get(i))));
                    }
                }
                entries.add(Reply.array(entry));
            }
        }
        return Reply.array(entries);
    }

    /** {@code [endpoint, port, id, {extra networking metadata}]}: no extra metadata, an empty map. */
    private static Reply slotsNode(ClusterNode n) {
        return Reply.array(List.of(Reply.bulk(n.host()), Reply.integer(n.port()), Reply.bulk(n.id().hex()),
                new Reply.MapReply(List.of())));
    }

    // ----------------------------------------------------------------------------------------------- CLUSTER SHARDS

    Reply shards() {
        List<Reply> shards = new ArrayList<>();
        if (topology != null) {
            for (Map.Entry<List<NodeId>, List<SlotSpan>> shard : SlotRanges.shards(topology.ranges()).entrySet()) {
                List<Reply> slots = new ArrayList<>();
                for (SlotSpan span : shard.getValue()) {
                    slots.add(Reply.integer(span.first()));
                    slots.add(Reply.integer(span.last()));
                }
                List<Reply> nodes = new ArrayList<>();
                List<NodeId> owners = shard.getKey();
                for (int i = 0; i < owners.size(); i++) {
                    nodes.add(shardNode(member(owners.get(i)), i == 0));
                }
                shards.add(new Reply.MapReply(List.of(Reply.bulk("slots"), Reply.array(slots),
                        Reply.bulk("nodes"), Reply.array(nodes))));
            }
        }
        return Reply.array(shards);
    }

    private Reply shardNode(ClusterNode n, boolean master) {
        return new Reply.MapReply(List.of(
                Reply.bulk("id"), Reply.bulk(n.id().hex()),
                Reply.bulk("port"), Reply.integer(n.port()),
                Reply.bulk("ip"), Reply.bulk(n.host()),
                Reply.bulk("endpoint"), Reply.bulk(n.host()),
                Reply.bulk("role"), Reply.bulk(master ? "master" : "replica"),
                Reply.bulk("replication-offset"), Reply.integer(0),
                Reply.bulk("health"), Reply.bulk(state(n.id()) == PeerState.DOWN ? "failed" : "online")));
    }

    // ------------------------------------------------------------------------------------------------ CLUSTER NODES

    /**
     * {@code <id> <host:port@bus-port> <flags> <master> <ping-sent> <pong-recv> <config-epoch> <link-state> <slot>...},
     * one {@code \n}-terminated line per member; empty before a topology is in force.
     */
    String nodes() {
        if (topology == null) {
            return "";
        }
        StringBuilder out = new StringBuilder();
        for (ClusterNode n : topology.nodes()) {
            boolean me = n.id().equals(self);
            PeerState state = state(n.id());
            PeerView link = links.get(n.id());
            out.append(n.id().hex()).append(' ').append(n.address()).append('@').append(n.busPort()).append(' ')
                    .append(me ? "myself,master" : "master")
                    .append(state == PeerState.SUSPECT ? ",fail?" : state == PeerState.DOWN ? ",fail" : "")
                    .append(" - 0 ")
                    .append(me || link == null || link.silentMillis() < 0 ? 0 : nowMillis - link.silentMillis())
                    .append(' ').append(topology.epoch()).append(' ')
                    .append(me || (link != null && link.connected()) ? "connected" : "disconnected");
            for (SlotSpan span : ledBy(n.id())) {
                out.append(' ').append(span.first());
                if (span.last() != span.first()) {
                    out.append('-').append(span.last());
                }
            }
            out.append('\n');
        }
        return out.toString();
    }

    /** The runs of slots {@code id} is first owner of, merged, in slot order. */
    private List<SlotSpan> ledBy(NodeId id) {
        List<SlotRange> led = topology.ranges().stream().filter(r -> r.owners().get(0).equals(id)).toList();
        return SlotRanges.ownedBy(led, id);
    }

    // ------------------------------------------------------------------------------------------------- CLUSTER INFO

    /**
     * Redis's CLUSTER INFO fields this node has facts for. A slot is ok while some owner is this node or UP,
     * pfail while its best owner is SUSPECT, fail when every owner is DOWN; the state is ok when a topology is in
     * force and no slot fails. {@code cluster_size} counts the members that are first owner of some slot.
     */
    Map<String, String> info() {
        long ok = 0;
        long pfail = 0;
        long fail = 0;
        long size = 0;
        if (topology != null) {
            for (SlotRange range : topology.ranges()) {
                PeerState best = PeerState.DOWN;
                for (NodeId owner : range.owners()) {
                    PeerState s = state(owner);
                    best = s.ordinal() < best.ordinal() ? s : best;
                }
                switch (best) {
                    case UP -> ok += range.size();
                    case SUSPECT -> pfail += range.size();
                    case DOWN -> fail += range.size();
                }
            }
            size = topology.nodes().stream().filter(n -> !ledBy(n.id()).isEmpty()).count();
        }
        long epoch = topology == null ? 0 : topology.epoch();
        Map<String, String> f = new LinkedHashMap<>();
        f.put("cluster_state", topology != null && fail == 0 ? "ok" : "fail");
        f.put("cluster_slots_assigned", Integer.toString(topology == null ? 0 : Topology.SLOTS));
        f.put("cluster_slots_ok", Long.toString(ok));
        f.put("cluster_slots_pfail", Long.toString(pfail));
        f.put("cluster_slots_fail", Long.toString(fail));
        f.put("cluster_known_nodes", Integer.toString(topology == null ? 1 : topology.nodes().size()));
        f.put("cluster_size", Long.toString(size));
        f.put("cluster_current_epoch", Long.toString(epoch));
        f.put("cluster_my_epoch", Long.toString(epoch));
        f.put("hyperkv_replication_factor", Integer.toString(topology == null ? 0 : topology.replicationFactor()));
        return f;
    }

    // --------------------------------------------------------------------------------------------- INFO replication

    /**
     * The HyperKV fields of {@code INFO replication}: the number of peers and one line per peer with its id, where
     * clients reach it, its bus address, the failure detector's state, whether the link is up, how long it has been
     * silent, the link's backlog (frames accepted and not acknowledged, and their bytes) and the deltas hinted handoff
     * holds for it.
     */
    Map<String, String> replication() {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("hyperkv_replication_factor", Integer.toString(topology == null ? 0 : topology.replicationFactor()));
        f.put("hyperkv_peers", Integer.toString(peers.size()));
        for (int i = 0; i < peers.size(); i++) {
            PeerReport p = peers.get(i);
            PeerView link = p.link();
            f.put("hyperkv_peer" + i, "id=" + p.idHex() + ",addr=" + p.clientAddress() + ",bus=" + link.address()
                    + ",state=" + link.state().word() + ",link=" + (link.connected() ? "up" : "down")
                    + ",silent_ms=" + link.silentMillis() + ",lag_frames=" + link.outstandingFrames()
                    + ",lag_bytes=" + link.queuedBytes() + ",hints_pending=" + p.hintsPending());
        }
        return f;
    }

    // ------------------------------------------------------------------------------------------------------ members

    private ClusterNode member(NodeId id) {
        // Topology invariant: every owner is a node of the topology.
        return topology.node(id).orElseThrow();
    }

    private PeerState state(NodeId id) {
        if (id.equals(self)) {
            return PeerState.UP;
        }
        PeerView link = links.get(id);
        return link == null ? PeerState.DOWN : link.state();
    }
}
