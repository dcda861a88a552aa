package io.hyperkv.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writes deferred to the end of a burst ({@link Keyspace#deferWrites}) on a real RocksDB: the key stays locked until
 * its batch is written, a thread retaining locks hands them over instead of deadlocking, the writing thread reads its
 * own writes, and under {@code appendfsync always} nothing acknowledged is lost to SIGKILL.
 */
class DeferredWritesTest {

    @TempDir
    Path dir;

    private final ManualTime time = new ManualTime();
    private RocksDbEngine engine;
    private Keyspace ks;
    /** Two "event loops": a scope belongs to the thread that opened it. */
    private final ExecutorService loopA = Executors.newSingleThreadExecutor();
    private final ExecutorService loopB = Executors.newSingleThreadExecutor();

    @BeforeEach
    void open() {
        engine = RocksDbEngine.open(EngineOptions.of(dir, Fsync.NO));
        ks = new Keyspace(engine, new TestClock(time, 1), 16, time);
    }

    @AfterEach
    void close() {
        loopA.shutdownNow();
        loopB.shutdownNow();
        engine.close();
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private <T> T on(ExecutorService loop, java.util.concurrent.Callable<T> task) throws Exception {
        return loop.submit(task).get(30, TimeUnit.SECONDS);
    }

    private String stored(String key) {
        byte[] raw = engine.get(ColumnFamily.META, KeyCodec.meta(0, b(key)));
        return raw == null ? null : new String(Metadata.decode(raw).payload(), StandardCharsets.UTF_8);
    }

    private void set(String key, String value) {
        ks.setString(0, b(key), b(value), Encoding.RAW, 0);
    }

    @Test
    void anOverwriteStaysLockedAndUnwrittenUntilItsScopeEnds() throws Exception {
        set("k", "1");
        on(loopA, () -> {
            ks.deferWrites();
            set("k", "2");
            return null;
        });
        // deferred: the engine still holds the old value, the cache (what GET reads) the new one
        assertThat(stored("k")).isEqualTo("1");
        assertThat(new String(ks.read(0, b("k")).payload(), StandardCharsets.UTF_8)).isEqualTo("2");
        // another thread that locks the key waits for the batch, then reads the new value from the engine
        CompletableFuture<String> other = CompletableFuture.supplyAsync(() -> {
            try (KeyLocks.Held ignored = ks.lock(0, b("k"))) {
                return stored("k");
            }
        }, loopB);
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(5)).until(() -> !other.isDone());
        assertThat(on(loopA, ks::endDeferredWrites)).isTrue();
        assertThat(other.get(10, TimeUnit.SECONDS)).isEqualTo("2");
        assertThat(on(loopA, () -> ks.locks().retainedCount())).isZero();
    }

    @Test
    void theWritingThreadReadsItsOwnDeferredWritesFromTheEngine() throws Exception {
        set("k", "1");
        String seen = on(loopA, () -> {
            ks.deferWrites();
            set("k", "2");
            // a point read of this thread reads through the open batch; any other engine operation commits it first
            String s = stored("k");
            ks.endDeferredWrites();
            return s;
        });
        assertThat(seen).isEqualTo("2");
    }

    @Test
    void aLoopNeedingAKeyAnotherLoopWaitsOnHandsItsOwnKeysOverInsteadOfDeadlocking() throws Exception {
        set("a", "1");
        set("b", "1");
        on(loopA, () -> {
            ks.deferWrites();
            set("a", "2"); // A retains a's stripe
            return null;
        });
        // B takes b and then waits for a (retained by A)
        CompletableFuture<String> b = CompletableFuture.supplyAsync(() -> {
            try (KeyLocks.Held hb = ks.lock(0, b("b"))) {
                try (KeyLocks.Held ha = ks.lock(0, b("a"))) {
                    set("b", "from-b");
                    return stored("a");
                }
            }
        }, loopB);
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(5)).until(() -> !b.isDone());
        // A now needs b: it commits its batch (releasing a), then waits for B
        String aSawB = on(loopA, () -> {
            set("b", "from-a");
            String s = new String(ks.read(0, b("b")).payload(), StandardCharsets.UTF_8);
            ks.endDeferredWrites();
            return s;
        });
        assertThat(b.get(10, TimeUnit.SECONDS)).isEqualTo("2");
        assertThat(aSawB).isEqualTo("from-a");
        assertThat(stored("b")).isEqualTo("from-a");
    }

    @Test
    void concurrentIncrementsFromTwoLoopsInBurstsAllCount() throws Exception {
        set("n", "0");
        int bursts = 300;
        int perBurst = 16;
        Runnable loop = () -> {
            for (int i = 0; i < bursts; i++) {
                ks.deferWrites();
                try {
                    for (int j = 0; j < perBurst; j++) {
                        try (KeyLocks.Held ignored = ks.lock(0, b("n"))) {
                            Metadata live = ks.read(0, b("n"));
                            long next = Long.parseLong(new String(live.payload(), StandardCharsets.US_ASCII)) + 1;
                            ks.increment(0, b("n"), live, 1, next);
                        }
                        // a neighbour key on the same burst, so batches hold several stripes
                        set("x" + (j % 4), Integer.toString(i));
                    }
                } finally {
                    ks.endDeferredWrites();
                }
            }
        };
        CompletableFuture<Void> a = CompletableFuture.runAsync(loop, loopA);
        CompletableFuture<Void> c = CompletableFuture.runAsync(loop, loopB);
        CompletableFuture.allOf(a, c).get(60, TimeUnit.SECONDS);
        assertThat(stored("n")).isEqualTo(Long.toString(2L * bursts * perBurst));
        assertThat(new String(ks.read(0, b("n")).payload(), StandardCharsets.US_ASCII))
                .isEqualTo(Long.toString(2L * bursts * perBurst));
    }

    @Test
    void underAppendfsyncAlwaysEveryAcknowledgedBurstSurvivesSigkill() throws Exception {
        engine.close();
        Path data = dir.resolve("crash");
        long last = KilledWriter.runUntilKilled(DeferredCrashWriter.class, data, "always", 300);
        engine = RocksDbEngine.open(EngineOptions.of(data, Fsync.NO));
        Keyspace reopened = new Keyspace(engine, new TestClock(time, 1), 16, time);
        for (int k = 0; k < DeferredCrashWriter.KEYS; k++) {
            Metadata m = reopened.readStored(0, DeferredCrashWriter.key(k));
            assertThat(m).as("key %d", k).isNotNull();
            // every key is overwritten in every burst: its value is at least the last acknowledged burst
            assertThat(Long.parseLong(new String(m.payload(), StandardCharsets.US_ASCII))).as("key %d", k)
                    .isGreaterThanOrEqualTo(last);
        }
    }
}
