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
