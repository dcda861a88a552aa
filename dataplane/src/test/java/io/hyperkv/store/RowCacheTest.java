package io.hyperkv.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The element-row cache alone (a map stands in for the engine), then in front of a real RocksDB. */
class RowCacheTest {

    @TempDir
    Path dir;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A stand-in engine that counts its reads. */
    private static final class Store implements RowCache.Loader {
        final Map<String, byte[]> rows = new ConcurrentHashMap<>();
        final AtomicInteger reads = new AtomicInteger();

        @Override
        public byte[] load(byte[] key) {
            reads.incrementAndGet();
            return rows.get(new String(key, StandardCharsets.UTF_8));
        }
    }

    @Test
    void aRowIsLoadedOnceThenServedFromTheCacheAndSoIsAnAbsentRow() {
        RowCache cache = new RowCache(1 << 20);
        Store store = new Store();
        store.rows.put("a", b("1"));
        assertThat(cache.get(b("a"), store)).isEqualTo(b("1"));
        assertThat(cache.get(b("a"), store)).isEqualTo(b("1"));
        assertThat(cache.get(b("missing"), store)).isNull();
        assertThat(cache.get(b("missing"), store)).isNull();
        assertThat(store.reads).hasValue(2);
        assertThat(cache.stats().hits()).isEqualTo(2);
        assertThat(cache.stats().misses()).isEqualTo(2);
    }

    @Test
    void aPublishedWriteReplacesTheCachedRowAndADeleteCachesItsAbsence() {
        RowCache cache = new RowCache(1 << 20);
        Store store = new Store();
        store.rows.put("a", b("1"));
        cache.get(b("a"), store);
        store.rows.put("a", b("2"));
        cache.written(b("a"), b("2"));
        assertThat(cache.get(b("a"), store)).isEqualTo(b("2"));
        store.rows.remove("a");
        cache.written(b("a"), null);
        assertThat(cache.get(b("a"), store)).isNull();
        assertThat(store.reads).hasValue(1);
    }

    @Test
    void aLoadThatRacedWithAWriteIsReturnedButDoesNotReplaceThePublishedRow() {
        RowCache cache = new RowCache(1 << 20);
        Store store = new Store();
        store.rows.put("a", b("old"));
        // the loader reads the old row, then a writer writes and publishes before the load is cached
        byte[] loaded = cache.get(b("a"), key -> {
            byte[] old = store.load(key);
            store.rows.put("a", b("new"));
            cache.written(b("a"), b("new"));
            return old;
        });
        assertThat(loaded).isEqualTo(b("old"));
        assertThat(cache.get(b("a"), store)).isEqualTo(b("new"));
    }

    @Test
    void aLoadThatRacedWithAWriteIsNotCachedEvenWhenThePublishedRowIsGone() {
        RowCache cache = new RowCache(1 << 20);
        Store store = new Store();
        store.rows.put("a", b("old"));
        byte[] big = new byte[8192];
        // the row the writer publishes is too big to cache, so the entry is dropped (as eviction could drop it):
        // the old row the reader loaded must not take its place
        byte[] loaded = cache.get(b("a"), key -> {
            byte[] old = store.load(key);
            store.rows.put("a", big);
            cache.written(b("a"), big);
            return old;
        });
        assertThat(loaded).isEqualTo(b("old"));
        assertThat(cache.get(b("a"), store)).isEqualTo(big);
    }

    @Test
    void aRowWrittenButNeverReadIsNotCached() {
        RowCache cache = new RowCache(1 << 20);
        Store store = new Store();
        store.rows.put("new", b("1"));
        cache.written(b("new"), b("1"));
        assertThat(cache.stats().entries()).isZero();
        assertThat(cache.get(b("new"), store)).isEqualTo(b("1"));
        assertThat(store.reads).hasValue(1);
    }

    @Test
    void clearDropsEveryEntry() {
        RowCache cache = new RowCache(1 << 20);
        Store store = new Store();
        store.rows.put("a", b("1"));
        cache.get(b("a"), store);
        store.rows.clear();
        cache.clear();
        assertThat(cache.get(b("a"), store)).isNull();
        assertThat(cache.stats().entries()).isEqualTo(1);
    }

    @Test
    void aRowLargerThanAThousandthOfTheBoundIsNeverCached() {
        RowCache cache = new RowCache(4 << 20);
        Store store = new Store();
        store.rows.put("big", new byte[8192]);
        cache.get(b("big"), store);
        cache.get(b("big"), store);
        assertThat(store.reads).hasValue(2);
        cache.written(b("big"), new byte[8192]);
        assertThat(cache.stats().entries()).isZero();
    }

    @Test
    void theBoundHoldsUnderManyRows() {
        RowCache cache = new RowCache(1 << 20);
        for (int i = 0; i < 50_000; i++) {
            cache.get(b("row-" + i), key -> new byte[100]);
        }
        assertThat(cache.stats().bytes()).isLessThanOrEqualTo(1 << 20);
        assertThat(cache.stats().entries()).isLessThan(50_000);
    }

