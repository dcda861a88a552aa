package io.hyperkv.store;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Policy;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * A bounded heap cache of one column family's rows in front of the engine's point reads: the collection element rows
 * ({@link ColumnFamily#SUB}) that every SADD, HSET, ZADD and SISMEMBER reads before anything else (is the member
 * there, what does the field hold). RocksDB answers such a read from its memtable's skip list, one cache miss per
 * level once the memtable outgrows the CPU caches, and that walk was the largest single cost of a collection write
 * (RocksDB's own row cache serves only table files, not the memtable). Absent rows are cached too (a negative entry),
 * so adding a new member costs no walk either.
 *
 * <p>Coherence, without any lock of its own and whatever the callers lock:
 * <ul>
 *   <li>a writer publishes every row it wrote ({@link #written}) after the engine write returned, replacing a cached
 *       entry so a later read finds the new value (a row not cached stays so until read); writers of one row are
 *       serialized by the key's lock above the engine;</li>
 *   <li>a reader that misses loads from the engine and inserts only if no writer published a row of the same stripe
 *       since it started ({@link #load}): a load that raced with a write is returned to its caller (it is as fresh as
 *       the engine was when read) but never cached, so eviction can never expose a value older than the engine's;</li>
 *   <li>a range deletion drops everything ({@link #clear}): rows are not enumerable by range, and range deletions
 *       (FLUSHDB, a dropped slot, a collection's old version reclaimed) are rare.</li>
 * </ul>
 *
 * <p>Bound: the estimated heap bytes of the entries, {@code maxBytes}; values larger than a thousandth of it are not
 * cached.
 */
public final class RowCache {

    /** Rough heap cost of one entry besides its arrays: cache node, key wrapper, array headers. */
    static final int ENTRY_OVERHEAD = 96;
    /** One read in this many is reported to the eviction policy (see {@link MetaCache#READ_SAMPLE}). */
    static final int READ_SAMPLE = 16;
    /** Write counters, each on its own 64-byte line so the event loops writing different rows do not share one. */
    private static final int STRIPES = 1024;
    private static final int PAD = 8;
    /** What the cache holds for a row known to be absent. */
    private static final Object ABSENT = new Object();

    /** Loads a row from the engine; null when it is absent. */
    interface Loader {
        byte[] load(byte[] key);
    }

    private volatile Entries entries;
    private final AtomicLongArray writes = new AtomicLongArray(STRIPES * PAD);
    private final long maxBytes;
    private final long maxEntryBytes;
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();

    /** Counters and size for INFO and metrics. */
    public record Stats(long hits, long misses, long entries, long bytes, long maxBytes) {}

    private record Entries(Cache<Key, Object> cache, Policy<Key, Object> policy) {
        Entries(Cache<Key, Object> cache) {
            this(cache, cache.policy());
        }
    }

    RowCache(long maxBytes) {
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("cache bound must be positive");
        }
        this.maxBytes = maxBytes;
        this.maxEntryBytes = Math.max(1024, maxBytes / 1000);
        this.entries = new Entries(newCache());
    }

    private Cache<Key, Object> newCache() {
        return MetaCache.boundedCache(maxBytes, RowCache::weight);
    }

    /** The default bound: as the {@link MetaCache}'s, an eighth of the heap the JVM may grow to. */
    static long defaultBytes() {
        return MetaCache.defaultBytes();
    }

    /** The row under {@code key}, or null if there is none: cached, else from {@code loader} (and cached if no write raced). */
    byte[] get(byte[] key, Loader loader) {
        Key k = new Key(key);
        Entries e = entries;
        Object v = (ThreadLocalRandom.current().nextInt() & (READ_SAMPLE - 1)) == 0
                ? e.cache.getIfPresent(k) : e.policy.getIfPresentQuietly(k);
        if (v != null) {
            hits.increment();
            return v == ABSENT ? null : (byte[]) v;
        }
        misses.increment();
        return load(e, k, loader);
    }

    private byte[] load(Entries e, Key k, Loader loader) {
        int stripe = stripe(k);
        long before = writes.get(stripe);
        byte[] loaded = loader.load(k.bytes);
        Object value = loaded == null ? ABSENT : loaded;
        if (weight(k, value) <= maxEntryBytes) {
            // atomic with a writer's publication of the same row: either this runs first and the writer's put
            // replaces it, or the writer's counter bump is seen here and nothing is inserted
            e.cache.asMap().compute(k, (key, current) -> current != null ? current
                    : writes.get(stripe) == before ? value : null);
        }
        return loaded;
    }

    /**
     * Publishes {@code value} (null: deleted) as the engine's row under {@code key}; call after the engine write
     * returned. Only a row already cached is replaced: a row written but not read since (a list's new elements, a
     * member popped) is not worth the cache's insertion work, and the next read loads it.
     */
    void written(byte[] key, byte[] value) {
        Key k = new Key(key);
        writes.incrementAndGet(stripe(k));
        Object v = value == null ? ABSENT : value;
        Cache<Key, Object> cache = entries.cache;
        if (weight(k, v) > maxEntryBytes) {
            cache.invalidate(k);
        } else {
            cache.asMap().replace(k, v);
        }
    }

    /** Drops every entry; call after a range deletion returned. */
    void clear() {
        entries = new Entries(newCache());
    }

    Stats stats() {
        Entries e = entries;
        e.cache.cleanUp();
        long bytes = e.policy.eviction().orElseThrow().weightedSize().orElseThrow();
        return new Stats(hits.sum(), misses.sum(), e.cache.estimatedSize(), bytes, maxBytes);
    }

    private static int stripe(Key k) {
        return ((k.hash ^ (k.hash >>> 16)) & (STRIPES - 1)) * PAD;
    }

    private static int weight(Key k, Object v) {
        long w = ENTRY_OVERHEAD + k.bytes.length + (v instanceof byte[] b ? b.length : 0);
        return (int) Math.min(Integer.MAX_VALUE, w);
    }

    /** A row key; the hash is computed once. The array is never modified (callers build a fresh one per row). */
    private static final class Key {
        final byte[] bytes;
        final int hash;

        Key(byte[] bytes) {
            this.bytes = bytes;
            this.hash = Arrays.hashCode(bytes);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key other && hash == other.hash && Arrays.equals(bytes, other.bytes);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }
}
