package io.hyperkv.server;

import static io.hyperkv.cluster.bus.BusFrames.ascii;

import io.hyperkv.cluster.ClusterNode;
import io.hyperkv.cluster.CurrentTopology;
import io.hyperkv.cluster.NodeId;
import io.hyperkv.cluster.Topology;
import io.hyperkv.cluster.bus.BusFrames;
import io.hyperkv.cluster.bus.BusNode;
import io.hyperkv.resp.Reply;
import io.hyperkv.store.KeySlot;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Pub/sub in cluster mode (DESIGN.md section 5), as Redis Cluster does it. PUBLISH delivers to this node's subscribers
 * and sends {@code HKV.PUBLISH channel message} to every other member whose bus link is up, which delivers to its own
 * subscribers and sends it nowhere else. Shard channels (SSUBSCRIBE, SUNSUBSCRIBE, SPUBLISH) belong to the slot of
 * their name: only the slot's owners serve them (another node answers {@code -MOVED slot host:port} with the first
 * owner, and channels of different slots in one call get {@code -CROSSSLOT}), and SPUBLISH reaches the subscribers of
 * the other owners through {@code HKV.SPUBLISH}. Replies count this node's receivers only. When a topology takes a slot
 * away from this node, the subscribers of its shard channels get a {@code sunsubscribe} notice and are dropped.
 *
 * <p>Delivery across nodes is best effort, like Redis's: a message for a member whose link is down is not kept.
 * Messages from one node reach another in the order they were published (one link, in order).
 *
 * <p>Threading: callable from any thread. Until {@link #attach} gives it the bus (which starts after the RESP
 * listener), messages stay on this node.
 */
final class ClusterPubSub implements PubSubRoute {

    private static final Logger LOG = Logger.getLogger(ClusterPubSub.class);
    static final String PUBLISH = "HKV.PUBLISH";
    static final String SPUBLISH = "HKV.SPUBLISH";

    private final PubSubHub hub;
    private final NodeId self;
    private final CurrentTopology topology;
    private volatile BusNode bus;

    ClusterPubSub(PubSubHub hub, NodeId self, CurrentTopology topology) {
        this.hub = hub;
        this.self = self;
        this.topology = topology;
        topology.onInstalled(this::installed);
    }

    /**
     * A new topology is in force: the subscribers of shard channels whose slot this node no longer owns get a
     * {@code sunsubscribe} for each (Redis Cluster's behaviour when a slot moves away), so they subscribe again at an
     * owner, which {@link #shardRefusal} now redirects them to.
     */
    private void installed(Topology t) {
        int gone = hub.shardChannelsGone(slot -> !t.owns(self, slot));
        if (gone > 0) {
            LOG.infof("topology epoch %d: %d shard channel(s) of slots this node no longer owns were unsubscribed",
                    t.epoch(), gone);
        }
    }

    /** Serves the peers' messages and starts sending ours. */
    void attach(BusNode node) {
        node.register(PUBLISH, (from, argv, reply) -> {
            if (wellFormed(argv, from)) {
                hub.publish(argv[1], argv[2]);
            }
        });
        node.register(SPUBLISH, (from, argv, reply) -> {
            if (wellFormed(argv, from)) {
                hub.spublish(argv[1], argv[2]);
            }
        });
        bus = node;
    }

    private static boolean wellFormed(byte[][] argv, NodeId from) {
        if (argv.length == 3) {
            return true;
        }
        LOG.warnf("ignored a %s with %d elements from node %s (expected 3)", BusFrames.verb(argv), argv.length, from);
        return false;
    }

    @Override
    public long publish(byte[] channel, byte[] message) {
        long here = hub.publish(channel, message);
        BusNode b = bus;
        Optional<Topology> t = topology.get();
        if (b != null && t.isPresent()) {
            byte[] frame = BusFrames.encode(ascii(PUBLISH), channel, message);
            for (ClusterNode n : t.get().nodes()) {
                if (!n.id().equals(self)) {
                    b.sendFrame(n.id(), frame);
                }
            }
        }
        return here;
    }

    @Override
    public long spublish(byte[] channel, byte[] message) {
        long here = hub.spublish(channel, message);
        BusNode b = bus;
        Optional<Topology> t = topology.get();
        if (b != null && t.isPresent()) {
            byte[] frame = BusFrames.encode(ascii(SPUBLISH), channel, message);
            for (NodeId owner : t.get().ownersOf(KeySlot.of(channel))) {
                if (!owner.equals(self)) {
                    b.sendFrame(owner, frame);
                }
            }
        }
        return here;
    }

    @Override
    public Reply shardRefusal(byte[][] argv, int channels) {
        if (channels == 0) {
            return null; // SUNSUBSCRIBE without channels leaves this connection's own: nothing to route
        }
        int slot = KeySlot.of(argv[1]);
        for (int i = 2; i <= channels; i++) {
            if (KeySlot.of(argv[i]) != slot) {
                return Reply.error("CROSSSLOT Keys in request don't hash to the same slot");
            }
        }
        Optional<Topology> t = topology.get();
        if (t.isEmpty()) {
            return Reply.error("CLUSTERDOWN Hash slot not served");
        }
        if (t.get().ownersOf(slot).contains(self)) {
            return null;
        }
        return Coordinator.moved(t.get(), slot);
    }
}
