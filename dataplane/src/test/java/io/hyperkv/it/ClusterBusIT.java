package io.hyperkv.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hyperkv.cluster.ClusterNode;
import io.hyperkv.cluster.NodeId;
import io.hyperkv.cluster.NodeState;
import io.hyperkv.cluster.Placement;
import io.hyperkv.cluster.TopologyCodec;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Three real server processes given only a static peer list ({@code hyperkv.cluster.peers}) form a cluster over the
 * replication bus: each sees the others UP, all install the same epoch-1 topology, a topology installed on one node
 * through the admin API reaches the others by gossip, and a stopped node is seen DOWN and then UP after its restart;
 * with a {@link BusProxy} in front of one node's bus, a black hole makes the others see it DOWN and PASS brings it
 * back UP.
 */
class ClusterBusIT {

    private static final Pattern NODE_ID = Pattern.compile("\"nodeId\":\"([0-9a-f]{40})\"");
    private static final Pattern EPOCH = Pattern.compile("\"epoch\":(\\d+)");

    private final List<ServerProcess> nodes = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void stopNodes() {
        nodes.forEach(ServerProcess::close);
    }

    @Test
    void aStaticPeerListFormsAClusterThatGossipsAndDetectsAStoppedNode() throws Exception {
        List<Integer> busPorts = ClusterHarness.freePortList(3);
        String peers = String.join(",", busPorts.stream().map(p -> "127.0.0.1:" + p).toList());
        for (int i = 0; i < 3; i++) {
            nodes.add(ServerProcess.start(Map.of(
                    "hyperkv.cluster.enabled", "true",
                    "hyperkv.cluster.bus-port", Integer.toString(busPorts.get(i)),
                    "hyperkv.cluster.peers", peers,
                    "hyperkv.cluster.replication-factor", "3",
                    "hyperkv.cluster.secret", "integration-test-cluster-secret")));
        }

        List<String> ids = new ArrayList<>();
        for (ServerProcess n : nodes) {
            ids.add(match(NODE_ID, node(n)));
        }
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            for (ServerProcess n : nodes) {
                assertThat(match(EPOCH, node(n))).isEqualTo("1");
                assertThat(n.log()).contains("installed topology epoch 1 from");
            }
        });
        // Each node computes the same epoch 1; a node slower than a peer's gossip adopts the peer's copy instead.
        assertThat(nodes).anySatisfy(n -> assertThat(n.log())
                .contains("installed topology epoch 1 from the static peer list (3 nodes, N=3)"));
        assertThat(nodes).allSatisfy(n -> assertThat(n.log()).doesNotContain("differs from the one in force"));
        // A node may adopt epoch 1 from a peer's inbound link before its own link to that peer is up: wait for all six.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 3; j++) {
                    if (i != j) {
                        assertThat(nodes.get(i).log()).contains("bus peer 127.0.0.1:" + busPorts.get(j) + " (node "
                                + ids.get(j) + ") is now UP");
                    }
                }
            }
        });

        // Epoch 2 installed on node 0 through the admin API spreads to the others.
        List<ClusterNode> members = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            members.add(new ClusterNode(NodeId.parse(ids.get(i)), "127.0.0.1", nodes.get(i).respPort(),
                    busPorts.get(i), NodeState.UP));
        }
        members.sort(java.util.Comparator.comparing(ClusterNode::id));
        String doc = TopologyCodec.encodeToString(Placement.standard().topology(2, members, 3));
        HttpResponse<String> put = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + nodes.get(0).httpPort() + "/v1/topology")).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(doc)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            for (ServerProcess n : nodes) {
                assertThat(match(EPOCH, node(n))).isEqualTo("2");
            }
        });

        // A stopped node is seen SUSPECT then DOWN (10 s), and UP again once restarted.
        ServerProcess third = nodes.get(2);
        String thirdSeen = "bus peer 127.0.0.1:" + busPorts.get(2) + " (node " + ids.get(2) + ") is now ";
        third.stop(Duration.ofSeconds(30));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            for (ServerProcess n : nodes.subList(0, 2)) {
                assertThat(n.log()).contains(thirdSeen + "SUSPECT").contains(thirdSeen + "DOWN");
            }
        });
        int upsBefore = count(nodes.get(0).log(), thirdSeen + "UP");
        third.restart();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(count(nodes.get(0).log(), thirdSeen + "UP")).isGreaterThan(upsBefore));
        assertThat(match(EPOCH, node(third))).isEqualTo("2");
    }

    @Test
    void aBlackholedBusIsSeenDownByTheOthersAndUpAgainWhenTheTrafficPasses() throws Exception {
        List<Integer> busPorts = ClusterHarness.freePortList(3);
        try (BusProxy proxy = BusProxy.start(busPorts.get(2))) {
            // Node 2 is listed (announced) at the proxy's port, so what the others send it crosses the proxy.
            String peers = "127.0.0.1:" + busPorts.get(0) + ",127.0.0.1:" + busPorts.get(1) + ",127.0.0.1:"
                    + proxy.port();
            try (ClusterHarness cluster = ClusterHarness.start(3, Map.of("hyperkv.cluster.peers", peers),
                    i -> Map.of("hyperkv.cluster.bus-port", Integer.toString(busPorts.get(i))))) {
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                    for (int i = 0; i < 3; i++) {
                        assertThat(cluster.admin(i, "GET", "/v1/node", null).body()).contains("\"epoch\":1");
                    }
                });
                String id2 = match(NODE_ID, cluster.admin(2, "GET", "/v1/node", null).body());
                String seen = "bus peer 127.0.0.1:" + proxy.port() + " (node " + id2 + ") is now ";
                for (int i = 0; i < 2; i++) {
                    int n = i;
                    await().atMost(Duration.ofSeconds(30)).until(() -> cluster.node(n).log().contains(seen + "UP"));
                }

                proxy.mode(BusProxy.Mode.BLACKHOLE);
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    for (int i = 0; i < 2; i++) {
                        assertThat(cluster.node(i).log()).contains(seen + "SUSPECT").contains(seen + "DOWN");
                    }
                });
                int upsBefore = count(cluster.node(0).log(), seen + "UP");
                proxy.mode(BusProxy.Mode.PASS);
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    assertThat(count(cluster.node(0).log(), seen + "UP")).isGreaterThan(upsBefore);
                    assertThat(cluster.node(1).log()).contains(seen + "UP");
                });
            }
        }
    }

    private String node(ServerProcess n) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + n.httpPort() + "/v1/node")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private static String match(Pattern p, String text) {
        Matcher m = p.matcher(text);
        assertThat(m.find()).as(text).isTrue();
        return m.group(1);
    }

    private static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }

}
