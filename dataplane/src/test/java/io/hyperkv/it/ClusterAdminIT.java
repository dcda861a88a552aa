package io.hyperkv.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hyperkv.cluster.ClusterNode;
import io.hyperkv.cluster.NodeId;
import io.hyperkv.cluster.NodeState;
import io.hyperkv.cluster.Placement;
import io.hyperkv.cluster.Topology;
import io.hyperkv.cluster.TopologyCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * Three real server processes in cluster mode, driven through the admin API as the operator does: each reports its
 * own 40-hex id and no topology (so it is not ready), takes the same 3-node topology, becomes ready, and keeps id and
 * topology across a graceful restart and a SIGKILL. Start-up refuses a bad cluster configuration naming the key, and
 * the environment variables the operator sets are read.
 */
class ClusterAdminIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CONFIGURED_ID = "00000000000000000000000000000000c1a55e03";

    private static JsonNode json(HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(response.body(), e);
        }
    }

    private static JsonNode node(ClusterHarness cluster, int i) {
        HttpResponse<String> r = cluster.admin(i, "GET", "/v1/node", null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return json(r);
    }

    private static int readiness(int httpPort) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + httpPort + "/q/health/ready")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    @Test
    void threeNodesTakeOneTopologyAndKeepIdAndTopologyAcrossRestarts() throws Exception {
        try (ClusterHarness cluster = ClusterHarness.start(3, Map.of(),
                i -> i == 2 ? Map.of("hyperkv.cluster.node-id", CONFIGURED_ID) : Map.of())) {
            List<ClusterNode> members = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                JsonNode n = node(cluster, i);
                assertThat(n.get("nodeId").asText()).matches("0{24}[0-9a-f]{16}");
                assertThat(n.get("clusterEnabled").asBoolean()).isTrue();
                // The replication bus forms the cluster from the static peer list on its own (epoch 1 of the
                // standard placement, StaticBootstrap), so a node is seen before or after that, never in between.
                assertThat(n.get("epoch").asLong()).isBetween(0L, 1L);
                members.add(new ClusterNode(NodeId.parse(n.get("nodeId").asText()), "127.0.0.1", cluster.respPort(i),
                        cluster.busPort(i), NodeState.UP));
            }
            assertThat(members.get(2).id().hex()).isEqualTo(CONFIGURED_ID);
            assertThat(new HashSet<>(members.stream().map(ClusterNode::id).toList())).hasSize(3);
            assertThat(cluster.node(0).log()).contains("in cluster mode: bus port " + cluster.busPort(0)
                    + ", 3 static peers, N=3, W=quorum, R=one, topology not known yet");

            // The operator's call, without the token.
            HttpResponse<String> anonymous = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + cluster.httpPort(0) + "/v1/node")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(anonymous.statusCode()).isEqualTo(401);

            Topology topology = Placement.standard().topology(1, members, 3);
            String document = TopologyCodec.encodeToString(topology);
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> r = cluster.admin(i, "PUT", "/v1/topology", document);
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                // The operator's document is the one the static bootstrap computes: installed, or already in force.
                assertThat(json(r).get("outcome").asText()).isIn("installed", "already-in-force");
                assertThat(json(r).get("epoch").asLong()).isEqualTo(1);
            }
            for (int i = 0; i < 3; i++) {
                JsonNode n = node(cluster, i);
                assertThat(n.get("epoch").asLong()).isEqualTo(1);
                assertThat(n.get("ready").asBoolean()).isTrue();
                // N = 3 of 3 nodes: every node owns every slot.
                assertThat(n.get("slots")).hasSize(1);
                assertThat(n.get("slots").get(0).get("start").asInt()).isZero();
                assertThat(n.get("slots").get(0).get("end").asInt()).isEqualTo(16383);
                assertThat(readiness(cluster.httpPort(i))).isEqualTo(200);
            }

            // Graceful restart: same ports, same id, same topology, ready again without the operator.
            String id1 = members.get(1).id().hex();
            cluster.stop(1); // SIGTERM: the JVM exits with 143 after the graceful shutdown
            assertThat(cluster.node(1).log()).contains("HyperKV store flushed and closed");
            cluster.restart(1);
            assertThat(cluster.node(1).respPort()).isEqualTo(cluster.respPort(1));
            JsonNode back = node(cluster, 1);
            assertThat(back.get("nodeId").asText()).isEqualTo(id1);
            assertThat(back.get("epoch").asLong()).isEqualTo(1);
            assertThat(back.get("ready").asBoolean()).isTrue();
            try (Jedis jedis = new Jedis("127.0.0.1", cluster.respPort(1))) {
                assertThat(jedis.ping()).isEqualTo("PONG");
            }

            // SIGKILL right after an install: the topology was fsynced before the answer.
            Topology next = topology.withEpoch(2);
            HttpResponse<String> installed = cluster.admin(2, "PUT", "/v1/topology", TopologyCodec.encodeToString(next));
            assertThat(json(installed).get("epoch").asLong()).isEqualTo(2);
            cluster.kill(2);
            cluster.restart(2);
            JsonNode revived = node(cluster, 2);
            assertThat(revived.get("nodeId").asText()).isEqualTo(CONFIGURED_ID);
            assertThat(revived.get("epoch").asLong()).isEqualTo(2);
            HttpResponse<String> stale = cluster.admin(2, "PUT", "/v1/topology", document);
            assertThat(stale.statusCode()).isEqualTo(200);
            assertThat(json(stale).get("outcome").asText()).isEqualTo("stale");
            assertThat(json(stale).get("epoch").asLong()).isEqualTo(2);

            // A frozen node does not answer; continued, it does.
            cluster.pause(0);
            HttpClient impatient = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            assertThatThrownBy(() -> impatient.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + cluster.httpPort(0) + "/q/health/live"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString()))
                    .isInstanceOf(HttpTimeoutException.class);
            cluster.resume(0);
            // Epoch 2, installed on node 2, reaches node 0 by the bus's gossip, before or after the pause.
            assertThat(node(cluster, 0).get("epoch").asLong()).isBetween(1L, 2L);
        }
    }

    @Test
    void drainThroughTheAdminApiClosesClientsAndTheNodeThenStopsCleanly() throws Exception {
        try (ClusterHarness cluster = ClusterHarness.start(1, Map.of("hyperkv.appendfsync", "no"))) {
            try (Jedis jedis = new Jedis("127.0.0.1", cluster.respPort(0))) {
                jedis.set("drained:key", "kept");
                HttpResponse<String> drained = cluster.admin(0, "POST", "/v1/drain?timeoutSeconds=20", null);
                assertThat(drained.statusCode()).as(drained.body()).isEqualTo(200);
                assertThat(json(drained).get("connectionsClosed").asInt()).isEqualTo(1);
                assertThatThrownBy(jedis::ping).isInstanceOf(Exception.class);
            }
            assertThat(node(cluster, 0).get("draining").asBoolean()).isTrue();
            cluster.stop(0);
            assertThat(cluster.node(0).log()).contains("drained in").contains("HyperKV store flushed and closed");
        }
    }

    @Test
    void theOperatorsEnvironmentVariablesConfigureClusterMode() throws Exception {
        int bus;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            bus = free.getLocalPort();
        }
        Map<String, String> env = Map.of(
                "HYPERKV_CLUSTER_ENABLED", "true",
                "HYPERKV_CLUSTER_BUS_PORT", Integer.toString(bus),
                "HYPERKV_CLUSTER_PEERS", "127.0.0.1:" + bus,
                "HYPERKV_CLUSTER_REPLICATION_FACTOR", "1",
                "HYPERKV_CLUSTER_WRITE_CONSISTENCY", "all",
                "HYPERKV_CLUSTER_READ_CONSISTENCY", "quorum",
                "HYPERKV_CLUSTER_SECRET", "env-secret-0123456789",
                "HYPERKV_CLUSTER_NODE_ID", CONFIGURED_ID,
                "HYPERKV_CLUSTER_ANNOUNCE_HOST", "127.0.0.1",
                "HYPERKV_ADMIN_TOKEN", "env-admin-token");
        try (ServerProcess node = ServerProcess.start(Map.of(), env)) {
            assertThat(node.log()).contains("node " + CONFIGURED_ID + " in cluster mode: bus port " + bus + ", 1 static peer,"
                    + " N=1, W=all, R=quorum");
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + node.httpPort() + "/v1/node"))
                    .header("Authorization", "Bearer env-admin-token").build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(json(r).get("nodeId").asText()).isEqualTo(CONFIGURED_ID);
        }
    }

    @Test
    void aBadClusterConfigurationStopsStartUpNamingTheKey() {
        assertThatThrownBy(() -> ServerProcess.start(Map.of("hyperkv.cluster.enabled", "true")))
                .hasMessageContaining("hyperkv.cluster.enabled=true needs hyperkv.cluster.secret");
        assertThatThrownBy(() -> ServerProcess.start(Map.of("hyperkv.cluster.enabled", "true",
                "hyperkv.cluster.secret", "a-long-enough-secret", "hyperkv.cluster.write-consistency", "most",
                "hyperkv.cluster.peers", "127.0.0.1:1,127.0.0.1:2,127.0.0.1:3")))
                .hasMessageContaining("invalid hyperkv.cluster.write-consistency=\"most\": must be one, quorum or all");
        assertThatThrownBy(() -> ServerProcess.start(Map.of("hyperkv.cluster.peers", "node-a,node-b")))
                .hasMessageContaining("invalid hyperkv.cluster.peers=\"node-a,node-b\": \"node-a\" has no port");
    }
}
