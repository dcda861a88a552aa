package io.hyperkv.store;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Policy;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

/**
 * A bounded, write-through cache of decoded {@link ColumnFamily#META} rows in front of the engine,
 * so that a GET of a hot key, and the read of the old metadata every write makes first, do not
 * search RocksDB's memtable skip list (which holds every version of every recent write, and was
 * the largest single cost of GET and SET). Absent keys are cached too (a negative entry), so a
 * repeated miss is as cheap as a hit. Sub-keys of collections are never cached here.
 *
 * <p>Coherence invariant: a cached entry always equals what the engine holds for that META key,
 * except while the key's {@link KeyLocks} stripe is held by a writer that has not finished. It
 * holds because:
 * <ul>
 *   <li>every META write goes through {@link Keyspace} ({@code apply} or a {@code Changes} commit),
 *       which, still holding the key's stripe, publishes the new value with {@link #written} after
 *       the engine write (and, for a multi-key batch, {@link #forget}s every key first, so no
 *       reader can see one key of the batch new and another old);</li>
 *   <li>a reader that misses loads from the engine and inserts while holding the key's stripe
 *       ({@link #read}), so a load can never overwrite a newer write, whatever eviction does;</li>
 *   <li>a reader that hits takes no lock: the cache is a concurrent map, so it sees the last
 *       value published;</li>
 *   <li>range deletions (FLUSHDB/FLUSHALL) hold every stripe and {@link #clear} the cache.</li>
 * </ul>
 * Anything that writes META around {@code Keyspace} (a restore into a running engine, a repair
 * tool) must {@link #clear} it.
 *
 * <p>Cached {@link Metadata} is shared by every reader: nobody may modify its arrays.
 *
 * <p>Bound: the estimated heap bytes of the entries (key, payload, context, object overheads),
 * by default an eighth of the maximum heap; values larger than a thousandth of the bound are not
 * cached at all (reading them from RocksDB costs little next to copying them, and one of them
 * must not push out thousands of small keys).
 */
public final class MetaCache {

    /** Rough heap cost of one entry besides its key and arrays: cache node, key wrapper, record, stamps, array headers. */
    static final int ENTRY_OVERHEAD = 256;
    /** What the cache holds for a key known to be absent. */
    private static final Object ABSENT = new Object();

    /**
     * One read in this many is reported to the eviction policy. Recording every read made each lookup feed Caffeine's
     * read buffer and frequency sketch, and every few reads run its maintenance inline, about a tenth of a GET's CPU
     * on two event loops that keep writing the same drain state; a sample keeps the hot keys' relative frequencies,
     * which is all the admission policy uses.
     */
    static final int READ_SAMPLE = 16;

    /** The current entries; {@link #clear} replaces it whole. */
    private volatile Entries entries;
    private final KeyLocks locks;
    private final long maxBytes;
    private final long maxEntryBytes;
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();

    /** Counters and size for INFO and metrics. */
    public record Stats(long hits, long misses, long entries, long bytes, long maxBytes) {}

