package io.hyperkv.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * FLUSHALL and FLUSHDB across three real server processes (N=3, W=quorum), every bus behind a {@link BusProxy}: a
 * flush through one node empties its databases on every node; a node whose bus is cut off during the FLUSHALL gets the
 * cut when it is back and its old keys come back nowhere, neither through its anti-entropy nor its clients; a write
 * made after the flush survives everywhere; FLUSHDB touches only its database; a FLUSHALL that too few nodes
 * acknowledge is answered {@code -NOQUORUM} and still reaches them later. Scheduled anti-entropy rounds are an hour
 * apart: the rounds here are the ones the test asks for ({@code POST /v1/repair}) and those a returning peer starts.
 */
class ClusterFlushIT {

    private static final Duration CONVERGE = Duration.ofSeconds(30);
    private static final int KEYS_PER_NODE = 6;

    @Test
    void flushesReachEveryReplicaAndFlushedKeysNeverComeBack() {
        try (FaultCluster cluster = FaultCluster.start(3,
                Map.of("hyperkv.cluster.anti-entropy-interval", "1h"))) {
            for (int i = 0; i < 3; i++) {
                writeEveryType(cluster, i, "old" + i);
                try (Jedis j = cluster.jedis(i)) {
                    j.select(1);
                    assertThat(j.set("db1:" + i, "v")).isEqualTo("OK");
                }
            }
            awaitSizes(cluster, 0, 3 * KEYS_PER_NODE);
            awaitSizes(cluster, 1, 3);

            // FLUSHDB through node 1 empties db 1 everywhere and leaves db 0 alone
            try (Jedis j = cluster.jedis(1)) {
                j.select(1);
                assertThat(j.flushDB()).isEqualTo("OK");
            }
            awaitSizes(cluster, 1, 0);
            awaitSizes(cluster, 0, 3 * KEYS_PER_NODE);

            // node 2's bus is cut off during the FLUSHALL: W=quorum holds with nodes 0 and 1
            cluster.isolate(2);
            try {
                try (Jedis j = cluster.jedis(0)) {
                    assertThat(j.flushAll()).isEqualTo("OK");
                }
                for (int i = 0; i < 2; i++) {
                    assertThat(dbsize(cluster, i, 0)).as("DBSIZE on node %d after the FLUSHALL", i).isZero();
                }
                assertThat(dbsize(cluster, 2, 0)).as("the cut-off node still holds its old keys").isEqualTo(18);
                try (Jedis j = cluster.jedis(1)) {
                    assertThat(j.set("after", "survives")).isEqualTo("OK");
                    assertThat(j.hset("after-hash", "f", "v")).isEqualTo(1);
                }
            } finally {
                cluster.heal();
            }

            // back: it gets the cut (hints, or the relay when its link comes UP) and keeps only the later writes
            awaitSizes(cluster, 0, 2);
            repairEverywhere(cluster);
            cluster.awaitEqualDigests(CONVERGE);
            for (int i = 0; i < 3; i++) {
                assertThat(dbsize(cluster, i, 0)).as("DBSIZE on node %d after a repair round", i).isEqualTo(2);
                try (Jedis j = cluster.jedis(i)) {
                    assertThat(j.get("after")).isEqualTo("survives");
                    assertThat(j.hget("after-hash", "f")).isEqualTo("v");
                    assertThat(j.exists("old2:str", "old2:set", "old0:list", "old1:zset")).isZero();
                }
            }

            // a FLUSHALL only node 0 holds: -NOQUORUM, applied here, and it reaches the others once they are back
            cluster.isolate(1);
            cluster.isolate(2);
            try {
                try (Jedis j = cluster.jedis(0)) {
                    assertThatThrownBy(j::flushAll).isInstanceOf(JedisDataException.class).hasMessageStartingWith("NOQUORUM");
                }
                assertThat(dbsize(cluster, 0, 0)).isZero();
            } finally {
                cluster.heal();
            }
            awaitSizes(cluster, 0, 0);
            repairEverywhere(cluster);
            cluster.awaitEqualDigests(CONVERGE);
            for (int i = 0; i < 3; i++) {
                assertThat(dbsize(cluster, i, 0)).isZero();
            }
        }
    }

    /** Six keys, one of every type (and a counter), through node {@code node}. */
    private static void writeEveryType(FaultCluster cluster, int node, String prefix) {
        try (Jedis j = cluster.jedis(node)) {
            assertThat(j.set(prefix + ":str", "v")).isEqualTo("OK");
            assertThat(j.incrBy(prefix + ":ctr", 7)).isEqualTo(7);
            assertThat(j.hset(prefix + ":hash", Map.of("a", "1", "b", "2"))).isEqualTo(2);
            assertThat(j.sadd(prefix + ":set", "x", "y")).isEqualTo(2);
            assertThat(j.zadd(prefix + ":zset", 1.5, "m")).isEqualTo(1);
            assertThat(j.rpush(prefix + ":list", "e1", "e2")).isEqualTo(2);
        }
    }

    private static long dbsize(FaultCluster cluster, int node, int db) {
        try (Jedis j = cluster.jedis(node)) {
            j.select(db);
            return j.dbSize();
        }
    }

    private static void awaitSizes(FaultCluster cluster, int db, long expected) {
        await("DBSIZE " + expected + " in db " + db + " on every node").atMost(CONVERGE)
                .pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
                    List<Long> sizes = IntStream.range(0, cluster.size()).mapToObj(i -> dbsize(cluster, i, db)).toList();
                    assertThat(sizes).containsOnly(expected);
                });
    }

    /** Asks every node for an anti-entropy round and waits until each has finished one more than before. */
    private static void repairEverywhere(FaultCluster cluster) {
        double[] before = IntStream.range(0, cluster.size())
                .mapToDouble(i -> cluster.meter(i, "hyperkv_anti_entropy_rounds_total")).toArray();
        assertThat(cluster.repair()).as("POST /v1/repair is served").isTrue();
        await("an anti-entropy round on every node").atMost(CONVERGE).untilAsserted(() -> {
            for (int i = 0; i < cluster.size(); i++) {
                assertThat(cluster.meter(i, "hyperkv_anti_entropy_rounds_total")).as("rounds on node %d", i)
                        .isGreaterThan(before[i]);
            }
        });
    }
}
