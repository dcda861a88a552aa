package io.hyperkv.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.hyperkv.cluster.ClusterNode;
import io.hyperkv.cluster.NodeId;
import io.hyperkv.cluster.NodeState;
import io.hyperkv.cluster.Placement;
import io.hyperkv.cluster.SlotRange;
import io.hyperkv.cluster.Topology;
import io.hyperkv.cluster.TopologyCodec;
import io.hyperkv.store.KeySlot;
import io.lettuce.core.RedisClient;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Transaction;

/**
 * Three real nodes, N=2; a topology of epoch 2 takes the slot of {@code {orders}} from one of its owners (node A) and
 * gives it to the third node. On A, as Redis Cluster does when a slot leaves a node: a client subscribed to a shard
 * channel of the slot (SSUBSCRIBE, Lettuce) gets a {@code sunsubscribe} push and is no longer counted, so it can
 * subscribe again at an owner; a client blocked there (BLPOP) on a key of the slot is answered {@code -MOVED} to an
 * owner instead of waiting for pushes that now happen elsewhere; and once A dropped the slot's keys, a transaction
 * WATCHing a key of the slot fails (its value lives on at nodes A no longer hears from).
 */
class ClusterSlotMoveIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final String CHANNEL = "orders";

    @Test
    void aSlotTakenFromANodeUnsubscribesItsShardChannelsRedirectsBlockedClientsAndFailsWatches() throws Exception {
        int slot = KeySlot.of(CHANNEL.getBytes(StandardCharsets.UTF_8));
        ExecutorService pool = Executors.newSingleThreadExecutor();
        RedisClient lettuce = null;
        try (ClusterHarness cluster = ClusterHarness.start(3, Map.of("hyperkv.cluster.replication-factor", "2"))) {
            List<ClusterNode> nodes = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                int node = i;
                String id = await("node " + i + " at epoch 1").atMost(Duration.ofSeconds(60))
                        .ignoreExceptions().until(() -> {
                            var report = FaultCluster.json(cluster.admin(node, "GET", "/v1/node", null));
                            return report.get("epoch").asLong() == 1 ? report.get("nodeId").asText() : null;
                        }, v -> v != null);
                nodes.add(new ClusterNode(NodeId.parse(id), "127.0.0.1", cluster.respPort(i), cluster.busPort(i),
                        NodeState.UP));
            }
            // Epoch 1 as the static bootstrap computes it from the peer list.
            Topology first = Placement.standard().topology(1, nodes.stream()
                    .sorted(Comparator.comparing(ClusterNode::id)).toList(), 2);
            List<NodeId> owners = first.ownersOf(slot);
            int a = indexOf(nodes, owners.get(0));
            int b = indexOf(nodes, owners.get(1));
            int c = 3 - a - b;

            lettuce = RedisClient.create("redis://127.0.0.1:" + cluster.respPort(a));
            StatefulRedisPubSubConnection<String, String> sub = lettuce.connectPubSub();
            List<String> notices = new CopyOnWriteArrayList<>();
            sub.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void sunsubscribed(String channel, long count) {
                    notices.add("sunsubscribe " + channel + " " + count);
                }
            });
            sub.sync().ssubscribe(CHANNEL);

            try (Jedis blocked = jedis(cluster, a); Jedis watcher = jedis(cluster, a); Jedis other = jedis(cluster, a)) {
                assertThat(other.set("{orders}:data", "v")).isEqualTo("OK");
                assertThat(watcher.watch("{orders}:watched")).isEqualTo("OK");
                Future<List<String>> popped = pool.submit(() -> blocked.blpop(30, "{orders}:queue"));
                await().atMost(TIMEOUT).until(() -> other.info("clients").contains("blocked_clients:1"));
                assertThat(other.sendCommand(() -> "PUBSUB".getBytes(StandardCharsets.UTF_8),
                        "SHARDNUMSUB", CHANNEL)).asList().last().isEqualTo(1L);

                Topology second = moved(first, slot, List.of(owners.get(1), nodes.get(c).id()));
                String document = TopologyCodec.encodeToString(second);
                for (int i = 0; i < 3; i++) {
                    assertThat(FaultCluster.json(cluster.admin(i, "PUT", "/v1/topology", document))
                            .get("outcome").asText()).isIn("installed", "already-in-force");
                }

                await("the sunsubscribe push").atMost(TIMEOUT)
                        .untilAsserted(() -> assertThat(notices).containsExactly("sunsubscribe orders 0"));
                assertThat(other.sendCommand(() -> "PUBSUB".getBytes(StandardCharsets.UTF_8),
                        "SHARDNUMSUB", CHANNEL)).asList().last().isEqualTo(0L);
                assertThatThrownBy(() -> popped.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS))
                        .hasMessageContaining("MOVED " + slot + " 127.0.0.1:" + cluster.respPort(b));

                await("node A to drop the slot it lost").atMost(TIMEOUT)
                        .until(() -> cluster.node(a).log().contains("follows topology epoch 2"));
                Transaction tx = watcher.multi();
                tx.set("{orders}:watched", "x");
                assertThat(tx.exec()).as("EXEC after a WATCHed key's slot was dropped").isNull();
            }
            // The subscriber subscribes again at an owner, as a cluster client does after the notice.
            RedisClient atOwner = RedisClient.create("redis://127.0.0.1:" + cluster.respPort(b));
            try (StatefulRedisPubSubConnection<String, String> again = atOwner.connectPubSub();
                    Jedis owner = jedis(cluster, b)) {
                again.sync().ssubscribe(CHANNEL);
                assertThat(owner.sendCommand(() -> "PUBSUB".getBytes(StandardCharsets.UTF_8), "SHARDNUMSUB",
                        CHANNEL)).asList().last().as("the subscriber is back, at the owner").isEqualTo(1L);
            } finally {
                atOwner.shutdown();
            }
        } finally {
            pool.shutdownNow();
            if (lettuce != null) {
                lettuce.shutdown();
            }
        }
    }

    private static Jedis jedis(ClusterHarness cluster, int node) {
        return new Jedis("127.0.0.1", cluster.respPort(node), 40_000);
    }

    private static int indexOf(List<ClusterNode> nodes, NodeId id) {
        for (int i = 0; i < nodes.size(); i++) {
            if (nodes.get(i).id().equals(id)) {
                return i;
            }
        }
        throw new AssertionError("no node " + id);
    }

    /** {@code t} at the next epoch with {@code slot} owned by {@code owners}, every other slot as before. */
    private static Topology moved(Topology t, int slot, List<NodeId> owners) {
        List<SlotRange> ranges = new ArrayList<>();
        for (SlotRange r : t.ranges()) {
            if (slot < r.first() || slot > r.last()) {
                ranges.add(r);
                continue;
            }
            if (r.first() < slot) {
                ranges.add(new SlotRange(r.first(), slot - 1, r.owners()));
            }
            ranges.add(new SlotRange(slot, slot, owners));
            if (slot < r.last()) {
                ranges.add(new SlotRange(slot + 1, r.last(), r.owners()));
            }
        }
        return Topology.of(t.epoch() + 1, t.replicationFactor(), t.nodes(), ranges);
    }
}