    /**
     * The engine with the cache: every kind of write reaches it, so a read after any of them answers what RocksDB
     * holds. Rows are read first so each write has a cached entry to replace.
     */
    @Test
    void everyWriteOfTheEngineReachesItsRowCache() {
        try (RocksDbEngine e = RocksDbEngine.open(EngineOptions.of(dir, Fsync.NO))) {
            for (String k : List.of("a", "b", "c", "d")) {
                assertThat(e.get(ColumnFamily.SUB, b(k))).isNull();
            }
            e.put(ColumnFamily.SUB, b("a"), b("1"));
            assertThat(e.get(ColumnFamily.SUB, b("a"))).isEqualTo(b("1"));
            e.delete(ColumnFamily.SUB, b("a"));
            assertThat(e.get(ColumnFamily.SUB, b("a"))).isNull();

            Engine.Batch batch = e.batch();
            batch.put(ColumnFamily.SUB, b("b"), b("2")).put(ColumnFamily.SUB, b("c"), b("3"));
            e.write(batch);
            assertThat(e.get(ColumnFamily.SUB, b("b"))).isEqualTo(b("2"));
            assertThat(e.get(ColumnFamily.SUB, b("c"))).isEqualTo(b("3"));

            // a range deletion, alone and in a batch with a put after it
            e.deleteRange(ColumnFamily.SUB, b("b"), b("c"));
            assertThat(e.get(ColumnFamily.SUB, b("b"))).isNull();
            Engine.Batch ranged = e.batch();
            ranged.put(ColumnFamily.SUB, b("d"), b("gone")).deleteRange(ColumnFamily.SUB, b("a"), b("z"))
                    .put(ColumnFamily.SUB, b("a"), b("kept"));
            e.write(ranged);
            assertThat(e.get(ColumnFamily.SUB, b("c"))).isNull();
            assertThat(e.get(ColumnFamily.SUB, b("d"))).isNull();
            assertThat(e.get(ColumnFamily.SUB, b("a"))).isEqualTo(b("kept"));

            // deferred rows: read back by the writing thread from its batch, by others from the cache once written
            e.deferWrites(written -> { });
            e.putDeferred(ColumnFamily.SUB, b("b"), b("staged"));
            Engine.Batch joined = e.batch();
            joined.delete(ColumnFamily.SUB, b("a")).put(ColumnFamily.SUB, b("c"), b("joined"));
            assertThat(e.writeDeferred(joined)).isTrue();
            assertThat(e.get(ColumnFamily.SUB, b("b"))).isEqualTo(b("staged"));
            assertThat(e.get(ColumnFamily.SUB, b("a"))).isNull();
            assertThat(e.get(ColumnFamily.SUB, b("c"))).isEqualTo(b("joined"));
            e.endDeferred();
            assertThat(e.get(ColumnFamily.SUB, b("b"))).isEqualTo(b("staged"));
            assertThat(e.get(ColumnFamily.SUB, b("a"))).isNull();
            assertThat(e.get(ColumnFamily.SUB, b("c"))).isEqualTo(b("joined"));
        }
        // and RocksDB holds the same after a restart, when nothing is cached
        try (RocksDbEngine e = RocksDbEngine.open(EngineOptions.of(dir, Fsync.NO))) {
            assertThat(e.get(ColumnFamily.SUB, b("a"))).isNull();
            assertThat(e.get(ColumnFamily.SUB, b("b"))).isEqualTo(b("staged"));
            assertThat(e.get(ColumnFamily.SUB, b("c"))).isEqualTo(b("joined"));
            assertThat(e.get(ColumnFamily.SUB, b("d"))).isNull();
        }
    }

    /**
     * Readers racing one writer per row never go back in time: each reader's successive reads of a row see
     * non-decreasing values, and after the writers stop every read answers the last write. A cache that inserted what
     * a reader loaded before a write, after the write's publication, would hand later readers the older value.
     */
    @Test
    void readersRacingWritersNeverSeeARowGoBack() throws Exception {
        int rows = 8;
        int writes = 20_000;
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try (RocksDbEngine e = RocksDbEngine.open(EngineOptions.of(dir, Fsync.NO))) {
            AtomicBoolean done = new AtomicBoolean();
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Integer>> readers = new ArrayList<>();
            for (int r = 0; r < 3; r++) {
                readers.add(pool.submit(() -> {
                    long[] last = new long[rows];
                    int checked = 0;
                    start.await();
                    while (!done.get()) {
                        for (int i = 0; i < rows; i++) {
                            byte[] v = e.get(ColumnFamily.SUB, b("row" + i));
                            long seen = v == null ? 0 : Long.parseLong(new String(v, StandardCharsets.UTF_8));
                            assertThat(seen).as("row%d went back", i).isGreaterThanOrEqualTo(last[i]);
                            last[i] = seen;
                            checked++;
                        }
                    }
                    return checked;
                }));
            }
            start.countDown();
            for (int n = 1; n <= writes; n++) {
                int i = n % rows;
                if (n % 7 == 0) {
                    Engine.Batch batch = e.batch();
                    batch.put(ColumnFamily.SUB, b("row" + i), b(Long.toString(n)));
                    e.write(batch);
                } else {
                    e.put(ColumnFamily.SUB, b("row" + i), b(Long.toString(n)));
                }
            }
            done.set(true);
            for (Future<Integer> reader : readers) {
                assertThat(reader.get(1, TimeUnit.MINUTES)).isPositive();
            }
            for (int i = 0; i < rows; i++) {
                int lastWrite = writes - ((writes - i) % rows + rows) % rows;
                assertThat(e.get(ColumnFamily.SUB, b("row" + i))).as("row%d", i).isEqualTo(b(Long.toString(lastWrite)));
            }
        } finally {
            pool.shutdownNow();
            assertThat(pool.awaitTermination(1, TimeUnit.MINUTES)).isTrue();
        }
    }
}
