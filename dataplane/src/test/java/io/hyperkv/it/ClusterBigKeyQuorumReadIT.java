package io.hyperkv.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * A quorum read of a key larger than a bus frame (64 MB): three real nodes, N=3, W=one, R=quorum; node 2 sits behind a
 * {@link BusProxy} that drops everything the others send it, so it never receives the set written through node 0. A
 * read through node 2 must fetch another owner's state of the key first: it arrives part after part in bounded
 * messages ({@code AE.PARTS}/{@code AE.PART}), where one message of the whole state would exceed the frame limit, and
 * the read answers with the whole set.
 */
class ClusterBigKeyQuorumReadIT {

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
            new com.fasterxml.jackson.databind.ObjectMapper();
    private static final int MEMBER_BYTES = 1000;
    private static final int MEMBERS = 72_000; // 72 MB of members: more than one 64 MB bus frame
    private static final int BATCH = 500;

    @Test
    void aQuorumReadOfAKeyLargerThanABusFrameFetchesItInParts() throws Exception {
        List<Integer> busPorts = ClusterHarness.freePortList(3);
        try (BusProxy proxy = BusProxy.start(busPorts.get(2))) {
            String peers = "127.0.0.1:" + busPorts.get(0) + ",127.0.0.1:" + busPorts.get(1) + ",127.0.0.1:"
                    + proxy.port();
            try (ClusterHarness cluster = ClusterHarness.start(3, Map.of("hyperkv.cluster.peers", peers,
                    "hyperkv.cluster.write-consistency", "one", "hyperkv.cluster.read-consistency", "quorum",
                    "hyperkv.cluster.anti-entropy-interval", "1h", "hyperkv.cluster.replica-wait", "60s"),
                    i -> Map.of("hyperkv.cluster.bus-port", Integer.toString(busPorts.get(i))))) {
                await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
                    for (int i = 0; i < 3; i++) {
                        assertThat(cluster.node(i).log()).contains("installed topology epoch");
                        assertThat(cluster.node(i).log().split("\\) is now UP", -1).length - 1)
                                .isGreaterThanOrEqualTo(2);
                        // a node whose slots are out of sync rounds again soon: such a round could bring the set to
                        // node 2 through its own links, which are not cut
                        assertThat(JSON.readTree(cluster.admin(i, "GET", "/v1/node", null).body())
                                .path("antiEntropy").path("slotsOutOfSync").asInt(-1))
                                .as("slots out of sync on node %d", i).isZero();
                    }
                });
                proxy.mode(BusProxy.Mode.BLACKHOLE);
                try (Jedis writer = new Jedis("127.0.0.1", cluster.respPort(0), 120_000);
                        Jedis cutOff = new Jedis("127.0.0.1", cluster.respPort(2), 120_000)) {
                    String pad = "x".repeat(MEMBER_BYTES - 8);
                    for (int from = 0; from < MEMBERS; from += BATCH) {
                        String[] members = new String[BATCH];
                        for (int m = 0; m < BATCH; m++) {
                            members[m] = String.format("%08d", from + m) + pad;
                        }
                        assertThat(writer.sadd("big", members)).isEqualTo(BATCH);
                    }
                    // node 1 acknowledged every write: whichever owner node 2 asks holds the whole set
                    assertThat(writer.waitReplicas(1, 60_000)).isGreaterThanOrEqualTo(1);
                    assertThat(cutOff.dbSize()).as("nothing reached node 2 over the bus").isZero();

                    assertThat(cutOff.scard("big")).as("the quorum read merged another owner's whole set first")
                            .isEqualTo(MEMBERS);
                    assertThat(cutOff.sismember("big", String.format("%08d", MEMBERS - 1) + pad)).isTrue();
                    assertThat(cluster.node(2).alive()).isTrue();
                }
            }
        }
    }
}
