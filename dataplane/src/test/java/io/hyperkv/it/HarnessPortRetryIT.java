package io.hyperkv.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * The harnesses survive a port that another process takes between the moment they pick it and the moment a node binds
 * it (seen in CI as "bind(..) failed: Address already in use"): each test takes one of the picked ports just before
 * the nodes launch, holds it to the end, and checks that the cluster still forms on other ports and replicates.
 */
class HarnessPortRetryIT {

    private final List<ServerSocket> taken = new ArrayList<>();

    @AfterEach
    void release() throws IOException {
        for (ServerSocket s : taken) {
            s.close();
        }
    }

    @Test
    void aNodeWhoseRespOrHttpPortWasTakenIsLaunchedAgainOnAFreshOne() {
        int[] grabbed = new int[2];
        try (ClusterHarness cluster = ClusterHarness.start(2, Map.of(), i -> Map.of(), null, ports -> {
            grabbed[0] = take(ports.get(0)[0]);
            grabbed[1] = take(ports.get(1)[1]);
        })) {
            assertThat(cluster.respPort(0)).isNotEqualTo(grabbed[0]);
            assertThat(cluster.httpPort(1)).isNotEqualTo(grabbed[1]);
            assertThat(cluster.admin(1, "GET", "/v1/node", null).statusCode()).isEqualTo(200);
            ClusterWaits.allPeersUp(cluster);
            assertReplicates(cluster.respPort(0), cluster.respPort(1));
        }
    }

    @Test
    void aBusPortEveryPeerListNamesWasTakenSoTheClusterStartsAgainOnFreshPorts() {
        int[] grabbed = new int[1];
        try (ClusterHarness cluster = ClusterHarness.start(2, Map.of(), i -> Map.of(), null, ports -> {
            if (grabbed[0] == 0) { // the first start only
                grabbed[0] = take(ports.get(1)[2]);
            }
        })) {
            assertThat(cluster.busPort(1)).isNotEqualTo(grabbed[0]);
            ClusterWaits.allPeersUp(cluster);
            assertReplicates(cluster.respPort(1), cluster.respPort(0));
        }
    }

    @Test
    void aBusPortBehindAProxyWasTakenSoTheNodeMovesItAndItsProxyFollows() {
        int[] grabbed = new int[1];
        try (FaultCluster cluster = FaultCluster.start(2, Map.of(), ports -> grabbed[0] = take(ports.get(0)[2]))) {
            assertThat(cluster.harness().busPort(0)).isNotEqualTo(grabbed[0]);
            assertThat(cluster.harness().node(0).log()).contains("cluster bus listening on 127.0.0.1 port "
                    + cluster.harness().busPort(0));
            // FaultCluster.start waited for every link UP, through the proxies
            assertReplicates(cluster.harness().respPort(1), cluster.harness().respPort(0));
        }
    }

    @Test
    void anyOtherStartFailureFailsAtOnceWithTheNodesLog() {
        assertThatThrownBy(() -> ClusterHarness.start(1, Map.of("hyperkv.cluster.replication-factor", "2")))
                .hasMessage("a node did not start")
                .cause().isInstanceOf(ServerProcess.StartFailure.class)
                .hasMessageContaining("hyperkv.cluster.replication-factor")
                .satisfies(e -> assertThat(((ServerProcess.StartFailure) e).portInUse()).isFalse());
    }

    private static void assertReplicates(int writerPort, int readerPort) {
        try (Jedis writer = new Jedis("127.0.0.1", writerPort, 10_000);
                Jedis reader = new Jedis("127.0.0.1", readerPort, 10_000)) {
            assertThat(writer.set("k", "v")).isEqualTo("OK");
            await().atMost(Duration.ofSeconds(30)).until(() -> "v".equals(reader.get("k")));
        }
    }

    /** Binds {@code port} on 127.0.0.1 (as another process would) and keeps it until the test ends. */
    private int take(int port) {
        try {
            ServerSocket s = new ServerSocket();
            s.setReuseAddress(false);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
            taken.add(s);
            return port;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
