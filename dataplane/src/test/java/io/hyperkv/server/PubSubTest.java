package io.hyperkv.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.protocol.ProtocolVersion;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.BinaryJedisPubSub;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;

/**
 * Pub/sub through real clients and real sockets against the running node: Jedis (RESP2), Lettuce
 * (RESP2 and RESP3 push frames), a thousand raw subscriber sockets, and subscribers that never read
 * and must be cut by the output-buffer limit while the others keep receiving.
 */
@QuarkusTest
class PubSubTest {

    private static final Duration BOUND = Duration.ofSeconds(60);

    @Inject
    RespListener listener;
    @Inject
    NodeLifecycle node;

    private Jedis jedis() {
        return new Jedis("127.0.0.1", listener.port());
    }

    private RedisClient lettuce(ProtocolVersion protocol) {
        RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", listener.port()));
        client.setOptions(ClientOptions.builder().protocolVersion(protocol).build());
        return client;
    }

    /** A JedisPubSub that records every callback as text, in order. */
    static final class Recorder extends JedisPubSub {
        final BlockingQueue<String> events = new LinkedBlockingQueue<>();

        @Override
        public void onMessage(String channel, String message) {
            events.add("message " + channel + " " + message);
        }

        @Override
        public void onPMessage(String pattern, String channel, String message) {
            events.add("pmessage " + pattern + " " + channel + " " + message);
        }

        @Override
        public void onSubscribe(String channel, int count) {
            events.add("subscribe " + channel + " " + count);
        }

        @Override
        public void onUnsubscribe(String channel, int count) {
            events.add("unsubscribe " + channel + " " + count);
        }

        @Override
        public void onPSubscribe(String pattern, int count) {
            events.add("psubscribe " + pattern + " " + count);
        }

        @Override
        public void onPUnsubscribe(String pattern, int count) {
            events.add("punsubscribe " + pattern + " " + count);
        }

        String next() throws InterruptedException {
            String e = events.poll(30, TimeUnit.SECONDS);
            assertThat(e).as("a pub/sub event within 30 s").isNotNull();
            return e;
        }
    }

    @Test
    void jedisSubscriberGetsChannelAndPatternMessagesAndLeavesCleanly() throws Exception {
        Recorder rec = new Recorder();
        Thread subscriber = new Thread(() -> {
            try (Jedis j = jedis()) {
                j.subscribe(rec, "jp:news", "jp:other");
            }
        });
        subscriber.start();
        try (Jedis pub = jedis()) {
            assertThat(rec.next()).isEqualTo("subscribe jp:news 1");
            assertThat(rec.next()).isEqualTo("subscribe jp:other 2");
            rec.psubscribe("jp:n*");
            assertThat(rec.next()).isEqualTo("psubscribe jp:n* 3");

            assertThat(pub.publish("jp:news", "hello")).as("channel and pattern both count").isEqualTo(2);
            assertThat(rec.next()).isEqualTo("message jp:news hello");
            assertThat(rec.next()).isEqualTo("pmessage jp:n* jp:news hello");
            assertThat(pub.publish("jp:other", "x")).isEqualTo(1);
            assertThat(rec.next()).isEqualTo("message jp:other x");
            assertThat(pub.publish("jp:zzz", "x")).as("no channel, no matching pattern").isZero();
            assertThat(pub.publish("jp:nothing", "x")).as("the pattern alone").isEqualTo(1);
            assertThat(rec.next()).isEqualTo("pmessage jp:n* jp:nothing x");

            assertThat(pub.pubsubNumSub("jp:news", "jp:other", "jp:zzz"))
                    .containsExactlyInAnyOrderEntriesOf(Map.of("jp:news", 1L, "jp:other", 1L, "jp:zzz", 0L));
            assertThat(pub.pubsubNumPat()).isEqualTo(1);
            assertThat(pub.pubsubChannels("jp:*")).containsExactlyInAnyOrder("jp:news", "jp:other");

            rec.unsubscribe();
            assertThat(List.of(rec.next(), rec.next()))
                    .containsExactlyInAnyOrder("unsubscribe jp:news 2", "unsubscribe jp:other 1")
                    .doesNotContain("unsubscribe jp:news 1");
            rec.punsubscribe();
            assertThat(rec.next()).isEqualTo("punsubscribe jp:n* 0");
            subscriber.join(30_000);
            assertThat(subscriber.isAlive()).as("subscribe() returns once nothing is subscribed").isFalse();
            assertThat(pub.pubsubNumSub("jp:news")).containsEntry("jp:news", 0L);
            assertThat(pub.pubsubNumPat()).isZero();
            assertThat(pub.publish("jp:news", "gone")).isZero();
        } finally {
            if (rec.isSubscribed()) {
                rec.unsubscribe();
                rec.punsubscribe();
            }
            subscriber.join(30_000);
        }
    }

