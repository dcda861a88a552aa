package io.hyperkv.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hyperkv.crdt.Bytes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Collection writes in a deferred-write scope ({@link Keyspace#deferWrites}) on a real RocksDB, as an event loop
 * answering a pipeline makes them: the rows and META reach the engine only when the scope's batch is written, the key
 * stays locked until then, the writing thread reads its own rows through the open batch, concurrent loops lose no
 * write, and under {@code appendfsync always} nothing acknowledged is lost to SIGKILL. Also: an HSET that leaves a
 * hash as it was writes nothing on a single node, yet counts as a modification.
 */
class CollectionDeferredWritesTest {

    @TempDir
    Path dir;

    private final ManualTime time = new ManualTime();
    private RocksDbEngine engine;
    private Keyspace ks;
    private HashStore hashes;
    private SetStore sets;
    private ZSetStore zsets;
    private ListStore lists;
    private final ExecutorService loopA = Executors.newSingleThreadExecutor();
    private final ExecutorService loopB = Executors.newSingleThreadExecutor();

    @BeforeEach
    void open() {
        engine = RocksDbEngine.open(EngineOptions.of(dir, Fsync.NO));
        stores();
    }

    private void stores() {
        ks = new Keyspace(engine, new TestClock(time, 1), 16, time);
        hashes = new HashStore(ks);
        sets = new SetStore(ks);
        zsets = new ZSetStore(ks);
        lists = new ListStore(ks);
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

    private static String s(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    private <T> T on(ExecutorService loop, Callable<T> task) throws Exception {
        return loop.submit(task).get(30, TimeUnit.SECONDS);
    }

    private int hset(String key, String field, String value) {
        try (KeyLocks.Held ignored = ks.lock(0, b(key))) {
            return hashes.put(0, b(key), ks.read(0, b(key)), Map.of(Bytes.of(b(field)), Bytes.of(b(value))), 1);
        }
    }

    private String hget(String key, String field) {
        try (KeyLocks.Held ignored = ks.lock(0, b(key))) {
            Metadata m = ks.read(0, b(key));
            return m == null ? null : s(hashes.get(0, b(key), m, b(field)));
        }
    }

    private int sadd(String key, String... members) {
        List<byte[]> ms = new ArrayList<>();
        for (String m : members) {
            ms.add(b(m));
        }
        try (KeyLocks.Held ignored = ks.lock(0, b(key))) {
            return sets.add(0, b(key), ks.read(0, b(key)), ms);
        }
    }

    private int srem(String key, String member) {
        try (KeyLocks.Held ignored = ks.lock(0, b(key))) {
            Metadata m = ks.read(0, b(key));
            return sets.remove(0, b(key), m, List.of(b(member)));
        }
    }

    private boolean sismember(String key, String member) {
        Metadata m = ks.read(0, b(key));
        return m != null && sets.contains(0, b(key), m, b(member));
    }

    private void zadd(String key, String member, double score) {
        try (KeyLocks.Held ignored = ks.lock(0, b(key))) {
            ZSetStore.Edit edit = zsets.edit(0, b(key), ks.read(0, b(key)));
            edit.put(b(member), score);
            edit.commit();
        }
    }

    /** The hash field's value as RocksDB itself holds it, read by a thread with no scope open. */
    private String storedField(String key, String field) throws io.hyperkv.crdt.CodecException {
        byte[] raw = engine.get(ColumnFamily.META, KeyCodec.meta(0, b(key)));
        if (raw == null) {
            return null;
        }
        byte[] row = engine.get(ColumnFamily.SUB, KeyCodec.sub(0, b(key), Metadata.decode(raw).version(), b(field)));
        return row == null ? null
                : io.hyperkv.crdt.RegisterValue.resolve(io.hyperkv.crdt.ElementCodec.decodeField(row))
                        .map(v -> new String(v.bytes().toByteArray(), StandardCharsets.UTF_8)).orElse(null);
    }

    @Test
    void aCollectionWriteStaysLockedAndUnwrittenUntilItsScopeEnds() throws Exception {
        hset("h", "f", "1");
        on(loopA, () -> {
            ks.deferWrites();
            hset("h", "f", "2");
            return null;
        });
        // deferred: RocksDB still holds the old row, the writing thread reads the new one through the open batch
        assertThat(storedField("h", "f")).isEqualTo("1");
        assertThat(on(loopA, () -> hget("h", "f"))).isEqualTo("2");
        CompletableFuture<String> other = CompletableFuture.supplyAsync(() -> {
            try (KeyLocks.Held ignored = ks.lock(0, b("h"))) {
                return storedField("h", "f");
            } catch (io.hyperkv.crdt.CodecException e) {
                throw new IllegalStateException(e);
            }
        }, loopB);
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(5)).until(() -> !other.isDone());
        assertThat(on(loopA, ks::endDeferredWrites)).isTrue();
        assertThat(other.get(10, TimeUnit.SECONDS)).isEqualTo("2");
        assertThat(on(loopA, () -> ks.locks().retainedCount())).isZero();
    }

    @Test
    void anotherThreadNeverSeesTheNewMetaBeforeItsRows() throws Exception {
        sadd("s", "a");
        on(loopA, () -> {
            ks.deferWrites();
            sadd("s", "b");
            sadd("t", "x"); // a new key too
            return null;
        });
        // a lock-free read of another thread must not find SCARD 2 while RocksDB has no row b (nor t's row while
        // t's META says it exists): it waits for the batch instead
        CompletableFuture<Object[]> reader = CompletableFuture.supplyAsync(() -> {
            Metadata s = ks.read(0, b("s"));
            Metadata t = ks.read(0, b("t"));
            return new Object[] {s.size(), sets.contains(0, b("s"), s, b("b")), t != null && sets.contains(0, b("t"), t, b("x"))};
        });
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(5)).until(() -> !reader.isDone());
        assertThat(on(loopA, () -> (int) ks.read(0, b("s")).size())).isEqualTo(2);
        assertThat(on(loopA, ks::endDeferredWrites)).isTrue();
        assertThat(reader.get(10, TimeUnit.SECONDS)).containsExactly(2L, true, true);
    }

    @Test
    void aBurstOfWritesToOneKeyReadsItsOwnRows() throws Exception {
        List<Object> seen = on(loopA, () -> {
            List<Object> out = new ArrayList<>();
            ks.deferWrites();
            try {
                out.add(sadd("s", "a", "b"));
                out.add(sadd("s", "a"));       // present: read through the batch
                out.add(srem("s", "b"));
                out.add(srem("s", "b"));       // gone: the delete is seen through the batch
                out.add(sismember("s", "a"));
                out.add(hset("h", "f", "1"));
                out.add(hset("h", "f", "2"));
                out.add(hget("h", "f"));
                zadd("z", "m", 1);
                zadd("z", "m", 5);
                out.add(zsets.score(0, b("z"), ks.read(0, b("z")), b("m")));
                out.add(lists.push(0, b("l"), List.of(b("x"), b("y")), true, false).length());
                out.add(lists.pop(0, b("l"), 1, true).values().stream().map(CollectionDeferredWritesTest::s).toList());
            } finally {
                ks.endDeferredWrites();
            }
            return out;
        });
        assertThat(seen).containsExactly(2, 0, 1, 0, true, 1, 0, "2", 5.0, 2L, List.of("y"));
        // and RocksDB holds the same once the scope ended, as a fresh keyspace over it reads
        stores();
        assertThat(sismember("s", "a")).isTrue();
        assertThat(sismember("s", "b")).isFalse();
        assertThat(ks.read(0, b("s")).size()).isEqualTo(1);
        assertThat(hget("h", "f")).isEqualTo("2");
        assertThat(zsets.score(0, b("z"), ks.read(0, b("z")), b("m"))).isEqualTo(5.0);
        assertThat(zsets.all(0, b("z"), ks.read(0, b("z")))).hasSize(1);
        assertThat(lists.range(0, b("l"), 0, -1)).map(CollectionDeferredWritesTest::s).containsExactly("x");
    }

    @Test
    void concurrentIncrementsOfOneFieldFromTwoLoopsInBurstsAllCount() throws Exception {
        int bursts = 200;
        int perBurst = 16;
        Runnable loop = () -> {
            for (int i = 0; i < bursts; i++) {
                ks.deferWrites();
                try {
                    for (int j = 0; j < perBurst; j++) {
                        try (KeyLocks.Held ignored = ks.lock(0, b("h"))) {
                            hashes.increment(0, b("h"), ks.read(0, b("h")), b("n"), 1);
                        }
                        // other keys in the same burst, so batches hold several stripes
                        sadd("s" + (j % 4), Integer.toString(i));
                    }
                } finally {
                    ks.endDeferredWrites();
                }
            }
        };
        CompletableFuture<Void> a = CompletableFuture.runAsync(loop, loopA);
        CompletableFuture<Void> c = CompletableFuture.runAsync(loop, loopB);
        CompletableFuture.allOf(a, c).get(120, TimeUnit.SECONDS);
        assertThat(hget("h", "n")).isEqualTo(Long.toString(2L * bursts * perBurst));
        assertThat(storedField("h", "n")).isEqualTo(Long.toString(2L * bursts * perBurst));
        stores();
        for (int k = 0; k < 4; k++) {
            assertThat(ks.read(0, b("s" + k)).size()).isEqualTo(bursts);
        }
    }

    @Test
    void anHsetOfTheValuesAHashHoldsWritesNothingButCountsAsAModification() {
        hset("h", "f", "v");
        AtomicInteger modified = new AtomicInteger();
        ks.listen(new KeyEvents() {
            @Override
            public void modified(int db, byte[] key) {
                modified.incrementAndGet();
            }
        });
        Metadata before = ks.read(0, b("h"));
        long dirty = ks.stats().dirty();
        assertThat(hset("h", "f", "v")).isZero();
        assertThat(ks.read(0, b("h"))).isSameAs(before);
        assertThat(modified).hasValue(1);
        assertThat(ks.stats().dirty()).isEqualTo(dirty + 1);
        // another value is a write
        assertThat(hset("h", "f", "w")).isZero();
        assertThat(ks.read(0, b("h"))).isNotSameAs(before);
        assertThat(hget("h", "f")).isEqualTo("w");
        assertThat(modified).hasValue(2);
    }

    @Test
    void underAppendfsyncAlwaysEveryAcknowledgedBurstSurvivesSigkill() throws Exception {
        engine.close();
        Path data = dir.resolve("crash");
        long last = KilledWriter.runUntilKilled(DeferredCollectionCrashWriter.class, data, "always", 300);
        engine = RocksDbEngine.open(EngineOptions.of(data, Fsync.NO));
        stores();
        for (int f = 0; f < DeferredCollectionCrashWriter.FIELDS; f++) {
            String v = hget("h", "f" + f);
            assertThat(v).as("field %d", f).isNotNull();
            // every field is overwritten in every burst: its value is at least the last acknowledged burst
            assertThat(Long.parseLong(v)).as("field %d", f).isGreaterThanOrEqualTo(last);
        }
        for (long burst = 0; burst <= last; burst++) {
            assertThat(sismember("s", Long.toString(burst))).as("member %d", burst).isTrue();
        }
        assertThat(lists.length(0, b("l"))).isGreaterThanOrEqualTo(last + 1);
        assertThat(ks.read(0, b("s")).size()).isGreaterThanOrEqualTo(last + 1);
    }
}
