package io.hyperkv.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * The cluster's waits are settings, honoured by real nodes: two nodes (N=2, W=quorum, so every write needs both)
 * started with {@code hyperkv.cluster.replica-wait=300ms} and a failure detector of 100 ms heartbeats, SUSPECT after
 * 500 ms and DOWN after 1500 ms. With one node frozen (SIGSTOP), a write answers {@code -NOQUORUM} naming the 300 ms
 * wait well before the 1 s default, and the other node sees it DOWN after about 1.5 s instead of the default 10 s.
 * Timings that break {@code heartbeat < suspect < down} stop start-up with a message naming the key.
 */
class ClusterTimingsIT {

    private static final Pattern DOWN = Pattern.compile("is now DOWN after (\\d+) ms without an answer");

    @Test
    void aShorterReplicaWaitAndDownDelayAreHonoured() {
        try (ClusterHarness cluster = ClusterHarness.start(2, Map.of(
                "hyperkv.cluster.replication-factor", "2",
                "hyperkv.cluster.write-consistency", "quorum",
                "hyperkv.cluster.replica-wait", "300ms",
                "hyperkv.cluster.heartbeat-interval", "100ms",
                "hyperkv.cluster.suspect-after", "500ms",
                "hyperkv.cluster.down-after", "1500ms"))) {
            ClusterWaits.allPeersUp(cluster);
            assertThat(cluster.node(0).log()).contains("replica wait 300 ms, heartbeat 100 ms, suspect after 500 ms,"
                    + " down after 1500 ms");
            try (Jedis j = new Jedis("127.0.0.1", cluster.respPort(0), 10_000)) {
                await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> "OK".equals(j.set("k", "v")));
                // only what node 0 logs from the pause on counts: with down-after 1.5 s it may have logged a DOWN
                // while node 1 was still starting
                int logBefore = cluster.node(0).log().length();
                cluster.pause(1);
                try {
                    long start = System.nanoTime();
                    assertThatThrownBy(() -> j.set("k", "w")).isInstanceOf(JedisDataException.class)
                            .hasMessageStartingWith("NOQUORUM 1 of 2 required replicas acknowledged the write within"
                                    + " 300 ms");
                    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(900));
                    // DOWN well before the default 10 s; the log says after how long the detector decided
                    await("node 0 to see node 1 DOWN").atMost(Duration.ofSeconds(8)).until(() ->
                            DOWN.matcher(cluster.node(0).log().substring(logBefore)).find());
                    Matcher m = DOWN.matcher(cluster.node(0).log().substring(logBefore));
                    assertThat(m.find()).isTrue();
                    assertThat(Long.parseLong(m.group(1))).isBetween(1_500L, 8_000L);
                } finally {
                    cluster.resume(1);
                }
            }
        }
    }

    @Test
    void aDownDelayNotLongerThanTheSuspectDelayStopsStartUpNamingTheKey() {
        // as a pod gets it: the environment variable of hyperkv.cluster.down-after, with suspect-after at its 2s default
        assertThatThrownBy(() -> ServerProcess.start(Map.of(), Map.of("HYPERKV_CLUSTER_DOWN_AFTER", "1s")))
                .hasMessageContaining("invalid hyperkv.cluster.down-after=\"1s\": must be longer than"
                        + " hyperkv.cluster.suspect-after (2s)");
    }
}
