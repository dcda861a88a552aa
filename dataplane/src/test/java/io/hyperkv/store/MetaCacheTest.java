package io.hyperkv.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The META cache in front of RocksDB stays coherent with what RocksDB holds, through every write
 * path of {@link Keyspace} (single writes, TTL changes, Changes batches, collections, expiry,
 * flushes), under concurrency and eviction, and within its byte bound. Each test compares the
 * cached answer with a direct read of the engine.
 */
class MetaCacheTest {

    @TempDir
    Path dir;

    private final ManualTime time = new ManualTime();
    private Engine engine;
    private Keyspace ks;

    private Keyspace open(long cacheBytes) {
        engine = RocksDbEngine.open(EngineOptions.of(dir, Fsync.NO));
        ks = new Keyspace(engine, new TestClock(time, 1), 16, time, cacheBytes);
        return ks;
    }

    @AfterEach
    void close() {
        if (engine != null) {
            engine.close();
        }
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private void set(int db, String k, String v, long expireAt) {
        ks.setString(db, b(k), b(v), Encoding.ofString(b(v)), expireAt);
    }

    private Metadata onDisk(int db, String key) {
        byte[] raw = engine.get(ColumnFamily.META, KeyCodec.meta(db, b(key)));
        return raw == null ? null : Metadata.decode(raw);
    }

    private void assertCoherent(int db, String key) {
        assertThat(ks.readStored(db, b(key))).as("cached META of %s in db %d equals RocksDB's", key, db)
                .isEqualTo(onDisk(db, key));
    }

    private static String str(Metadata m) {
        return m == null ? null : new String(m.payload(), StandardCharsets.UTF_8);
    }

    @Test
    void aSecondReadIsServedFromTheCacheAndAbsentKeysAreCachedToo() {
        open(1 << 20);
        assertThat(ks.read(0, b("nope"))).isNull();
        assertThat(ks.read(0, b("nope"))).isNull();
        set(0, "k", "v1", 0);
        assertThat(str(ks.read(0, b("k")))).isEqualTo("v1");
        MetaCache.Stats stats = ks.metaCacheStats();
        assertThat(stats.misses()).as("the first read of 'nope' and the SET's pre-read of 'k' went to RocksDB").isEqualTo(2);
        assertThat(stats.hits()).as("the second read of 'nope' (a negative entry) and the GET after the SET").isEqualTo(2);

        // a negative entry is replaced by the write that creates the key
        set(0, "nope", "now here", 0);
        assertThat(str(ks.read(0, b("nope")))).isEqualTo("now here");
        assertCoherent(0, "nope");
    }

    @Test
    void passiveAndActiveExpiryLeaveNoStaleEntry() {
        open(1 << 20);
        long now = time.getAsLong();
        set(0, "passive", "v", now + 1000);
        set(0, "active", "v", now + 1000);
        set(0, "kept", "v", now + 5000);
        assertThat(ks.read(0, b("passive"))).isNotNull();
        assertThat(ks.read(0, b("active"))).isNotNull();
        time.advance(1000);

        assertThat(ks.read(0, b("passive"))).as("passive expiry on access").isNull();
        assertThat(onDisk(0, "passive")).isNull();
        assertCoherent(0, "passive");

        assertThat(ks.runCycle(100, Long.MAX_VALUE)).isEqualTo(1);
        assertThat(onDisk(0, "active")).isNull();
        assertThat(ks.readStored(0, b("active"))).as("active expiry removed the cached row too").isNull();
        assertCoherent(0, "kept");
        assertThat(ks.size(0)).isEqualTo(1);

        // TTL changes go through the batch path of apply(): the cache follows them
        assertThat(ks.setExpiry(0, b("kept"), 0)).isTrue();
        assertThat(ks.read(0, b("kept")).expireAt()).isZero();
        assertCoherent(0, "kept");
    }

    @Test
    void flushdbAndFlushallDropCachedRows() {
        open(1 << 20);
        set(0, "a", "0", 0);
        set(1, "a", "1", 0);
        set(2, "a", "2", 0);
        assertThat(str(ks.read(0, b("a")))).isEqualTo("0");
        assertThat(str(ks.read(1, b("a")))).isEqualTo("1");
        assertThat(str(ks.read(2, b("a")))).isEqualTo("2");

        ks.flush(1);
        assertThat(ks.read(1, b("a"))).isNull();
        assertThat(str(ks.read(0, b("a")))).isEqualTo("0");
        assertThat(str(ks.read(2, b("a")))).isEqualTo("2");

        ks.flushAll();
        for (int db = 0; db < 3; db++) {
            assertThat(ks.read(db, b("a"))).isNull();
            assertCoherent(db, "a");
        }
    }

    @Test
    void aFlushLeavesAnEmptyCacheThatFillsAgainAndStaysCoherent() {
        open(64L << 20);
        for (int i = 0; i < 5_000; i++) {
            set(0, "k" + i, "v" + i, 0);
            ks.read(0, b("k" + i));
        }
        assertThat(ks.metaCacheStats().entries()).isGreaterThanOrEqualTo(5_000);

        ks.flushAll();
        assertThat(ks.metaCacheStats().entries()).as("nothing cached right after the flush").isZero();
        assertThat(ks.metaCacheStats().bytes()).isZero();
        set(0, "k1", "after", 0);
        assertThat(str(ks.read(0, b("k1")))).isEqualTo("after");
        assertThat(ks.read(0, b("k2"))).isNull();
        assertThat(ks.metaCacheStats().entries()).as("the written key and the absent one").isEqualTo(2);
        assertCoherent(0, "k1");
        assertCoherent(0, "k2");
    }

    @Test
    void renameCopyAndMsetThroughChangesAreVisibleAtOnce() {
        open(1 << 20);
        set(0, "src", "value", time.getAsLong() + 60_000);
        set(0, "dst", "old", 0);
        assertThat(str(ks.read(0, b("dst")))).isEqualTo("old");

        try (KeyLocks.Held ignored = ks.lock(0, b("src"), b("dst"))) {
            ks.rename(0, b("src"), ks.read(0, b("src")), b("dst"));
        }
        assertThat(ks.read(0, b("src"))).isNull();
        assertThat(str(ks.read(0, b("dst")))).isEqualTo("value");
        assertThat(ks.read(0, b("dst")).expireAt()).isEqualTo(time.getAsLong() + 60_000);
        assertCoherent(0, "src");
        assertCoherent(0, "dst");

        assertThat(ks.read(5, b("copy"))).isNull();
        try (KeyLocks.Held ignored = ks.lock(new int[] {0, 5}, new byte[][] {b("dst"), b("copy")})) {
            ks.copy(0, b("dst"), ks.read(0, b("dst")), 5, b("copy"));
        }
        assertThat(str(ks.read(5, b("copy")))).isEqualTo("value");
        assertCoherent(5, "copy");

        // one batch staging the same key twice: the last staging wins, in RocksDB and in the cache
        try (KeyLocks.Held ignored = ks.lock(0, b("m1"), b("m2")); Keyspace.Changes changes = ks.changes()) {
            changes.putString(0, b("m1"), b("x"), Encoding.RAW, 0)
                    .putString(0, b("m2"), b("y"), Encoding.RAW, 0)
                    .putString(0, b("m1"), b("z"), Encoding.RAW, 0)
                    .commit();
        }
        assertThat(str(ks.read(0, b("m1")))).isEqualTo("z");
        assertThat(str(ks.read(0, b("m2")))).isEqualTo("y");
        assertCoherent(0, "m1");
        assertCoherent(0, "m2");
    }

    @Test
    void deletingOrReplacingACollectionUpdatesItsCachedRowAndDropsItsSubkeys() {
        open(1 << 20);
        Metadata hash = new Metadata(ValueType.HASH, Encoding.HASHTABLE, 9, ks.stamp(), 0, null, 1, null, null);
        ks.write(0, b("h"), hash);
        engine.put(ColumnFamily.SUB, KeyCodec.sub(0, b("h"), 9, b("f")), b("v"));
        assertThat(ks.read(0, b("h")).type()).isEqualTo(ValueType.HASH);

        try (KeyLocks.Held ignored = ks.lock(0, b("h")); Keyspace.Changes changes = ks.changes()) {
            changes.put(0, b("h"), null).commit();
        }
        assertThat(ks.read(0, b("h"))).isNull();
        assertThat(engine.get(ColumnFamily.SUB, KeyCodec.sub(0, b("h"), 9, b("f")))).isNull();
        assertCoherent(0, "h");

        ks.write(0, b("h"), hash);
        assertThat(ks.read(0, b("h")).type()).isEqualTo(ValueType.HASH);
        assertThat(ks.delete(0, b("h"))).isTrue();
        assertThat(ks.read(0, b("h"))).isNull();
        assertCoherent(0, "h");
        assertThat(ks.size(0)).isZero();
    }

    @Test
    void theCacheStaysWithinItsByteBoundAndEvictedKeysReadBackFromRocksDb() {
        long bound = 1 << 20;
        open(bound);
        String value = "v".repeat(100);
        int n = 20_000; // about 8 MB of entries by the cache's own estimate: eight times the bound
        for (int i = 0; i < n; i++) {
            set(0, "key" + i, value + i, 0);
            ks.read(0, b("key" + i));
        }
        MetaCache.Stats stats = ks.metaCacheStats();
        assertThat(stats.maxBytes()).isEqualTo(bound);
        assertThat(stats.bytes()).isPositive().isLessThanOrEqualTo(bound);
        assertThat(stats.entries()).isLessThan(n).isLessThanOrEqualTo(bound / MetaCache.ENTRY_OVERHEAD);
        for (int i = 0; i < n; i += 97) {
            assertThat(str(ks.read(0, b("key" + i)))).isEqualTo(value + i);
        }

        // a value too large for the cache is read from RocksDB every time, never cached
        String big = "x".repeat(64 * 1024);
        set(0, "big", big, 0);
        long missesBefore = ks.metaCacheStats().misses();
        assertThat(str(ks.read(0, b("big")))).isEqualTo(big);
        assertThat(str(ks.read(0, b("big")))).isEqualTo(big);
        assertThat(ks.metaCacheStats().misses() - missesBefore).isEqualTo(2);
        assertThat(ks.metaCacheStats().bytes()).isLessThanOrEqualTo(bound);
    }

    /**
     * Writers each own some keys and write ever larger counters to them through every write path
     * (SET, in-place update, TTL change, MSET-style batch of a pair, RENAME from a scratch key);
     * readers check that a read never returns a counter older than one already acknowledged, and
     * that the two keys of a pair, written in one batch, are never seen out of step. The cache is
     * small, so evictions and reloads race with the writes all along.
     */
    @Test
    void concurrentWritersAndReadersNeverSeeAStaleValue() throws Exception {
        open(16 * 1024); // room for about 60 of the 196 keys: constant eviction and reloads
        int writers = 4;
        int keysPerWriter = 16;
        int keyCount = writers * keysPerWriter;
        AtomicLongArray acknowledged = new AtomicLongArray(keyCount);
        for (int k = 0; k < keyCount; k++) {
            setCounter(k, 0);
            setPair(k, 0);
        }
        AtomicBoolean stop = new AtomicBoolean();
        ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
        ExecutorService pool = Executors.newFixedThreadPool(writers + 3);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> tasks = new ArrayList<>();
        try {
            for (int w = 0; w < writers; w++) {
                int writer = w;
                tasks.add(pool.submit(() -> {
                    go.await();
                    ThreadLocalRandom rnd = ThreadLocalRandom.current();
                    for (long c = 1; c <= 1500; c++) {
                        int k = writer * keysPerWriter + rnd.nextInt(keysPerWriter);
                        writeCounter(writer, k, c, rnd.nextInt(5));
                        acknowledged.set(k, c);
                    }
                    return null;
                }));
            }
            for (int r = 0; r < 3; r++) {
                tasks.add(pool.submit(() -> {
                    go.await();
                    ThreadLocalRandom rnd = ThreadLocalRandom.current();
                    while (!stop.get()) {
                        int k = rnd.nextInt(keyCount);
                        long floor = acknowledged.get(k);
                        long seen = counterOf(ks.read(0, b("c" + k)));
                        if (seen < floor) {
                            violations.add("c" + k + " read " + seen + " after " + floor + " was acknowledged");
                        }
                        boolean leftFirst = rnd.nextBoolean();
                        long first = counterOf(ks.read(0, b((leftFirst ? "pa" : "pb") + k)));
                        long second = counterOf(ks.read(0, b((leftFirst ? "pb" : "pa") + k)));
                        if (second < first) {
                            violations.add("pair " + k + " seen half-written: " + first + " then " + second);
                        }
                    }
                    return null;
                }));
            }
            go.countDown();
            for (int i = 0; i < writers; i++) {
                tasks.get(i).get(120, TimeUnit.SECONDS);
            }
        } finally {
            stop.set(true);
            pool.shutdown();
            assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
        }
        for (Future<?> t : tasks) {
            t.get(); // rethrows anything a task threw
        }
        assertThat(violations).isEmpty();
        assertThat(ks.metaCacheStats().misses()).as("the small cache evicted and reloaded").isGreaterThan(keyCount);
        for (int k = 0; k < keyCount; k++) {
            assertThat(counterOf(ks.read(0, b("c" + k)))).isEqualTo(acknowledged.get(k));
            assertCoherent(0, "c" + k);
            assertCoherent(0, "pa" + k);
            assertCoherent(0, "pb" + k);
            assertCoherent(0, "tmp" + (k / keysPerWriter));
        }
        assertThat(ks.size(0)).as("no scratch key is left, every counter and pair key is").isEqualTo(3L * keyCount);
    }

    private void writeCounter(int writer, int k, long c, int path) {
        byte[] key = b("c" + k);
        byte[] v = b(Long.toString(c));
        switch (path) {
            case 0 -> setCounter(k, c);
            case 1 -> {
                try (KeyLocks.Held ignored = ks.lock(0, key)) {
                    ks.updateString(0, key, ks.read(0, key), v, Encoding.INT);
                }
            }
            case 2 -> {
                // a TTL change and back: both through apply()'s batch path, the second with the new value
                try (KeyLocks.Held ignored = ks.lock(0, key)) {
                    ks.setExpiry(0, key, time.getAsLong() + 3_600_000);
                    ks.setString(0, key, v, Encoding.INT, 0);
                }
            }
            case 3 -> {
                byte[] tmp = b("tmp" + writer);
                try (KeyLocks.Held ignored = ks.lock(0, tmp, key)) {
                    ks.setString(0, tmp, v, Encoding.INT, 0);
                    ks.rename(0, tmp, ks.read(0, tmp), key);
                }
            }
            default -> setCounter(k, c);
        }
        setPair(k, c);
    }

    private void setCounter(int k, long c) {
        ks.setString(0, b("c" + k), b(Long.toString(c)), Encoding.INT, 0);
    }

    private void setPair(int k, long c) {
        byte[] a = b("pa" + k);
        byte[] bb = b("pb" + k);
        byte[] v = b(Long.toString(c));
        try (KeyLocks.Held ignored = ks.lock(0, a, bb); Keyspace.Changes changes = ks.changes()) {
            changes.putString(0, a, v, Encoding.INT, 0).putString(0, bb, v, Encoding.INT, 0).commit();
        }
    }

    private static long counterOf(Metadata m) {
        return m == null ? -1 : Long.parseLong(new String(m.payload(), StandardCharsets.UTF_8));
    }
}