    MetaCache(KeyLocks locks, long maxBytes) {
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("cache bound must be positive");
        }
        this.locks = locks;
        this.maxBytes = maxBytes;
        this.maxEntryBytes = Math.max(4096, maxBytes / 1000);
        this.entries = new Entries(newCache());
    }

    /** A Caffeine cache and its policy, replaced together by {@link #clear}. */
    private record Entries(Cache<Key, Object> cache, Policy<Key, Object> policy) {
        Entries(Cache<Key, Object> cache) {
            this(cache, cache.policy());
        }
    }

    private Cache<Key, Object> newCache() {
        return boundedCache(maxBytes, MetaCache::weight);
    }

    /** A Caffeine cache holding at most {@code maxBytes} as {@code weigher} estimates them (also for {@link RowCache}). */
    static <K> Cache<K, Object> boundedCache(long maxBytes, com.github.benmanes.caffeine.cache.Weigher<K, Object> weigher) {
        return Caffeine.newBuilder()
                .maximumWeight(maxBytes)
                .weigher(weigher)
                // eviction work runs on the calling thread, in small amortized steps: no hand-off
                // to the shared ForkJoin pool, which on a two-core node is a single thread
                .executor(Runnable::run)
                .build();
    }

    /** The default bound: an eighth of the heap the JVM may grow to. */
    static long defaultBytes() {
        return Runtime.getRuntime().maxMemory() / 8;
    }

    /**
     * The stored metadata of {@code key} in {@code db}, or null if there is none: from the cache, else loaded by
     * {@code load} from the engine (given the key's META key) and cached, under the key's stripe. A hit builds no META
     * key: entries are found by db and user key.
     */
    Metadata read(int db, byte[] key, Function<byte[], Metadata> load) {
        Key k = new Key(db, key, 0);
        Entries e = entries;
        // a per-thread draw: a shared counter here would bounce one cache line between the event loops on every read
        Object v = (ThreadLocalRandom.current().nextInt() & (READ_SAMPLE - 1)) == 0
                ? e.cache.getIfPresent(k) : e.policy.getIfPresentQuietly(k);
        if (v == null) {
            try (KeyLocks.Held ignored = locks.lock(db, key)) {
                // a writer may have published (or a flush cleared) while this thread waited for the stripe
                v = entries.policy.getIfPresentQuietly(k);
                if (v == null) {
                    misses.increment();
                    byte[] metaKey = KeyCodec.meta(db, key);
                    Metadata loaded = load.apply(metaKey);
                    // cached under the META key just built, never under the caller's array
                    put(Key.ofMeta(metaKey), loaded);
                    return loaded;
                }
            }
        }
        hits.increment();
        return v == ABSENT ? null : (Metadata) v;
    }

    /** Publishes {@code meta} (null: deleted) as the engine's new value; the caller holds the key's stripe and wrote it. */
    void written(byte[] metaKey, Metadata meta) {
        put(Key.ofMeta(metaKey), meta);
    }

    /** Drops the entry of {@code metaKey}; the caller holds the key's stripe. */
    void forget(byte[] metaKey) {
        entries.cache.invalidate(Key.ofMeta(metaKey));
    }

    /**
     * Drops everything; the caller holds every stripe. The entries are replaced by an empty cache rather than
     * invalidated one by one, which took time linear in the entries with every stripe held (a FLUSHALL of a large
     * keyspace stalled every writer, and a cluster flush waiting for replicas answered {@code -NOQUORUM}). A reader
     * that fetched the old entries just before may still hit one: it is concurrent with the flush.
     */
    void clear() {
        entries = new Entries(newCache());
    }

    private void put(Key k, Metadata meta) {
        Cache<Key, Object> cache = entries.cache;
        if (meta != null && weight(k, meta) > maxEntryBytes) {
            cache.invalidate(k);
        } else {
            cache.put(k, meta == null ? ABSENT : meta);
        }
    }

    private static int weight(Key k, Object v) {
        long w = ENTRY_OVERHEAD + k.bytes.length - k.from;
        if (v instanceof Metadata m) {
            w += m.payload().length + m.context().length;
        }
        return (int) Math.min(Integer.MAX_VALUE, w);
    }

    /** Estimated bytes held now (after pending evictions ran). */
    long weightedBytes() {
        Entries e = entries;
        e.cache.cleanUp();
        // bounded by weight at construction, so the eviction policy and its weighted size exist
        return e.policy.eviction().orElseThrow().weightedSize().orElseThrow();
    }

    Stats stats() {
        return new Stats(hits.sum(), misses.sum(), entries.cache.estimatedSize(), weightedBytes(), maxBytes);
    }

    /**
     * A key of db {@code db}: the bytes of {@code bytes} from {@code from} on, which are either a user key (from 0) or
     * a META key past its db and slot prefix, so the same entry is found from either without copying. The hash is
     * computed once. Entries are stored under META keys only (built per write or
     * load, never modified); a user key only looks up, so the cache keeps no caller's array.
     */
    private static final class Key {
        final int db;
        final byte[] bytes;
        final int from;
        final int hash;

        Key(int db, byte[] bytes, int from) {
            this.db = db;
            this.bytes = bytes;
            this.from = from;
            int h = db;
            for (int i = from; i < bytes.length; i++) {
                h = 31 * h + bytes[i];
            }
            this.hash = h;
        }

        static Key ofMeta(byte[] metaKey) {
            return new Key(metaKey[0] & 0xFF, metaKey, KeyCodec.META_PREFIX);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key other && hash == other.hash && db == other.db
                    && Arrays.equals(bytes, from, bytes.length, other.bytes, other.from, other.bytes.length);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }
}
