package io.hyperkv.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hyperkv.store.KeySlot;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.Transaction;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * Five real nodes with N=3 and a password: node 0 owns about 3/5 of the slots, and a plain client talking only to it
 * still reads and writes every key (commands on keys it does not own are forwarded to an owner, authenticated), MGET,
 * MSET, DEL, EXISTS and TOUCH over keys of many slots are split and recombined in order, and commands whose keys
 * span slots otherwise get Redis Cluster's CROSSSLOT, at MULTI queueing time or at EXEC as Redis Cluster does. Blocking
 * commands and RESP3 replies cross the hop unchanged.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterForwardingIT {

    private static final String PASSWORD = "forwarding-test-password";
    private static final ObjectMapper JSON = new ObjectMapper();

    private ClusterHarness cluster;
    private final List<int[]> ownedByNode0 = new ArrayList<>();

    @BeforeAll
    void startCluster() throws Exception {
        cluster = ClusterHarness.start(5, Map.of("hyperkv.requirepass", PASSWORD,
                "hyperkv.cluster.write-consistency", "quorum"));
        ClusterWaits.allPeersUp(cluster);
        JsonNode node = JSON.readTree(cluster.admin(0, "GET", "/v1/node", null).body());
        for (JsonNode range : node.get("slots")) {
            ownedByNode0.add(new int[] {range.get("start").asInt(), range.get("end").asInt()});
        }
    }

    @AfterAll
    void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private Jedis client(int node) {
        Jedis j = new Jedis("127.0.0.1", cluster.respPort(node));
        j.auth(PASSWORD);
        return j;
    }

    private boolean node0Owns(String key) {
        int slot = KeySlot.of(key.getBytes(StandardCharsets.UTF_8));
        return ownedByNode0.stream().anyMatch(r -> r[0] <= slot && slot <= r[1]);
    }

    /** {@code count} keys with the prefix that node 0 owns ({@code owned}) or does not. */
    private List<String> keys(String prefix, int count, boolean owned) {
        List<String> keys = new ArrayList<>();
        for (int i = 0; keys.size() < count; i++) {
            if (node0Owns(prefix + i) == owned) {
                keys.add(prefix + i);
            }
        }
        return keys;
    }

    @Test
    void keysTheNodeDoesNotOwnWorkThroughIt() {
        assertThat(ownedByNode0).as("with 5 nodes and N=3 a node does not own every slot").isNotEmpty();
        List<String> foreign = keys("foreign:", 20, false);
        try (Jedis j = client(0)) {
            for (String k : foreign) {
                assertThat(j.set(k, "value of " + k)).isEqualTo("OK");
            }
            for (String k : foreign) {
                assertThat(j.get(k)).isEqualTo("value of " + k);
                assertThat(j.incr(k + ":n")).isEqualTo(1);
                assertThat(j.hset(k + ":h", "f", "v")).isEqualTo(1);
                assertThat(j.hgetAll(k + ":h")).isEqualTo(Map.of("f", "v"));
            }
            assertThat(j.get(foreign.get(0) + ":absent")).isNull();
            // a wrong type error from the owner is relayed as is
            assertThatThrownBy(() -> j.lpush(foreign.get(0), "x")).isInstanceOf(JedisDataException.class)
                    .hasMessageStartingWith("WRONGTYPE");
            // a database other than 0 is kept across the hop
            j.select(3);
            j.set(foreign.get(1), "in db 3");
            assertThat(j.get(foreign.get(1))).isEqualTo("in db 3");
            j.select(0);
            assertThat(j.get(foreign.get(1))).isEqualTo("value of " + foreign.get(1));
        }
        // every node answers for every key, whoever owns it
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            for (int n = 0; n < 5; n++) {
                try (Jedis r = client(n)) {
                    for (String k : foreign) {
                        assertThat(r.get(k)).isEqualTo("value of " + k);
                    }
                }
            }
        });
    }

    @Test
    void blockingCommandsAndResp3RepliesCrossTheHopToo() throws Exception {
        List<String> foreign = keys("hop:", 2, false);
        String list = foreign.get(0);
        ExecutorService waiter = Executors.newSingleThreadExecutor();
        try (Jedis blocked = client(0); Jedis pusher = client(4)) {
            Future<List<String>> popped = waiter.submit(() -> blocked.blpop(10, list));
            // the pop is parked on the owner; a push through yet another node wakes it
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                pusher.rpush(list, "woken");
                return popped.isDone() || pusher.llen(list) > 1;
            });
            assertThat(popped.get(10, TimeUnit.SECONDS)).containsExactly(list, "woken");
        } finally {
            waiter.shutdownNow();
        }
        String hash = foreign.get(1);
        try (Jedis resp3 = new Jedis(new HostAndPort("127.0.0.1", cluster.respPort(0)),
                DefaultJedisClientConfig.builder().protocol(RedisProtocol.RESP3).password(PASSWORD).build())) {
            resp3.hset(hash, Map.of("a", "1", "b", "2"));
            assertThat(resp3.hgetAll(hash)).isEqualTo(Map.of("a", "1", "b", "2"));
            resp3.zadd(hash + ":z", 2.5, "m");
            assertThat(resp3.zscore(hash + ":z", "m")).isEqualTo(2.5);
        }
    }

    @Test
    void multiKeyCommandsOverManySlotsAreSplitAndRecombinedInOrder() {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            keys.add("split:" + i);
        }
        assertThat(keys.stream().filter(this::node0Owns)).as("some local keys").isNotEmpty();
        assertThat(keys.stream().filter(k -> !node0Owns(k))).as("some forwarded keys").isNotEmpty();
        try (Jedis j = client(0)) {
            List<String> kv = new ArrayList<>();
            for (String k : keys) {
                kv.add(k);
                kv.add("v" + k);
            }
            assertThat(j.mset(kv.toArray(new String[0]))).isEqualTo("OK");
            List<String> values = j.mget(keys.toArray(new String[0]));
            for (int i = 0; i < keys.size(); i++) {
                assertThat(values.get(i)).isEqualTo("v" + keys.get(i));
            }
            List<String> withMissing = new ArrayList<>(keys);
            withMissing.add(3, "split:missing");
            withMissing.add("split:0");
            List<String> got = j.mget(withMissing.toArray(new String[0]));
            assertThat(got.get(3)).isNull();
            assertThat(got.get(4)).isEqualTo("vsplit:3");
            assertThat(got.get(got.size() - 1)).isEqualTo("vsplit:0");

            assertThat(j.exists(withMissing.toArray(new String[0]))).isEqualTo(31); // split:0 twice, missing once
            assertThat(j.touch(keys.toArray(new String[0]))).isEqualTo(30);
            assertThat(j.del(keys.subList(0, 10).toArray(new String[0]))).isEqualTo(10);
            assertThat(j.unlink(keys.subList(5, 15).toArray(new String[0]))).isEqualTo(5);
            List<String> after = j.mget(keys.toArray(new String[0]));
            for (int i = 0; i < keys.size(); i++) {
                assertThat(after.get(i)).isEqualTo(i < 15 ? null : "v" + keys.get(i));
            }
        }
    }

    @Test
    void otherCommandsOverSeveralSlotsGetCrossSlotAsInRedisCluster() {
        String a = keys("cross:a", 1, true).get(0);
        String b = "cross:b";
        while (KeySlot.of(b.getBytes(StandardCharsets.UTF_8)) == KeySlot.of(a.getBytes(StandardCharsets.UTF_8))) {
            b = b + "x";
        }
        String crossSlot = "CROSSSLOT Keys in request don't hash to the same slot";
        try (Jedis j = client(0)) {
            j.set(a, "1");
            String other = b;
            assertThatThrownBy(() -> j.rename(a, other)).hasMessage(crossSlot);
            assertThatThrownBy(() -> j.sunionstore(a, other)).hasMessage(crossSlot);
            assertThat(j.get(a)).as("nothing ran").isEqualTo("1");

            // Keys of one command in two slots: refused when queued, and EXEC aborts.
            Transaction tx = j.multi();
            tx.set(a, "2");
            tx.mset(a, "3", other, "3");
            assertThatThrownBy(tx::exec).hasMessageStartingWith("EXECABORT");
            assertThat(j.get(a)).isEqualTo("1");

            // Each command on one slot, but two slots in the transaction: EXEC answers CROSSSLOT, nothing runs.
            tx = j.multi();
            tx.set(a, "4");
            tx.set(other, "4");
            assertThatThrownBy(tx::exec).hasMessage(crossSlot);
            assertThat(j.get(a)).isEqualTo("1");
            assertThat(j.get(other)).isNull();

            // Hash tags put keys in one slot: multi-key commands and transactions work, owned here or not.
            for (boolean owned : new boolean[] {true, false}) {
                int t = 0;
                while (node0Owns("{tag" + t + "}") != owned) {
                    t++;
                }
                String tag = "tag" + t;
                String k1 = "{" + tag + "}:1";
                String k2 = "{" + tag + "}:2";
                assertThat(node0Owns(k1)).isEqualTo(owned);
                tx = j.multi();
                tx.set(k1, "x");
                tx.incr(k2);
                tx.get(k1);
                List<Object> results = tx.exec();
                assertThat(results).containsExactly("OK", 1L, "x");
                assertThat(j.rename(k1, "{" + tag + "}:3")).isEqualTo("OK");
                assertThat(j.get("{" + tag + "}:3")).isEqualTo("x");
            }
        }
    }
}
