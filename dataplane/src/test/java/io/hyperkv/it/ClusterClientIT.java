package io.hyperkv.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.sync.RedisAdvancedClusterCommands;
import io.lettuce.core.cluster.models.partitions.Partitions;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisCluster;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.resps.ClusterShardInfo;
import redis.clients.jedis.resps.ClusterShardNodeInfo;
import redis.clients.jedis.util.SafeEncoder;

/**
 * Three real server processes, N=3, formed from the static peer list, seen by cluster-aware clients: Lettuce's
 * {@link RedisClusterClient} (which routes by {@code CLUSTER NODES}) and {@link JedisCluster} (by {@code CLUSTER
 * SLOTS}) discover the three nodes and all 16384 slots and read their own writes; Jedis parses {@code CLUSTER SHARDS};
 * every node tells the same story; INFO replication and {@code GET /v1/node} list each node's two peers UP at their
 * client addresses, and INFO and HELLO say cluster mode; and a plain client through each node reads what was written
 * through the others. A paused node (SIGSTOP) is reported DOWN by CLUSTER NODES, SHARDS, INFO replication and
 * {@code GET /v1/node} with the hints held for it, and UP with none left once it is resumed and they are handed off.
 */
class ClusterClientIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration FORMED = Duration.ofSeconds(60);
    private static final Duration REPLICATED = Duration.ofSeconds(20);

    @Test
    void clusterClientsDiscoverTheNodesAndEveryNodeServesTheOthersWrites() {
        try (ClusterHarness cluster = ClusterHarness.start(3, Map.of())) {
            awaitFormed(cluster);
            Set<Integer> respPorts = Set.of(cluster.respPort(0), cluster.respPort(1), cluster.respPort(2));
            List<String> seenByNode0 = null;
            for (int i = 0; i < 3; i++) {
                try (Jedis jedis = plain(cluster, i)) {
                    List<String> shards = assertShards(jedis.clusterShards(), respPorts);
                    if (seenByNode0 == null) {
                        seenByNode0 = shards;
                    }
                    assertThat(shards).as("node %d describes the shards as node 0 does", i).isEqualTo(seenByNode0);
                }
            }

            peersAreReportedUpWithTheirClientAddresses(cluster);

            Map<String, String> written = new HashMap<>();
            lettuceDiscoversAndReadsItsWrites(cluster, respPorts, written);
            jedisClusterDiscoversAndReadsItsWrites(cluster, respPorts, written);
            for (int i = 0; i < 3; i++) {
                try (Jedis jedis = plain(cluster, i)) {
                    for (int k = 0; k < 20; k++) {
                        String key = "plain:" + i + ":" + k;
                        assertThat(jedis.set(key, "through-" + i)).isEqualTo("OK");
                        written.put(key, "through-" + i);
                    }
                }
            }
            for (int i = 0; i < 3; i++) {
                int node = i;
                try (Jedis jedis = plain(cluster, node)) {
                    await().atMost(REPLICATED).untilAsserted(() -> {
                        for (Map.Entry<String, String> e : written.entrySet()) {
                            assertThat(jedis.get(e.getKey())).as("%s read through node %d", e.getKey(), node)
                                    .isEqualTo(e.getValue());
                        }
                    });
                }
            }
        }
    }

    @Test
    void aPausedNodeIsReportedDownWithItsHintsAndUpAgainOnceTheyAreHandedOff() {
        // W=one: what is under test is the reporting of a peer that is away, not the quorum wait (a loaded machine
        // may delay the one ack a quorum needs past the coordinator's 1 s bound).
        try (ClusterHarness cluster = ClusterHarness.start(3, Map.of("hyperkv.cluster.write-consistency", "one"))) {
            awaitFormed(cluster);
            String away;
            try (Jedis jedis = plain(cluster, 2)) {
                away = jedis.clusterMyId();
            }
            cluster.pause(2);
            try (Jedis writer = new Jedis("127.0.0.1", cluster.respPort(0), 30_000)) {
                try {
                    for (int k = 0; k < 50; k++) {
                        assertThat(writer.set("away:" + k, "v" + k)).isEqualTo("OK");
                    }
                    // Seen from node 0: node 2 DOWN in every shape, its 50 deltas held as hints.
                    await().atMost(FORMED).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
                        assertThat(writer.clusterNodes()).containsPattern(away + " [^ ]+ master,fail - 0 \\d+ 1 "
                                + "(dis)?connected");
                        assertThat(writer.clusterShards()).flatExtracting(ClusterShardInfo::getNodes)
                                .filteredOn(n -> n.getId().equals(away)).extracting(ClusterShardNodeInfo::getHealth)
                                .containsOnly("failed");
                        Matcher line = Pattern.compile("hyperkv_peer[01]:id=" + away
                                + ",[^\r]*,state=down,[^\r]*,hints_pending=(\\d+)\r\n")
                                .matcher(writer.info("replication"));
                        assertThat(line.find()).as("INFO replication lists node 2 down").isTrue();
                        assertThat(Long.parseLong(line.group(1))).isGreaterThanOrEqualTo(50);
                        JsonNode peer = peer(cluster, 0, away);
                        assertThat(peer.get("state").asText()).isEqualTo("down");
                        assertThat(peer.get("hintsPending").asLong()).isGreaterThanOrEqualTo(50);
                    });
                } finally {
                    cluster.resume(2);
                }
                await().atMost(FORMED).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
                    assertThat(writer.info("replication")).containsPattern("hyperkv_peer[01]:id=" + away
                            + ",[^\r]*,state=up,link=up,[^\r]*,lag_frames=0,lag_bytes=0,hints_pending=0\r\n");
                    assertThat(peer(cluster, 0, away).get("hintsPending").asLong()).isZero();
                    assertThat(writer.clusterInfo()).contains("cluster_state:ok").contains("cluster_slots_ok:16384");
                });
            }
            try (Jedis returned = plain(cluster, 2)) {
                for (int k = 0; k < 50; k++) {
                    assertThat(returned.get("away:" + k)).as("away:%d on the node that was paused", k).isEqualTo("v" + k);
                }
            }
        }
    }

    /** Node {@code node}'s {@code GET /v1/node} entry for the peer {@code id}. */
    private static JsonNode peer(ClusterHarness cluster, int node, String id) {
        for (JsonNode p : json(cluster.admin(node, "GET", "/v1/node", null).body()).get("peers")) {
            if (p.get("id").asText().equals(id)) {
                return p;
            }
        }
        throw new AssertionError("node " + node + " does not list peer " + id);
    }

    /** Every node answers CLUSTER INFO ok and lists three connected members, none failing. */
    private static void awaitFormed(ClusterHarness cluster) {
        await().atMost(FORMED).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            for (int i = 0; i < 3; i++) {
                try (Jedis jedis = plain(cluster, i)) {
                    assertThat(jedis.clusterInfo()).contains("cluster_state:ok").contains("cluster_known_nodes:3")
                            .contains("cluster_slots_ok:16384");
                    String[] lines = jedis.clusterNodes().split("\n");
                    assertThat(lines).hasSize(3).allSatisfy(l -> assertThat(l).doesNotContain("fail")
                            .contains(" connected"));
                }
            }
        });
    }

    /** INFO replication and GET /v1/node on each node list the two others, UP, at their client and bus ports. */
    private static void peersAreReportedUpWithTheirClientAddresses(ClusterHarness cluster) {
        Map<String, Integer> indexById = new HashMap<>();
        for (int i = 0; i < 3; i++) {
            try (Jedis jedis = plain(cluster, i)) {
                indexById.put(jedis.clusterMyId(), i);
            }
        }
        for (int i = 0; i < 3; i++) {
            String info;
            try (Jedis jedis = plain(cluster, i)) {
                info = jedis.info("replication");
                assertThat(jedis.info("server")).contains("redis_mode:cluster\r\n");
                assertThat(jedis.info("cluster")).contains("cluster_enabled:1\r\n");
                Object hello = jedis.sendCommand(Protocol.Command.HELLO, "2");
                assertThat(SafeEncoder.encodeObject(hello)).asInstanceOf(InstanceOfAssertFactories.LIST)
                        .containsSubsequence("mode", "cluster");
            }
            assertThat(info).contains("role:master\r\n").contains("hyperkv_replication_factor:3\r\n")
                    .contains("hyperkv_peers:2\r\n");
            JsonNode node = json(cluster.admin(i, "GET", "/v1/node", null).body());
            JsonNode peers = node.get("peers");
            assertThat(peers).hasSize(2);
            Set<Integer> seen = new HashSet<>();
            for (JsonNode peer : peers) {
                String id = peer.get("id").asText();
                assertThat(indexById).containsKey(id);
                int other = indexById.get(id);
                seen.add(other);
                assertThat(peer.get("address").asText()).isEqualTo("127.0.0.1:" + cluster.respPort(other));
                assertThat(peer.get("bus").asText()).isEqualTo("127.0.0.1:" + cluster.busPort(other));
                assertThat(peer.get("state").asText()).isEqualTo("up");
                assertThat(peer.get("connected").asBoolean()).isTrue();
                assertThat(peer.get("hintsPending").asLong()).isZero();
                assertThat(info).containsPattern("hyperkv_peer[01]:id=" + id + ",addr=127\\.0\\.0\\.1:"
                        + cluster.respPort(other) + ",bus=127\\.0\\.0\\.1:" + cluster.busPort(other)
                        + ",state=up,link=up,silent_ms=\\d+,lag_frames=\\d+,lag_bytes=\\d+,hints_pending=0\r\n");
            }
            assertThat(seen).as("node %d lists the two others", i).doesNotContain(i).hasSize(2);
        }
    }

    private static JsonNode json(String body) {
        try {
            return JSON.readTree(body);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(body, e);
        }
    }

    private static Jedis plain(ClusterHarness cluster, int i) {
        return new Jedis("127.0.0.1", cluster.respPort(i), 5000);
    }

    /**
     * One shard per owner list, each with its three owners (N=3), the first one master; returns each shard as
     * {@code slots -> owners} for comparing what the nodes say.
     */
    private static List<String> assertShards(List<ClusterShardInfo> shards, Set<Integer> respPorts) {
        assertThat(shards).isNotEmpty();
        long slots = 0;
        List<String> summary = new ArrayList<>();
        for (ClusterShardInfo shard : shards) {
            summary.add(shard.getSlots() + " -> " + shard.getNodes().stream()
                    .map(n -> n.getId() + "@" + n.getPort() + "/" + n.getRole()).toList());
            for (List<Long> span : shard.getSlots()) {
                slots += span.get(1) - span.get(0) + 1;
            }
            List<ClusterShardNodeInfo> nodes = shard.getNodes();
            assertThat(nodes).hasSize(3);
            assertThat(nodes.get(0).getRole()).isEqualTo("master");
            assertThat(nodes.subList(1, 3)).extracting(ClusterShardNodeInfo::getRole).containsOnly("replica");
            assertThat(nodes).extracting(n -> n.getPort().intValue()).containsExactlyInAnyOrderElementsOf(respPorts);
            assertThat(nodes).extracting(ClusterShardNodeInfo::getHealth).containsOnly("online");
            assertThat(nodes).extracting(ClusterShardNodeInfo::getId).allMatch(id -> id.matches("0{24}[0-9a-f]{16}"));
        }
        assertThat(slots).as("the shards cover every slot once").isEqualTo(16384);
        return summary;
    }

    private static void lettuceDiscoversAndReadsItsWrites(ClusterHarness cluster, Set<Integer> respPorts,
            Map<String, String> written) {
        List<RedisURI> seeds = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            seeds.add(RedisURI.create("127.0.0.1", cluster.respPort(i)));
        }
        RedisClusterClient client = RedisClusterClient.create(seeds);
        try (StatefulRedisClusterConnection<String, String> connection = client.connect()) {
            Partitions partitions = client.getPartitions();
            Set<Integer> ports = new HashSet<>();
            for (RedisClusterNode n : partitions) {
                ports.add(n.getUri().getPort());
                assertThat(n.is(RedisClusterNode.NodeFlag.UPSTREAM)).isTrue();
            }
            assertThat(ports).isEqualTo(respPorts);
            for (int slot = 0; slot < 16384; slot++) {
                assertThat(partitions.getMasterBySlot(slot)).as("slot %d has a node", slot).isNotNull();
            }
            RedisAdvancedClusterCommands<String, String> sync = connection.sync();
            for (int k = 0; k < 200; k++) {
                assertThat(sync.set("lettuce:" + k, "v" + k)).isEqualTo("OK");
                written.put("lettuce:" + k, "v" + k);
            }
            for (int k = 0; k < 200; k++) {
                assertThat(sync.get("lettuce:" + k)).isEqualTo("v" + k);
            }
            // The node that leads a key's slot is the one Lettuce asked: its own connection reads the key there.
            RedisClusterNode leader = partitions.getMasterBySlot(io.lettuce.core.cluster.SlotHash.getSlot("lettuce:7"));
            RedisCommands<String, String> direct = connection.getConnection(leader.getNodeId()).sync();
            assertThat(direct.get("lettuce:7")).isEqualTo("v7");
        } finally {
            client.shutdown();
        }
    }

    private static void jedisClusterDiscoversAndReadsItsWrites(ClusterHarness cluster, Set<Integer> respPorts,
            Map<String, String> written) {
        Set<HostAndPort> seeds = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            seeds.add(new HostAndPort("127.0.0.1", cluster.respPort(i)));
        }
        try (JedisCluster jedis = new JedisCluster(seeds)) {
            Set<Integer> ports = new HashSet<>();
            for (String node : jedis.getClusterNodes().keySet()) {
                ports.add(HostAndPort.from(node).getPort());
            }
            assertThat(ports).isEqualTo(respPorts);
            for (int k = 0; k < 200; k++) {
                assertThat(jedis.set("jedis:" + k, "v" + k)).isEqualTo("OK");
                written.put("jedis:" + k, "v" + k);
            }
            for (int k = 0; k < 200; k++) {
                assertThat(jedis.get("jedis:" + k)).isEqualTo("v" + k);
            }
        }
    }
}
