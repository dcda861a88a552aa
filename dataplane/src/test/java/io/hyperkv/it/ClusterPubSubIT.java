package io.hyperkv.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.hyperkv.store.KeySlot;
import io.lettuce.core.RedisClient;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * Pub/sub across three real server processes with N=2, so every slot has exactly one node that does not own it:
 * PUBLISH on one node reaches the subscribers of every node exactly once and replies with the local count, as Redis
 * Cluster does; shard channels are served by their slot's owners only (others answer {@code -MOVED} to an owner,
 * channels of two slots get {@code -CROSSSLOT}), and SPUBLISH reaches the other owner's shard subscribers and nobody
 * else.
 */
class ClusterPubSubIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private static ClusterHarness cluster;
    private static final List<RedisClient> clients = new ArrayList<>();

    @BeforeAll
    static void startCluster() {
        cluster = ClusterHarness.start(3, Map.of("hyperkv.cluster.replication-factor", "2"));
        await().atMost(TIMEOUT).untilAsserted(() -> {
            for (int i = 0; i < 3; i++) {
                assertThat(cluster.admin(i, "GET", "/v1/node", null).body()).contains("\"epoch\":1");
            }
        });
    }

    @AfterAll
    static void stopCluster() {
        clients.forEach(RedisClient::shutdown);
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void publishOnOneNodeReachesTheSubscribersOfEveryNodeOnceAndCountsOnlyLocalOnes() {
        List<Subscriber> subs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Subscriber s = subscriber(i);
            s.connection.sync().subscribe("news");
            subs.add(s);
        }
        try (Jedis a = jedis(0)) {
            // Until every node's bus link is up a message may miss a peer (best effort, as Redis): publish until
            // the farthest subscriber hears one.
            await().atMost(TIMEOUT).until(() -> {
                assertThat(a.publish("news", "warm-up")).isEqualTo(1);
                return !subs.get(2).messages.isEmpty() && !subs.get(1).messages.isEmpty();
            });

            for (int i = 0; i < 20; i++) {
                assertThat(a.publish("news", "m" + i)).as("receivers on node 0 only").isEqualTo(1);
            }
        }
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            expected.add("message news m" + i);
        }
        // In order, and exactly once: no node sends a peer's message on again.
        await().during(Duration.ofSeconds(1)).atMost(TIMEOUT).untilAsserted(() -> {
            for (Subscriber s : subs) {
                assertThat(s.afterWarmUp()).containsExactlyElementsOf(expected);
            }
        });
        try (Jedis c = jedis(2)) {
            assertThat(c.pubsubNumSub("news")).containsEntry("news", 1L); // PUBSUB counts this node's clients only
        }
    }

    @Test
    void shardChannelsAreServedByTheirSlotsOwnersOnlyAndSpublishReachesTheOtherOwner() {
        String channel = "orders";
        int slot = KeySlot.of(channel.getBytes(StandardCharsets.UTF_8));
        List<Integer> owners = new ArrayList<>();
        int stranger = -1;
        String movedTo = null;
        for (int i = 0; i < 3; i++) {
            try (Jedis j = jedis(i)) {
                Object reply = spublish(j, channel, "probe");
                assertThat(reply).isEqualTo(0L);
                owners.add(i);
            } catch (JedisDataException e) {
                assertThat(e.getMessage()).startsWith("MOVED " + slot + " 127.0.0.1:");
                stranger = i;
                movedTo = e.getMessage();
            }
        }
        assertThat(owners).as("N=2 owners of slot %d", slot).hasSize(2);
        assertThat(stranger).isNotNegative();
        int first = owners.get(0);
        int second = owners.get(1);
        assertThat(movedTo).matches("MOVED " + slot + " 127.0.0.1:(" + cluster.respPort(first) + "|"
                + cluster.respPort(second) + ")");

        Subscriber onSecond = subscriber(second);
        onSecond.connection.sync().ssubscribe(channel);
        Subscriber onFirst = subscriber(first);
        onFirst.connection.sync().ssubscribe(channel);
        Subscriber plain = subscriber(stranger);
        plain.connection.sync().subscribe(channel); // a plain channel of the same name is another namespace
        try (Jedis j = jedis(stranger)) {
            assertThatThrownBy(() -> j.sendCommand(Protocol.Command.SSUBSCRIBE, channel))
                    .hasMessageStartingWith("MOVED " + slot + " ");
        }
        try (Jedis j = jedis(first)) {
            assertThatThrownBy(() -> j.sendCommand(Protocol.Command.SSUBSCRIBE, "orders", "invoices"))
                    .hasMessage("CROSSSLOT Keys in request don't hash to the same slot");
            await().atMost(TIMEOUT).until(() -> {
                assertThat(spublish(j, channel, "warm-up")).as("shard receivers on this node").isEqualTo(1L);
                return !onSecond.messages.isEmpty();
            });
            assertThat(spublish(j, channel, "shipped")).isEqualTo(1L);
            assertThat(j.sendCommand(Protocol.Command.PUBSUB, "SHARDNUMSUB", channel))
                    .asInstanceOf(InstanceOfAssertFactories.LIST).hasSize(2).last().isEqualTo(1L);
        }
        await().during(Duration.ofSeconds(1)).atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(onFirst.afterWarmUp()).containsExactly("smessage orders shipped");
            assertThat(onSecond.afterWarmUp()).containsExactly("smessage orders shipped");
        });
        assertThat(plain.messages).isEmpty();
    }

    private static Object spublish(Jedis j, String channel, String message) {
        return j.sendCommand(Protocol.Command.SPUBLISH, channel, message);
    }

    private static Jedis jedis(int node) {
        return new Jedis("127.0.0.1", cluster.respPort(node), 10_000);
    }

    private static Subscriber subscriber(int node) {
        RedisClient client = RedisClient.create("redis://127.0.0.1:" + cluster.respPort(node));
        clients.add(client);
        return new Subscriber(client.connectPubSub());
    }

    /** A Lettuce pub/sub connection recording "kind channel payload" for each message it receives. */
    private static final class Subscriber {
        final StatefulRedisPubSubConnection<String, String> connection;
        final List<String> messages = new CopyOnWriteArrayList<>();

        /** The messages other than the "warm-up" ones published until every bus link was up. */
        List<String> afterWarmUp() {
            return messages.stream().filter(m -> !m.endsWith(" warm-up")).toList();
        }

        Subscriber(StatefulRedisPubSubConnection<String, String> connection) {
            this.connection = connection;
            connection.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String channel, String message) {
                    messages.add("message " + channel + " " + message);
                }

                @Override
                public void smessage(String channel, String message) {
                    messages.add("smessage " + channel + " " + message);
                }
            });
        }
    }
}
