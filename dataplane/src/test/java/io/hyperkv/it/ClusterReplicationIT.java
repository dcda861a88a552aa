package io.hyperkv.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * Three real nodes, N=3, W=quorum: a write through any node (strings, expiry, DEL, every collection type) is read
 * through every other one, concurrent INCRs through
 * all three add up, WAIT counts the replicas that acknowledged the connection's writes, and a write still succeeds
 * with one node frozen (SIGSTOP) but answers {@code -NOQUORUM} within the bound with two frozen, and so does the pop
 * that serves a client blocked before the push (BLPOP). One cluster for the whole class, the freezing tests last.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterReplicationIT {

    private static final Duration CONVERGE = Duration.ofSeconds(20);

    private ClusterHarness cluster;

    @BeforeAll
    void startCluster() {
        cluster = ClusterHarness.start(3, Map.of("hyperkv.cluster.write-consistency", "quorum"));
        ClusterWaits.allPeersUp(cluster);
    }

    @AfterAll
    void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private Jedis client(int node) {
        return new Jedis("127.0.0.1", cluster.respPort(node));
    }

    @Test
    @Order(1)
    void aStringWrittenThroughOneNodeIsReadThroughEveryNode() {
        for (int writer = 0; writer < 3; writer++) {
            try (Jedis w = client(writer)) {
                assertThat(w.set("greeting:" + writer, "hello from " + writer)).isEqualTo("OK");
                w.set("overwritten", "by " + writer);
            }
        }
        try (Jedis w = client(1)) {
            w.setex("expiring", 600, "soon");
            w.set("deleted", "x");
            assertThat(w.del("deleted")).isEqualTo(1);
        }
        await().atMost(CONVERGE).untilAsserted(() -> {
            for (int reader = 0; reader < 3; reader++) {
                try (Jedis r = client(reader)) {
                    for (int writer = 0; writer < 3; writer++) {
                        assertThat(r.get("greeting:" + writer)).isEqualTo("hello from " + writer);
                    }
                    assertThat(r.get("overwritten")).isEqualTo("by 2");
                    assertThat(r.get("expiring")).isEqualTo("soon");
                    assertThat(r.ttl("expiring")).isBetween(1L, 600L);
                    assertThat(r.exists("deleted")).isFalse();
                }
            }
        });
    }

    @Test
    @Order(2)
    void collectionsWrittenThroughDifferentNodesConvergeOnEveryNode() {
        try (Jedis w = client(0)) {
            w.sadd("set", "a", "b", "c");
            w.hset("hash", Map.of("f1", "v1", "f2", "v2"));
            w.zadd("zset", Map.of("one", 1.0, "two", 2.0));
            w.rpush("list", "x", "y");
        }
        try (Jedis w = client(1)) {
            await().atMost(CONVERGE).until(() -> w.scard("set") == 3 && w.llen("list") == 2);
            w.srem("set", "b");
            w.hdel("hash", "f1");
            w.hset("hash", "f3", "v3");
            w.zincrby("zset", 10, "one");
            w.rpush("list", "z");
        }
        await().atMost(CONVERGE).untilAsserted(() -> {
            for (int reader = 0; reader < 3; reader++) {
                try (Jedis r = client(reader)) {
                    assertThat(r.smembers("set")).containsExactlyInAnyOrder("a", "c");
                    assertThat(r.hgetAll("hash")).isEqualTo(Map.of("f2", "v2", "f3", "v3"));
                    assertThat(r.zrange("zset", 0, -1)).containsExactly("two", "one");
                    assertThat(r.zscore("zset", "one")).isEqualTo(11.0);
                    assertThat(r.lrange("list", 0, -1)).containsExactly("x", "y", "z");
                }
            }
        });
    }

    @Test
    @Order(3)
    void concurrentIncrsThroughAllThreeNodesAddUp() throws Exception {
        int perNode = 300;
        ExecutorService writers = Executors.newFixedThreadPool(3);
        try {
            List<Future<Long>> done = new ArrayList<>();
            for (int node = 0; node < 3; node++) {
                int n = node;
                done.add(writers.submit(() -> {
                    long last = 0;
                    try (Jedis j = client(n)) {
                        for (int i = 0; i < perNode; i++) {
                            last = j.incr("counter");
                        }
                    }
                    return last;
                }));
            }
            for (Future<Long> f : done) {
                assertThat(f.get()).isPositive();
            }
        } finally {
            writers.shutdownNow();
        }
        await().atMost(CONVERGE).untilAsserted(() -> {
            for (int reader = 0; reader < 3; reader++) {
                try (Jedis r = client(reader)) {
                    assertThat(r.get("counter")).isEqualTo(Integer.toString(3 * perNode));
                }
            }
        });
    }

    @Test
    @Order(4)
    void waitCountsTheReplicasThatAcknowledgedThisConnectionsWrites() {
        try (Jedis j = client(0)) {
            assertThat(j.waitReplicas(2, 0)).as("before any write, every reachable peer counts").isEqualTo(2);
            j.set("waited", "1");
            assertThat(j.waitReplicas(2, 2000)).isEqualTo(2);
            assertThat(j.waitReplicas(5, 300)).as("only two replicas exist: the timeout answers").isEqualTo(2);
        }
    }

    @Test
    @Order(5)
    void aQuorumWriteSucceedsWithOneNodeFrozenAndWaitSeesOnlyOneReplica() {
        cluster.pause(2);
        try (Jedis j = client(0)) {
            long start = System.nanoTime();
            assertThat(j.set("frozen:one", "v")).isEqualTo("OK");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
            assertThat(j.waitReplicas(2, 300)).isEqualTo(1);
            // pipelined writes wait for their acks and reads follow them, every reply in request order
            Pipeline p = j.pipelined();
            List<Response<Long>> incrs = new ArrayList<>();
            List<Response<String>> gets = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                incrs.add(p.incr("frozen:pipelined"));
                gets.add(p.get("frozen:pipelined"));
            }
            p.sync();
            for (int i = 0; i < 50; i++) {
                assertThat(incrs.get(i).get()).isEqualTo(i + 1);
                assertThat(gets.get(i).get()).isEqualTo(Integer.toString(i + 1));
            }
            try (Jedis other = client(1)) {
                await().atMost(CONVERGE).until(() -> "v".equals(other.get("frozen:one")));
            }
        } finally {
            cluster.resume(2);
        }
        try (Jedis late = client(2)) {
            await().atMost(CONVERGE).until(() -> "v".equals(late.get("frozen:one")));
        }
    }

    @Test
    @Order(6)
    void withTwoNodesFrozenAWriteAnswersNoQuorumWithinTheBound() {
        cluster.pause(1);
        cluster.pause(2);
        try (Jedis j = client(0)) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> j.set("frozen:two", "v"))
                    .isInstanceOf(JedisDataException.class)
                    .hasMessageStartingWith("NOQUORUM 1 of 2 required replicas acknowledged the write within");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(1900));
            // The connection is still in step: the next command gets its own reply.
            assertThat(j.get("frozen:two")).as("applied locally all the same").isEqualTo("v");
        } finally {
            cluster.resume(1);
            cluster.resume(2);
        }
        await().atMost(CONVERGE).untilAsserted(() -> {
            for (int reader = 1; reader < 3; reader++) {
                try (Jedis r = client(reader)) {
                    assertThat(r.get("frozen:two")).isEqualTo("v");
                }
            }
        });
    }

    @Test
    @Order(7)
    void aBlockedPopServedLaterWaitsForItsReplicasLikeAnyWrite() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (Jedis blocked = client(0); Jedis pusher = client(0)) {
            Future<List<String>> popped = pool.submit(() -> blocked.blpop(30, "frozen:queue"));
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> pusher.info("clients").contains("blocked_clients:1"));
            cluster.pause(1);
            cluster.pause(2);
            try {
                assertThatThrownBy(() -> pusher.lpush("frozen:queue", "job"))
                        .hasMessageStartingWith("NOQUORUM 1 of 2 required replicas");
                // the pop is a write no other replica holds: its client is not told it succeeded
                assertThatThrownBy(() -> popped.get(10, java.util.concurrent.TimeUnit.SECONDS))
                        .hasCauseInstanceOf(JedisDataException.class)
                        .hasMessageContaining("NOQUORUM 1 of 2 required replicas acknowledged the write");
                assertThat(pusher.llen("frozen:queue")).as("popped here all the same").isZero();
            } finally {
                cluster.resume(1);
                cluster.resume(2);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
