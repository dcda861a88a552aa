package io.hyperkv.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * Hinted handoff across three real server processes (N=3, W=quorum): a node that is away (SIGSTOP, or its bus in a
 * {@link BusProxy} black hole) misses the writes the others take meanwhile; they keep them as hints, durably, and
 * replay them when it is UP again (a writer killed meanwhile included), after which it holds every write and the
 * others hold no hints for it. The hint meters ({@code hyperkv_hints_*} on {@code /q/metrics}) show what was kept and
 * delivered.
 */
class HintedHandoffIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final Pattern NODE_ID = Pattern.compile("\"nodeId\":\"([0-9a-f]{40})\"");
    private static final int WRITES = 300;

    @Test
    void aPausedNodeMissesWritesThatTheOthersHoldAsHintsAcrossAKillAndReplayWhenItResumes() throws Exception {
        try (ClusterHarness cluster = ClusterHarness.start(3, Map.of())) {
            String away = awaitFormed(cluster);
            cluster.pause(2);
            try {
                writeThroughNodesZeroAndOne(cluster, "paused");
                awaitHintsHeld(cluster, away);
                // A writer killed (SIGKILL) while it holds hints finds them in its store when it starts again.
                double held = metric(cluster, 0, "hyperkv_hints_pending", away);
                cluster.kill(0);
                cluster.restart(0);
                await().atMost(TIMEOUT).ignoreExceptions().untilAsserted(() ->
                        assertThat(metric(cluster, 0, "hyperkv_hints_pending", away)).isEqualTo(held));
                assertThat(cluster.node(0).log()).contains("hint(s) kept from before the restart");
            } finally {
                cluster.resume(2);
            }
            awaitHandedOff(cluster, away, "paused");
        }
    }

    @Test
    void aNodeCutOffTheBusMissesWritesThatTheOthersHoldAsHintsAndReplayWhenTheLinkHeals() throws Exception {
        int[] busPorts = ClusterHarness.freePortList(3).stream().mapToInt(Integer::intValue).toArray();
        try (BusProxy proxy = BusProxy.start(busPorts[2])) {
            // Node 2 is announced at the proxy's port: what the others send it crosses the proxy.
            String peers = "127.0.0.1:" + busPorts[0] + ",127.0.0.1:" + busPorts[1] + ",127.0.0.1:" + proxy.port();
            try (ClusterHarness cluster = ClusterHarness.start(3, Map.of("hyperkv.cluster.peers", peers),
                    i -> Map.of("hyperkv.cluster.bus-port", Integer.toString(busPorts[i])))) {
                String away = awaitFormed(cluster);
                proxy.mode(BusProxy.Mode.BLACKHOLE);
                try {
                    writeThroughNodesZeroAndOne(cluster, "cut");
                    awaitHintsHeld(cluster, away);
                } finally {
                    proxy.mode(BusProxy.Mode.PASS);
                }
                awaitHandedOff(cluster, away, "cut");
            }
        }
    }

    /** Waits for epoch 1 and every node's links UP (a write then reaches every owner); returns node 2's id. */
    private static String awaitFormed(ClusterHarness cluster) {
        await().atMost(TIMEOUT).untilAsserted(() -> {
            for (int i = 0; i < 3; i++) {
                String node = cluster.admin(i, "GET", "/v1/node", null).body();
                assertThat(node).contains("\"epoch\":1");
                assertThat(count(node, "\"state\":\"up\"")).as(node).isEqualTo(2);
            }
        });
        Matcher m = NODE_ID.matcher(cluster.admin(2, "GET", "/v1/node", null).body());
        assertThat(m.find()).isTrue();
        return m.group(1);
    }

    /** Half the writes through node 0 and half through node 1, each acknowledged by a quorum without node 2. */
    private static void writeThroughNodesZeroAndOne(ClusterHarness cluster, String prefix) {
        try (Jedis a = new Jedis("127.0.0.1", cluster.respPort(0), 30_000);
                Jedis b = new Jedis("127.0.0.1", cluster.respPort(1), 30_000)) {
            for (int i = 0; i < WRITES; i++) {
                assertThat((i % 2 == 0 ? a : b).set(prefix + ":" + i, "v" + i)).isEqualTo("OK");
            }
        }
    }

    /** Both writers keep hints for node 2 (once their links to it gave up, its queued deltas became hints too). */
    private static void awaitHintsHeld(ClusterHarness cluster, String away) {
        await().atMost(TIMEOUT).untilAsserted(() -> {
            for (int i = 0; i < 2; i++) {
                assertThat(metric(cluster, i, "hyperkv_hints_pending", away)).as("hints on node %d", i)
                        .isGreaterThanOrEqualTo(WRITES / 2.0);
            }
        });
    }

    /** Node 2 ends with every write, the writers with no hint left for it, having delivered what they held. */
    private static void awaitHandedOff(ClusterHarness cluster, String away, String prefix) {
        await().atMost(TIMEOUT).untilAsserted(() -> {
            for (int i = 0; i < 2; i++) {
                assertThat(metric(cluster, i, "hyperkv_hints_pending", away)).isZero();
                assertThat(metric(cluster, i, "hyperkv_hints_delivered_total", away))
                        .isGreaterThanOrEqualTo(WRITES / 2.0);
            }
        });
        try (Jedis c = new Jedis("127.0.0.1", cluster.respPort(2), 30_000)) {
            for (int i = 0; i < WRITES; i++) {
                assertThat(c.get(prefix + ":" + i)).as("key %d on the node that was away", i).isEqualTo("v" + i);
            }
        }
        for (int i = 0; i < 2; i++) {
            String log = cluster.node(i).log();
            assertThat(log).contains("hint(s) to node " + away);
            // The replay's own figure (hints, milliseconds, hints per second) for whoever reads the test output.
            log.lines().filter(l -> l.contains("handed off")).forEach(System.out::println);
        }
    }

    /** One sample of {@code name} with {@code peer="..."} from a node's {@code /q/metrics}; 0 when absent. */
    private static double metric(ClusterHarness cluster, int node, String name, String peer) {
        String scrape = cluster.admin(node, "GET", "/q/metrics", null).body();
        Matcher m = Pattern.compile("(?m)^" + name + "\\{[^}]*peer=\"" + peer + "\"[^}]*} (\\S+)$").matcher(scrape);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    private static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }

}
