package io.hyperkv.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * Three real nodes, N=3, W=one, R=quorum, anti-entropy rounds an hour apart once every slot is in sync: node 2 sits
 * behind a {@link BusProxy} that drops everything the others send it, so it never receives a replicated write. A read
 * through node 2 still returns what was written through node 0, because it merges the state of another owner first
 * (read repair: the key is then stored on node 2, DBSIZE counts it); with the other two nodes frozen the read answers
 * {@code -NOQUORUM} within the bound.
 */
class ClusterQuorumReadIT {

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
            new com.fasterxml.jackson.databind.ObjectMapper();

    @Test
    void aQuorumReadRepairsAReplicaThatMissedTheWriteAndFailsClearlyWithoutAQuorum() throws Exception {
        List<Integer> busPorts = ClusterHarness.freePortList(3);
        try (BusProxy proxy = BusProxy.start(busPorts.get(2))) {
            String peers = "127.0.0.1:" + busPorts.get(0) + ",127.0.0.1:" + busPorts.get(1) + ",127.0.0.1:"
                    + proxy.port();
            try (ClusterHarness cluster = ClusterHarness.start(3, Map.of("hyperkv.cluster.peers", peers,
                    "hyperkv.cluster.write-consistency", "one", "hyperkv.cluster.read-consistency", "quorum",
                    "hyperkv.cluster.anti-entropy-interval", "1h"),
                    i -> Map.of("hyperkv.cluster.bus-port", Integer.toString(busPorts.get(i))))) {
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                    for (int i = 0; i < 3; i++) {
                        assertThat(cluster.node(i).log()).contains("installed topology epoch");
                        assertThat(count(cluster.node(i).log(), ") is now UP")).isGreaterThanOrEqualTo(2);
                        // a node whose slots are out of sync rounds again soon (the retry delay, not the hour):
                        // such a round would pull the write below through node 2's own links, which are not cut
                        assertThat(JSON.readTree(cluster.admin(i, "GET", "/v1/node", null).body())
                                .path("antiEntropy").path("slotsOutOfSync").asInt(-1))
                                .as("slots out of sync on node %d", i).isZero();
                    }
                });
                proxy.mode(BusProxy.Mode.BLACKHOLE);
                try (Jedis writer = new Jedis("127.0.0.1", cluster.respPort(0));
                        Jedis other = new Jedis("127.0.0.1", cluster.respPort(1));
                        Jedis cutOff = new Jedis("127.0.0.1", cluster.respPort(2))) {
                    assertThat(cutOff.dbSize()).isZero();
                    assertThat(writer.set("k", "written through node 0")).isEqualTo("OK");
                    await().atMost(Duration.ofSeconds(10)).until(() -> other.dbSize() == 1);
                    assertThat(cutOff.dbSize()).as("nothing reached node 2 over the bus").isZero();

                    assertThat(cutOff.get("k")).isEqualTo("written through node 0");
                    assertThat(cutOff.dbSize()).as("the read merged the key here").isEqualTo(1);
                    assertThat(cutOff.mget("k", "absent")).containsExactly("written through node 0", null);

                    cluster.pause(0);
                    cluster.pause(1);
                    try {
                        long start = System.nanoTime();
                        assertThatThrownBy(() -> cutOff.get("k")).isInstanceOf(JedisDataException.class)
                                .hasMessageStartingWith("NOQUORUM 1 of 2 required replicas");
                        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(1900));
                        assertThat(cutOff.ping()).as("the connection is still in step").isEqualTo("PONG");
                    } finally {
                        cluster.resume(0);
                        cluster.resume(1);
                    }
                }
            }
        }
    }

    private static int count(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }

}
