package io.hyperkv.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyperkv.cluster.ClusterNode;
import io.hyperkv.cluster.CurrentTopology;
import io.hyperkv.cluster.NodeId;
import io.hyperkv.cluster.NodeState;
import io.hyperkv.cluster.Placement;
import io.hyperkv.cluster.Topology;
import io.hyperkv.resp.Reply;
import io.hyperkv.store.KeySlot;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Which shard channels a cluster node serves ({@link ClusterPubSub#shardRefusal}): its slots' channels, others with
 * Redis Cluster's {@code MOVED} to the slot's first owner, several slots in one call with {@code CROSSSLOT}, and none
 * while no topology is known. Delivery across nodes is shown by {@code ClusterPubSubIT}.
 */
class ClusterPubSubTest {

    private static final List<ClusterNode> NODES = List.of(node(1, 7001), node(2, 7002), node(3, 7003));
    private static final Topology TOPOLOGY = Placement.standard().topology(1, NODES, 2);

    @Test
    void aNodeServesTheShardChannelsOfItsSlotsAndRedirectsTheOthersToTheFirstOwner() {
        byte[] channel = bytes("orders");
        int slot = KeySlot.of(channel);
        List<NodeId> owners = TOPOLOGY.ownersOf(slot);
        NodeId stranger = NODES.stream().map(ClusterNode::id).filter(id -> !owners.contains(id)).findFirst()
                .orElseThrow();
        for (NodeId owner : owners) {
            assertThat(route(owner).shardRefusal(argv("ssubscribe", "orders"), 1)).isNull();
        }
        int firstOwnerPort = TOPOLOGY.node(owners.get(0)).orElseThrow().port();
        assertThat(route(stranger).shardRefusal(argv("spublish", "orders", "payload"), 1))
                .isEqualTo(Reply.error("MOVED " + slot + " 127.0.0.1:" + firstOwnerPort));
    }

    @Test
    void shardChannelsOfTwoSlotsInOneCallAreRefusedAndOneSlotsChannelsAreNot() {
        ClusterPubSub route = route(NODES.get(0).id());
        assertThat(KeySlot.of(bytes("orders"))).isNotEqualTo(KeySlot.of(bytes("invoices")));
        assertThat(route.shardRefusal(argv("ssubscribe", "orders", "invoices"), 2))
                .isEqualTo(Reply.error("CROSSSLOT Keys in request don't hash to the same slot"));
        // Only the channels count: SPUBLISH's message may hash anywhere.
        Reply sameSlot = route.shardRefusal(argv("sunsubscribe", "{orders}.a", "{orders}.b"), 2);
        Reply moved = route.shardRefusal(argv("sunsubscribe", "{orders}.a"), 1);
        assertThat(sameSlot).isEqualTo(moved);
        assertThat(route.shardRefusal(argv("sunsubscribe"), 0)).isNull();
    }

    @Test
    void withoutATopologyNoShardChannelIsServed() {
        ClusterPubSub route = new ClusterPubSub(new PubSubHub(), new NodeId(1), new CurrentTopology(null));
        assertThat(route.shardRefusal(argv("ssubscribe", "orders"), 1))
                .isEqualTo(Reply.error("CLUSTERDOWN Hash slot not served"));
    }

    private static ClusterPubSub route(NodeId self) {
        return new ClusterPubSub(new PubSubHub(), self, new CurrentTopology(TOPOLOGY));
    }

    private static ClusterNode node(long id, int port) {
        return new ClusterNode(new NodeId(id), "127.0.0.1", port, port + 10000, NodeState.UP);
    }

    private static byte[][] argv(String... words) {
        List<byte[]> out = new ArrayList<>();
        for (String w : words) {
            out.add(bytes(w));
        }
        return out.toArray(byte[][]::new);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
