package io.hyperkv.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The registry alone, with recording stand-ins for connections. */
class PubSubHubTest {

    private final PubSubHub hub = new PubSubHub();

    static final class Recorder implements PubSubHub.Subscriber {
        final List<String> got = new ArrayList<>();
        final int protocol;

        Recorder(int protocol) {
            this.protocol = protocol;
        }

        @Override
        public synchronized void deliver(PubSubHub.Message m) {
            got.add(new String(m.encoded(protocol), StandardCharsets.UTF_8).replace("\r\n", " ").strip());
        }
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A connection's side as {@code Connection} does it: leaves the moved channel and records the notice. */
    static final class Leaver implements PubSubHub.Subscriber {
        final Recorder recorder;
        Subscriptions subscriptions;

        Leaver(int protocol) {
            this.recorder = new Recorder(protocol);
        }

        @Override
        public void deliver(PubSubHub.Message m) {
            recorder.deliver(m);
        }

        @Override
        public void shardChannelGone(byte[] channel) {
            PubSubHub.Message notice = subscriptions.leaveMovedShardChannel(channel);
            if (notice != null) {
                deliver(notice);
            }
        }
    }

    @Test
    void shardChannelsOfSlotsThatMovedAwayAreLeftWithASunsubscribeNoticeAndTheOthersKept() {
        Leaver r2 = new Leaver(2);
        r2.subscriptions = new Subscriptions(hub, r2);
        Leaver r3 = new Leaver(3);
        r3.subscriptions = new Subscriptions(hub, r3);
        int moved = io.hyperkv.store.KeySlot.of(b("orders"));
        assertThat(io.hyperkv.store.KeySlot.of(b("invoices"))).isNotEqualTo(moved);
        r2.subscriptions.subscribe(PubSubHub.Kind.SHARD, b("orders"));
        r2.subscriptions.subscribe(PubSubHub.Kind.SHARD, b("{orders}.eu"));
        r2.subscriptions.subscribe(PubSubHub.Kind.SHARD, b("invoices"));
        r2.subscriptions.subscribe(PubSubHub.Kind.CHANNEL, b("orders"));
        r3.subscriptions.subscribe(PubSubHub.Kind.SHARD, b("orders"));

        assertThat(hub.shardChannelsGone(slot -> slot == moved)).isEqualTo(2);

        // one notice per channel left, each with the shard subscriptions still held after it (in either order)
        assertThat(r2.recorder.got).extracting(n -> n.replaceAll(" :\\d+$", ""))
                .containsExactlyInAnyOrder("*3 $12 sunsubscribe $6 orders", "*3 $12 sunsubscribe $11 {orders}.eu");
        assertThat(r2.recorder.got).extracting(n -> n.substring(n.lastIndexOf(' ') + 1)).containsExactly(":2", ":1");
        assertThat(r3.recorder.got).containsExactly(">3 $12 sunsubscribe $6 orders :0");
        assertThat(r2.subscriptions.shards()).isEqualTo(1);
        assertThat(r2.subscriptions.channels()).as("a plain channel of the same name stays").isEqualTo(1);
        assertThat(hub.subscribers(PubSubHub.Kind.SHARD, b("orders"))).isZero();
        assertThat(hub.spublish(b("invoices"), b("x"))).isEqualTo(1);
        assertThat(hub.shardChannelsGone(slot -> slot == moved)).as("nothing left to leave").isZero();
    }

    @Test
    void publishCountsChannelAndPatternDeliveriesAndEncodesPerProtocol() {
        Recorder r2 = new Recorder(2);
        Recorder r3 = new Recorder(3);
        hub.add(PubSubHub.Kind.CHANNEL, b("news"), r2);
        hub.add(PubSubHub.Kind.PATTERN, b("n*"), r2);
        hub.add(PubSubHub.Kind.PATTERN, b("n*"), r3);
        hub.add(PubSubHub.Kind.SHARD, b("news"), r3);
        assertThat(hub.publish(b("news"), b("hi"))).isEqualTo(3);
        assertThat(hub.spublish(b("news"), b("s"))).isEqualTo(1);
        assertThat(r2.got).containsExactly("*3 $7 message $4 news $2 hi", "*4 $8 pmessage $2 n* $4 news $2 hi");
        assertThat(r3.got).containsExactly(">4 $8 pmessage $2 n* $4 news $2 hi", ">3 $8 smessage $4 news $1 s");
        assertThat(hub.patternCount()).as("distinct patterns").isEqualTo(1);
        assertThat(hub.subscribers(PubSubHub.Kind.CHANNEL, b("news"))).isEqualTo(1);
        assertThat(hub.channelCount(PubSubHub.Kind.SHARD)).isEqualTo(1);

        hub.remove(PubSubHub.Kind.PATTERN, b("n*"), r2);
        hub.remove(PubSubHub.Kind.PATTERN, b("n*"), r3);
        hub.remove(PubSubHub.Kind.CHANNEL, b("news"), r2);
        hub.remove(PubSubHub.Kind.SHARD, b("news"), r3);
        assertThat(hub.publish(b("news"), b("x"))).isZero();
        assertThat(hub.patternCount()).isZero();
        assertThat(hub.channels(PubSubHub.Kind.CHANNEL, null)).as("empty channels leave the registry").isEmpty();
    }

    @Test
    void concurrentSubscribersOnOneChannelAreAllKept() throws Exception {
        int threads = 8;
        int perThread = 500;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        List<Recorder> all = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            List<Recorder> mine = new ArrayList<>();
            for (int i = 0; i < perThread; i++) {
                mine.add(new Recorder(2));
            }
            all.addAll(mine);
            pool.submit(() -> {
                start.await();
                for (Recorder r : mine) {
                    hub.add(PubSubHub.Kind.CHANNEL, b("busy"), r);
                    hub.add(PubSubHub.Kind.PATTERN, b("b*"), r);
                }
                return null;
            });
        }
        start.countDown();
        pool.shutdown();
        assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
        assertThat(hub.subscribers(PubSubHub.Kind.CHANNEL, b("busy"))).isEqualTo(threads * perThread);
        assertThat(hub.publish(b("busy"), b("m"))).isEqualTo(2L * threads * perThread);
        for (Recorder r : all) {
            assertThat(r.got).hasSize(2);
        }
    }
}