    @Test
    void lettuceResp3ReceivesPushFramesAndRunsCommandsWhileSubscribed() throws Exception {
        RedisClient client = lettuce(ProtocolVersion.RESP3);
        try (StatefulRedisPubSubConnection<String, String> sub = client.connectPubSub();
             Jedis pub = jedis()) {
            List<String> got = new CopyOnWriteArrayList<>();
            sub.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String channel, String message) {
                    got.add("message " + channel + " " + message);
                }

                @Override
                public void message(String pattern, String channel, String message) {
                    got.add("pmessage " + pattern + " " + channel + " " + message);
                }

                @Override
                public void smessage(String channel, String message) {
                    got.add("smessage " + channel + " " + message);
                }
            });
            sub.sync().subscribe("r3:ch");
            sub.sync().psubscribe("r3:*");
            sub.sync().ssubscribe("r3:shard");

            // RESP3: any command runs on a subscribed connection, and its replies are not confused with pushes
            assertThat(sub.sync().set("r3:key", "v")).isEqualTo("OK");
            assertThat(sub.sync().get("r3:key")).isEqualTo("v");
            String info = sub.sync().clientInfo();
            assertThat(info).contains("resp=3").contains("sub=1").contains("psub=1").contains("ssub=1").contains("flags=P");

            assertThat(pub.publish("r3:ch", "one")).isEqualTo(2);
            assertThat(sub.sync().spublish("r3:shard", "two")).as("a subscriber may publish to itself").isEqualTo(1);
            await().atMost(BOUND).until(() -> got.size() >= 3);
            assertThat(got).containsExactly("message r3:ch one", "pmessage r3:* r3:ch one", "smessage r3:shard two");
            assertThat(pub.pubsubShardNumSub("r3:shard")).containsEntry("r3:shard", 1L);
            assertThat(pub.pubsubShardChannels()).contains("r3:shard");

            sub.sync().unsubscribe();
            sub.sync().punsubscribe();
            sub.sync().sunsubscribe("r3:shard");
            assertThat(sub.sync().clientInfo()).contains("sub=0").contains("psub=0").contains("ssub=0").contains("flags=N");
        } finally {
            client.shutdown();
        }
    }

    @Test
    void lettuceResp2SubscriberReceives() {
        RedisClient client = lettuce(ProtocolVersion.RESP2);
        try (StatefulRedisPubSubConnection<String, String> sub = client.connectPubSub();
             Jedis pub = jedis()) {
            List<String> got = new CopyOnWriteArrayList<>();
            sub.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String channel, String message) {
                    got.add(channel + "=" + message);
                }
            });
            sub.sync().subscribe("r2:a", "r2:b");
            assertThat(pub.publish("r2:a", "1")).isEqualTo(1);
            assertThat(pub.publish("r2:b", "2")).isEqualTo(1);
            await().atMost(BOUND).until(() -> got.size() >= 2);
            assertThat(got).containsExactly("r2:a=1", "r2:b=2");
            sub.sync().unsubscribe("r2:a", "r2:b");
            assertThat(sub.sync().ping()).as("out of subscriber mode again").isEqualTo("PONG");
        } finally {
            client.shutdown();
        }
    }

    @Test
    void clientListInfoAndResetTellTheTruthAboutSubscriptions() throws Exception {
        try (RawRespSocket s = new RawRespSocket(listener.port()); Jedis admin = jedis()) {
            long id = Long.parseLong(((String) s.call("CLIENT", "ID")).substring(1));
            s.send("SUBSCRIBE", "cl:a", "cl:b");
            s.read();
            s.read();
            assertThat(s.call("PSUBSCRIBE", "cl:*")).isEqualTo(List.of("psubscribe", "cl:*", ":3"));
            String line = admin.clientList(id);
            assertThat(line).contains(" flags=P ").contains(" sub=2 psub=1 ssub=0 ");
            assertThat(new String((byte[]) admin.sendCommand(() -> "CLIENT".getBytes(), "LIST", "TYPE", "pubsub")))
                    .contains("id=" + id + " ");
            assertThat(new String((byte[]) admin.sendCommand(() -> "CLIENT".getBytes(), "LIST", "TYPE", "normal")))
                    .doesNotContain("id=" + id + " ");
            String stats = admin.info("stats");
            assertThat(stats).contains("pubsub_channels:2\r\n").contains("pubsub_patterns:1\r\n")
                    .contains("pubsubshard_channels:0\r\n");

            // RESET leaves every subscription and the subscriber mode
            assertThat(s.call("RESET")).isEqualTo("+RESET");
            assertThat(s.call("PING")).isEqualTo("+PONG");
            assertThat(admin.clientList(id)).contains(" flags=N ").contains(" sub=0 psub=0 ssub=0 ");
            assertThat(admin.info("stats")).contains("pubsub_channels:0\r\n").contains("pubsub_patterns:0\r\n");

            // a subscriber that goes away leaves the registry
            s.send("SUBSCRIBE", "cl:gone");
            s.read();
            assertThat(admin.pubsubNumSub("cl:gone")).containsEntry("cl:gone", 1L);
        }
        try (RawRespSocket victim = new RawRespSocket(listener.port()); Jedis admin = jedis()) {
            victim.call("SUBSCRIBE", "cl:victim");
            assertThat(admin.pubsubNumSub("cl:victim")).containsEntry("cl:victim", 1L);
            assertThat((Long) admin.sendCommand(() -> "CLIENT".getBytes(), "KILL", "TYPE", "pubsub")).isGreaterThanOrEqualTo(1L);
            org.assertj.core.api.Assertions.assertThatThrownBy(victim::read).isInstanceOf(IOException.class);
        }
        try (Jedis admin = jedis()) {
            await().atMost(BOUND).until(() -> admin.pubsubNumSub("cl:gone").get("cl:gone") == 0L);
        }
    }

    @Test
    void aThousandSubscribersAllReceiveEveryMessageInOrder() throws Exception {
        int subscribers = 1000;
        int messages = 20;
        List<RawRespSocket> sockets = new ArrayList<>();
        try (Jedis pub = jedis()) {
            for (int i = 0; i < subscribers; i++) {
                RawRespSocket s = new RawRespSocket(listener.port());
                sockets.add(s);
                // half by channel, half by pattern: both paths of the fan-out
                Object confirm = i % 2 == 0 ? s.call("SUBSCRIBE", "fanout") : s.call("PSUBSCRIBE", "fan*");
                assertThat(confirm).asString().contains("subscribe");
            }
            assertThat(pub.pubsubNumSub("fanout")).containsEntry("fanout", (long) subscribers / 2);
            for (int m = 0; m < messages; m++) {
                assertThat(pub.publish("fanout", "m" + m)).as("PUBLISH counts every receiver").isEqualTo(subscribers);
            }
            for (int i = 0; i < subscribers; i++) {
                RawRespSocket s = sockets.get(i);
                for (int m = 0; m < messages; m++) {
                    Object frame = s.read();
                    Object expected = i % 2 == 0 ? List.of("message", "fanout", "m" + m)
                            : List.of("pmessage", "fan*", "fanout", "m" + m);
                    assertThat(frame).as("subscriber %d message %d", i, m).isEqualTo(expected);
                }
            }
            System.out.println("pub/sub fan-out: " + subscribers + " subscriber sockets each received " + messages
                    + " messages in order");
        } finally {
            for (RawRespSocket s : sockets) {
                s.close();
            }
        }
    }

    @Test
    void aSubscriberThatNeverReadsIsCutAtTheHardLimitAndTheOthersKeepReceiving() throws Exception {
        PubSubHub hub = node.pubsub();
        AtomicLong fastReceived = new AtomicLong();
        BinaryJedisPubSub fastListener = new BinaryJedisPubSub() {
            @Override
            public void onMessage(byte[] channel, byte[] message) {
                fastReceived.incrementAndGet();
            }
        };
        Thread fast = new Thread(() -> {
            try (Jedis j = jedis()) {
                j.subscribe(fastListener, "flood".getBytes());
            }
        });
        try (Jedis pub = jedis(); RawRespSocket slow = new RawRespSocket(listener.port(), 4096)) {
            // Redis's default: pubsub 32mb hard, 8mb for 60 s soft
            pub.configSet("client-output-buffer-limit", "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60");
            long cutsBefore = disconnections(pub);
            fast.start();
            await().atMost(BOUND).until(() -> pub.pubsubNumSub("flood").get("flood") == 1L);
            long slowId = Long.parseLong(((String) slow.call("CLIENT", "ID")).substring(1));
            assertThat(slow.call("SUBSCRIBE", "flood")).isEqualTo(List.of("subscribe", "flood", ":1"));
            // from here on the slow subscriber never reads

            String payload = "x".repeat(64 * 1024);
            AtomicLong published = new AtomicLong();
            long[] maxOmem = new long[1];
            await().atMost(BOUND).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1)).until(() -> {
                // The reading subscriber is kept within 16 messages of the publisher: on a loaded
                // machine it could otherwise fall 32 MB behind and be cut too, as Redis would cut it.
                await().atMost(BOUND).pollInterval(Duration.ofMillis(1)).until(() -> fastReceived.get() == published.get());
                long receivers = 0;
                for (int i = 0; i < 16; i++) {
                    receivers = pub.publish("flood", payload);
                    published.incrementAndGet();
                }
                String line = pub.clientList(slowId);
                int at = line.indexOf(" omem=");
                if (at >= 0) {
                    maxOmem[0] = Math.max(maxOmem[0], Long.parseLong(line.substring(at + 6, line.indexOf(' ', at + 6))));
                }
                return receivers == 1; // the slow one has left the channel
            });
            long cutAt = hub.lastCutQueuedBytes();
            System.out.println("slow subscriber cut with " + cutAt + " bytes queued (hard limit 33554432 + the 16384 bytes"
                    + " Redis does not count); largest omem seen in CLIENT LIST: " + maxOmem[0] + "; "
                    + published.get() + " messages of 64 KiB published until then");
            assertThat(cutAt).isGreaterThanOrEqualTo(32L * 1024 * 1024)
                    .as("never more than one message beyond the limit").isLessThan(32L * 1024 * 1024 + 16384 + 2 * 65600);
            assertThat(disconnections(pub)).as("only the slow subscriber was cut").isEqualTo(cutsBefore + 1);
            assertThat(pub.clientList(slowId)).as("the slow client is gone").isEmpty();

            for (int i = 0; i < 100; i++) {
                assertThat(pub.publish("flood", "after")).isEqualTo(1);
                published.incrementAndGet();
            }
            await().atMost(BOUND).until(() -> fastReceived.get() == published.get());
        } finally {
            if (fastListener.isSubscribed()) {
                fastListener.unsubscribe();
            }
            fast.join(30_000);
        }
    }

    @Test
    void aSubscriberAboveTheSoftLimitForLongerThanItsSecondsIsCut() throws Exception {
        PubSubHub hub = node.pubsub();
        try (Jedis pub = jedis(); RawRespSocket slow = new RawRespSocket(listener.port(), 4096)) {
            pub.configSet("client-output-buffer-limit", "pubsub 0 512kb 1");
            assertThat(pub.configGet("client-output-buffer-limit"))
                    .containsEntry("client-output-buffer-limit", "normal 0 0 0 slave 268435456 67108864 60 pubsub 0 524288 1");
            long cutsBefore = disconnections(pub);
            assertThat(slow.call("SUBSCRIBE", "soft")).isEqualTo(List.of("subscribe", "soft", ":1"));
            String payload = "y".repeat(16 * 1024);
            long start = System.nanoTime();
            await().atMost(BOUND).pollInterval(Duration.ofMillis(50)).until(() -> {
                long receivers = 0;
                for (int i = 0; i < 64; i++) {
                    receivers = pub.publish("soft", payload);
                }
                return receivers == 0;
            });
            long afterMs = (System.nanoTime() - start) / 1_000_000;
            System.out.println("soft limit: subscriber cut " + afterMs + " ms after flooding began, with "
                    + hub.lastCutQueuedBytes() + " bytes queued (soft limit 524288 for 1 s, no hard limit)");
            assertThat(disconnections(pub)).isEqualTo(cutsBefore + 1);
            assertThat(hub.lastCutQueuedBytes()).isGreaterThanOrEqualTo(512 * 1024);
        } finally {
            try (Jedis j = jedis()) {
                j.configSet("client-output-buffer-limit", "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60");
            }
        }
    }

    @Test
    void keyspaceEventsReachJedisIncludingActiveExpiry() throws Exception {
        Recorder rec = new Recorder();
        Thread subscriber = new Thread(() -> {
            try (Jedis j = jedis()) {
                j.psubscribe(rec, "__keyevent@0__:*");
            }
        });
        try (Jedis j = jedis()) {
            j.configSet("notify-keyspace-events", "E$gx");
            assertThat(j.configGet("notify-keyspace-events")).containsEntry("notify-keyspace-events", "g$xE");
            subscriber.start();
            assertThat(rec.next()).isEqualTo("psubscribe __keyevent@0__:* 1");
            j.psetex("ke:short", 30, "v");
            assertThat(rec.next()).isEqualTo("pmessage __keyevent@0__:* __keyevent@0__:set ke:short");
            assertThat(rec.next()).isEqualTo("pmessage __keyevent@0__:* __keyevent@0__:expire ke:short");
            // nobody touches the key: the background expiry cycle must report it
            assertThat(rec.next()).isEqualTo("pmessage __keyevent@0__:* __keyevent@0__:expired ke:short");
            j.del("ke:none");
            j.set("ke:x", "1");
            j.del("ke:x");
            assertThat(rec.next()).isEqualTo("pmessage __keyevent@0__:* __keyevent@0__:set ke:x");
            assertThat(rec.next()).isEqualTo("pmessage __keyevent@0__:* __keyevent@0__:del ke:x");
        } finally {
            if (rec.isSubscribed()) {
                rec.punsubscribe();
            }
            subscriber.join(30_000);
            try (Jedis j = jedis()) {
                j.configSet("notify-keyspace-events", "");
            }
        }
    }

    private static long disconnections(Jedis j) {
        for (String line : j.info("stats").split("\r\n")) {
            if (line.startsWith("client_output_buffer_limit_disconnections:")) {
                return Long.parseLong(line.substring(line.indexOf(':') + 1));
            }
        }
        throw new AssertionError("INFO stats has no client_output_buffer_limit_disconnections");
    }
}
