package io.hyperkv.store;

import io.hyperkv.crdt.Clock;
import io.hyperkv.crdt.Stamp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The logical databases (0..{@code databases-1}) over an {@link Engine}: typed access to keys and
 * their {@link Metadata} for the command handlers.
 *
 * <p>Invariants, all maintained by {@link #write}: a META entry with an expiry has exactly one
 * EXPIRE index entry and vice versa; every META entry has exactly one ORDER entry (written in the
 * same batch when the key appears or disappears, never on update); when a collection is deleted or replaced, its sub-keys
 * under the old version are removed by one range tombstone; the per-db key and expiry counters
 * equal the META entries present (expired-but-not-yet-removed keys count, as in Redis's DBSIZE).
 * A key whose expiry has passed is never returned: reads remove it on the spot (passive expiry)
 * and {@link #runCycle()} removes the others (active expiry).
 *
 * <p>Concurrency: every write to a key happens under its {@link KeyLocks} stripe. Single calls
 * lock for themselves; a command that reads, computes and writes (INCR, APPEND, RENAME...) holds
 * {@link #lock} around the whole sequence. FLUSHDB/FLUSHALL hold every stripe. A write to one key
 * is one RocksDB operation; writes to several keys that must survive a crash together (MSET,
 * RENAME, COPY) go through one {@link Changes} batch.
 *
 * <p>Reads of metadata go through a write-through {@link MetaCache}; its coherence rests on every
 * META write passing through {@code apply} or {@link Changes#commit()} (and range deletions
 * clearing it), so nothing may write the META family around this class.
 *
 * <p>Durability: nothing here waits for the disk. Whoever acknowledges writes to a client waits
 * for {@link #durable()} first.
 */
public final class Keyspace {

    /** Active expiry removes at most this many keys per cycle, whatever the backlog. */
    static final int CYCLE_MAX_KEYS = 2000;
    /** ... and spends at most this long (Redis: 25% of a 100 ms tick). */
    static final long CYCLE_BUDGET_NANOS = 25_000_000L;
    /** Every this many cycles a db's expiry index is read from its start, not from the last position. */
    static final int FULL_SWEEP_EVERY = 64;
    private static final int CURSOR_TABLE_SIZE = 65_536;

    private final Engine engine;
    private final Clock clock;
    private final int databases;
    private final LongSupplier millis;
    private final KeyLocks locks = new KeyLocks(1024);
    private final MetaCache metaCache;
    private final AtomicLong[] keys;
    private final AtomicLong[] expires;
    private final long[] sweepFrom;
    private final KeyspaceStats stats = new KeyspaceStats();
    private final AtomicLong cursorIds = new AtomicLong(ThreadLocalRandom.current().nextInt(1, 1 << 20));
    private final Map<Long, byte[]> cursors = new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, byte[]> eldest) {
            return size() > CURSOR_TABLE_SIZE;
        }
    };
    private long cycles;
    private int nextCycleDb;
    private volatile KeyEvents[] listeners = new KeyEvents[0];
    private volatile DeltaSink deltaSink;

    /** A live key and its metadata; the value of a string is {@code meta.payload()}. */
    public record Entry(byte[] key, Metadata meta) {}

    /** One page of SCAN: the cursor to continue with (0 when done) and the keys found. */
    public record ScanPage(long cursor, List<byte[]> keys) {}

    public Keyspace(Engine engine, Clock clock, int databases, LongSupplier millis) {
        this(engine, clock, databases, millis, MetaCache.defaultBytes());
    }

    /** As above, with the {@link MetaCache} bounded to {@code metaCacheBytes} of heap. */
    Keyspace(Engine engine, Clock clock, int databases, LongSupplier millis, long metaCacheBytes) {
        if (databases < 1 || databases > 254) {
            throw new IllegalArgumentException("databases must be in 1..254");
        }
        this.engine = engine;
        this.clock = clock;
        this.databases = databases;
        this.millis = millis;
        this.metaCache = new MetaCache(locks, metaCacheBytes);
        this.keys = new AtomicLong[databases];
        this.expires = new AtomicLong[databases];
        this.sweepFrom = new long[databases];
        for (int db = 0; db < databases; db++) {
            keys[db] = new AtomicLong();
            expires[db] = new AtomicLong();
        }
        countKeys();
    }

    public Keyspace(Engine engine, Clock clock) {
        this(engine, clock, 16, System::currentTimeMillis);
    }

    /**
     * Rebuilds the counters from disk: one pass over META at start-up (the counters are not
     * persisted). A store written before the key-order index existed gets it in the same pass; a
     * marker in SYS, written once the pass is complete, makes a pass interrupted by a crash run again.
     */
    private void countKeys() {
        boolean buildOrder = engine.get(ColumnFamily.SYS, ORDER_INDEX_BUILT) == null;
        Engine.Batch order = buildOrder ? engine.batch() : null;
        long indexed = 0;
        try (Engine.Cursor c = engine.iterate(ColumnFamily.META, KeyCodec.dbStart(0), KeyCodec.dbStart(databases))) {
            for (; c.valid(); c.next()) {
                int db = c.key()[0] & 0xFF;
                keys[db].incrementAndGet();
                if (Metadata.expireAtOf(c.value()) != 0) {
                    expires[db].incrementAndGet();
                }
                if (order != null) {
                    order.put(ColumnFamily.ORDER, KeyCodec.order(db, KeyCodec.userKeyOfMeta(c.key())), EMPTY);
                    if (++indexed % 10_000 == 0) {
                        engine.write(order);
                        order.close();
                        order = engine.batch();
                    }
                }
            }
            if (order != null) {
                order.put(ColumnFamily.SYS, ORDER_INDEX_BUILT, new byte[] {1});
                engine.write(order);
            }
        } finally {
            if (order != null) {
                order.close();
            }
        }
        if (indexed > 0) {
            java.util.logging.Logger.getLogger(Keyspace.class.getName()).info(
                    "built the key-order index (KRANGE) of " + indexed + " existing keys in one pass over META");
        }
    }

    private static final byte[] EMPTY = new byte[0];
    private static final byte[] ORDER_INDEX_BUILT = "key-order-index".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    public Engine engine() {
        return engine;
    }

    public Clock clock() {
        return clock;
    }

    public int databases() {
        return databases;
    }

    public long now() {
        return millis.getAsLong();
    }

    public KeyspaceStats stats() {
        return stats;
    }

    /** Adds a listener of committed changes (see {@link KeyEvents} for the threading rules). */
    public synchronized void listen(KeyEvents listener) {
        KeyEvents[] next = java.util.Arrays.copyOf(listeners, listeners.length + 1);
        next[listeners.length] = listener;
        listeners = next;
    }

    private void fireModified(int db, byte[] key) {
        for (KeyEvents l : listeners) {
            try {
                l.modified(db, key);
            } catch (RuntimeException e) {
                stats.listenerFailures.increment();
            }
        }
    }

    private void fireExpired(int db, byte[] key) {
        for (KeyEvents l : listeners) {
            try {
                l.expired(db, key);
            } catch (RuntimeException e) {
                stats.listenerFailures.increment();
            }
        }
    }

    /**
     * Makes every change committed on behalf of a local write report its {@link KeyDelta} to {@code sink} (cluster
     * mode). Set once at start-up, before clients are served; without a sink no delta is built.
     */
    public void deltaSink(DeltaSink sink) {
        this.deltaSink = sink;
    }

    /** Whether committed changes are reported to a {@link DeltaSink}: stores skip building element deltas otherwise. */
    public boolean replicating() {
        return deltaSink != null;
    }

    /** Reports one committed local change; the caller holds the key's lock. */
    private void emit(int db, byte[] key, Metadata meta, List<KeyDelta.Element> elements) {
        DeltaSink sink = deltaSink;
        if (sink == null || meta == null) {
            // meta == null: a deletion without a tombstone carries nothing a replica could merge
            return;
        }
        try {
            sink.committed(db, key, KeySlot.of(key), new KeyDelta(meta, elements, false));
        } catch (RuntimeException e) {
            stats.listenerFailures.increment();
        }
    }

    public MetaCache.Stats metaCacheStats() {
        return metaCache.stats();
    }

    /** A fresh HLC stamp for a write. */
    public Stamp stamp() {
        return clock.next();
    }

    public KeyLocks.Held lock(int db, byte[] key) {
        return locks.lock(db, key);
    }

    public KeyLocks.Held lock(int db, byte[]... keys) {
        int[] dbs = new int[keys.length];
        java.util.Arrays.fill(dbs, db);
        return locks.lock(dbs, keys);
    }

    public KeyLocks.Held lock(int[] dbs, byte[][] keys) {
        return locks.lock(dbs, keys);
    }

    /** Every stripe: for an EXEC that queued a command whose keys are unknown (FLUSHALL, KEYS...). */
    public KeyLocks.Held lockAll() {
        return locks.lockAll();
    }

    /** Completes when every write made so far is durable under the engine's appendfsync policy. */
    public CompletableFuture<Void> durable() {
        return engine.durable();
    }

    // ---------------------------------------------------------------- reads

    /** The live metadata of {@code key}, or null when it is absent or expired (an expired key is removed now). */
    public Metadata read(int db, byte[] key) {
        Metadata m = readStored(db, key);
        if (m != null && m.expiredAt(millis.getAsLong())) {
            expireNow(db, key);
            return null;
        }
        return m;
    }

    public boolean exists(int db, byte[] key) {
        return read(db, key) != null;
    }

    /** Stored metadata, expired or not; for the layers (replication, tests) that must see everything. */
    public Metadata readStored(int db, byte[] key) {
        return metaCache.read(db, key, KeyCodec.meta(db, key), this::load);
    }

    private Metadata load(byte[] metaKey) {
        byte[] raw = engine.get(ColumnFamily.META, metaKey);
        return raw == null ? null : Metadata.decode(raw);
    }

    private void expireNow(int db, byte[] key) {
        try (KeyLocks.Held ignored = locks.lock(db, key)) {
            Metadata stored = readStored(db, key);
            if (stored != null && stored.expiredAt(millis.getAsLong())) {
                applyQuietly(db, key, stored, null);
                stats.expiredKeys.increment();
                fireExpired(db, key);
            }
        }
    }

    // ---------------------------------------------------------------- writes

    /**
     * Makes {@code meta} the value of {@code key} (null deletes it), keeping the expiry index, the
     * collection sub-keys and the counters consistent. Returns whether the key existed (live) before.
     */
    public boolean write(int db, byte[] key, Metadata meta) {
        try (KeyLocks.Held ignored = locks.lock(db, key)) {
            Metadata stored = readStored(db, key);
            boolean live = stored != null && !stored.expiredAt(millis.getAsLong());
            if (stored != null && !live) {
                stats.expiredKeys.increment();
                // the write first expires the dead key, as Redis's lookupKeyWrite does ("expired" event)
                fireExpired(db, key);
            }
            if (stored == null && meta == null) {
                return false;
            }
            apply(db, key, stored, meta);
            return live;
        }
    }

    /** Deletes {@code key}; true if it existed (and had not expired). */
    public boolean delete(int db, byte[] key) {
        return write(db, key, null);
    }

    /**
     * Stores a string, replacing whatever the key held (a new version). {@code expireAt}: absolute
     * ms, 0 for none, or {@link #KEEP_TTL} to keep the live key's expiry.
     */
    public void setString(int db, byte[] key, byte[] value, Encoding encoding, long expireAt) {
        try (KeyLocks.Held ignored = locks.lock(db, key)) {
            // one read serves both the expiry bookkeeping and the KEEPTTL decision: SET is the hot path
            Metadata stored = readStored(db, key);
            boolean live = stored != null && !stored.expiredAt(millis.getAsLong());
            if (stored != null && !live) {
                stats.expiredKeys.increment();
                // the write first expires the dead key, as Redis's lookupKeyWrite does ("expired" event)
                fireExpired(db, key);
            }
            Metadata old = live ? stored : null;
            Stamp stamp = clock.next();
            long at;
            Stamp expiryStamp;
            if (expireAt == KEEP_TTL) {
                at = old == null ? 0 : old.expireAt();
                expiryStamp = old == null ? null : old.expiryStamp();
            } else {
                at = expireAt;
                // clearing an expiry is itself an expiry write (LWW on the expiry field)
                expiryStamp = expireAt != 0 || (old != null && old.expiryStamp() != null) ? stamp : null;
            }
            apply(db, key, stored, Metadata.string(value, encoding, stamp.time(), stamp, at, expiryStamp));
        }
    }

    public static final long KEEP_TTL = -1;

    /** Replaces the payload of a live string in place (APPEND, SETRANGE, INCR): same version, same expiry, new stamp. */
    public void updateString(int db, byte[] key, Metadata old, byte[] value, Encoding encoding) {
        Stamp stamp = clock.next();
        write(db, key, new Metadata(ValueType.STRING, encoding, old.version(), stamp, old.expireAt(),
                old.expiryStamp(), 0, old.context(), value));
    }

    /** Sets ({@code expireAt > 0}) or removes ({@code 0}) the expiry of a live key; false if there is no such key. */
    public boolean setExpiry(int db, byte[] key, long expireAt) {
        try (KeyLocks.Held ignored = locks.lock(db, key)) {
            Metadata m = read(db, key);
            if (m == null) {
                return false;
            }
            write(db, key, m.withExpiry(expireAt, clock.next()));
            return true;
        }
    }

    /**
     * Copies {@code src} of {@code srcDb} to {@code dst} of {@code dstDb} (replacing it), including
     * sub-keys and expiry, under a new version, in one atomic batch. The caller holds both keys'
     * locks and checked that {@code src} is live ({@code meta}).
     */
    public void copy(int srcDb, byte[] src, Metadata meta, int dstDb, byte[] dst) {
        try (Changes changes = changes()) {
            changes.copy(srcDb, src, meta, dstDb, dst).commit();
        }
    }

    /** RENAME: the copy and the removal of the source in one atomic batch. The caller holds both locks. */
    public void rename(int db, byte[] src, Metadata meta, byte[] dst) {
        try (Changes changes = changes()) {
            changes.move(db, src, meta, db, dst).put(db, src, null).commit();
        }
    }


    /** The one place META changes: keeps the expiry index, old sub-keys and counters in step. Caller holds the lock. */
    private void apply(int db, byte[] key, Metadata stored, Metadata meta) {
        applyQuietly(db, key, stored, meta);
        emit(db, key, meta, List.of());
        fireModified(db, key);
    }

    /** {@link #apply} without telling the listeners: for expiry, which reports its own event. */
    private void applyQuietly(int db, byte[] key, Metadata stored, Metadata meta) {
        byte[] metaKey = KeyCodec.meta(db, key);
        // creating or deleting a key also writes the key-order index: that needs a batch
        boolean simple = stored != null && meta != null && !stored.type().hasSubkeys()
                && stored.expireAt() == meta.expireAt();
        if (simple) {
            // the hot path (overwrite of a string without TTL change): one JNI call, no WriteBatch
            engine.put(ColumnFamily.META, metaKey, meta.encode());
        } else {
            try (Engine.Batch batch = engine.batch()) {
                stage(batch, db, key, stored, meta);
                engine.write(batch);
            }
        }
        metaCache.written(metaKey, meta);
        count(db, stored, meta);
        reclaimIfLarge(db, key, stored, meta);
    }

    /** A removed or replaced collection at least this large gets its range compacted soon after. */
    static final long RECLAIM_MIN_ELEMENTS = 10_000;

    /**
     * After a write that dropped a large collection's old version with one range tombstone: asks
     * the engine to compact that range in the background so the disk space comes back now rather
     * than when compactions happen to reach it.
     */
    private void reclaimIfLarge(int db, byte[] key, Metadata stored, Metadata meta) {
        if (stored != null && stored.type().hasSubkeys() && stored.size() >= RECLAIM_MIN_ELEMENTS
                && (meta == null || meta.version() != stored.version())) {
            byte[] prefix = KeyCodec.subPrefix(db, key, stored.version());
            engine.compactRangeSoon(ColumnFamily.SUB, prefix, KeyCodec.prefixEnd(prefix));
            if (stored.type() == ValueType.ZSET) {
                engine.compactRangeSoon(ColumnFamily.ZSCORE, prefix, KeyCodec.prefixEnd(prefix));
            }
        }
    }

    /** Adds to {@code batch} the writes that make {@code meta} replace {@code stored}. */
    private void stage(Engine.Batch batch, int db, byte[] key, Metadata stored, Metadata meta) {
        byte[] metaKey = KeyCodec.meta(db, key);
        if (meta == null) {
            batch.delete(ColumnFamily.META, metaKey);
        } else {
            batch.put(ColumnFamily.META, metaKey, meta.encode());
        }
        // the key-order index changes only when a key appears or disappears
        if (stored == null && meta != null) {
            batch.put(ColumnFamily.ORDER, KeyCodec.order(db, key), EMPTY);
        } else if (stored != null && meta == null) {
            batch.delete(ColumnFamily.ORDER, KeyCodec.order(db, key));
        }
        long oldAt = stored == null ? 0 : stored.expireAt();
        long newAt = meta == null ? 0 : meta.expireAt();
        if (oldAt != newAt) {
            if (oldAt != 0) {
                batch.delete(ColumnFamily.EXPIRE, KeyCodec.expire(db, oldAt, key));
            }
            if (newAt != 0) {
                batch.put(ColumnFamily.EXPIRE, KeyCodec.expire(db, newAt, key), new byte[0]);
            }
        }
        if (stored != null && stored.type().hasSubkeys() && (meta == null || meta.version() != stored.version())) {
            // O(1) removal of the old collection: one range tombstone over key|oldVersion|*
            byte[] prefix = KeyCodec.subPrefix(db, key, stored.version());
            batch.deleteRange(ColumnFamily.SUB, prefix, KeyCodec.prefixEnd(prefix));
            if (stored.type() == ValueType.ZSET) {
                batch.deleteRange(ColumnFamily.ZSCORE, prefix, KeyCodec.prefixEnd(prefix));
            }
        }
    }

    /** Counter bookkeeping after {@code meta} replaced {@code stored} on disk. */
    private void count(int db, Metadata stored, Metadata meta) {
        if (stored == null && meta != null) {
            keys[db].incrementAndGet();
        } else if (stored != null && meta == null) {
            keys[db].decrementAndGet();
        }
        long oldAt = stored == null ? 0 : stored.expireAt();
        long newAt = meta == null ? 0 : meta.expireAt();
        if (oldAt == 0 && newAt != 0) {
            expires[db].incrementAndGet();
        } else if (oldAt != 0 && newAt == 0) {
            expires[db].decrementAndGet();
        }
        stats.dirty.increment();
    }

    /**
     * Several key changes committed as one atomic batch (MSET, RENAME, COPY): after a crash either
     * all of them are on disk or none. The caller holds the locks of every key it stages.
     */
    public final class Changes implements AutoCloseable {
        private final Engine.Batch batch = engine.batch();
        private final List<Object[]> staged = new ArrayList<>();
        /** What this change set already staged per key: a key staged twice (MSET a 1 a 2) replaces its own staging. */
        private final Map<java.nio.ByteBuffer, Optional<Metadata>> pending = new java.util.HashMap<>();
        /** Element rows named for replication per META key ({@link #element}); empty unless replicating. */
        private final Map<java.nio.ByteBuffer, List<KeyDelta.Element>> elements = new java.util.HashMap<>();

        private Changes() {
        }

        private Metadata current(int db, byte[] key) {
            Optional<Metadata> staged = pending.get(java.nio.ByteBuffer.wrap(KeyCodec.meta(db, key)));
            return staged != null ? staged.orElse(null) : readStored(db, key);
        }

        /** Stages {@code meta} (null: delete) as the new value of {@code key}. */
        public Changes put(int db, byte[] key, Metadata meta) {
            return put(db, key, current(db, key), meta);
        }

        /**
         * Stages {@code meta} (null: delete) as the new value of {@code key}, whose stored metadata
         * the caller read under the key's lock ({@code stored}, expired or not, null if absent), so
         * the hot paths of collection commands read META once. A key staged earlier in this change
         * set is replaced from its staged value, whatever {@code stored} says.
         */
        public Changes put(int db, byte[] key, Metadata stored, Metadata meta) {
            Optional<Metadata> already = pending.get(java.nio.ByteBuffer.wrap(KeyCodec.meta(db, key)));
            if (already != null) {
                stored = already.orElse(null);
            }
            pending.put(java.nio.ByteBuffer.wrap(KeyCodec.meta(db, key)), Optional.ofNullable(meta));
            boolean expired = stored != null && stored.expiredAt(millis.getAsLong());
            if (expired) {
                stats.expiredKeys.increment();
            }
            if (stored == null && meta == null) {
                return this;
            }
            stage(batch, db, key, stored, meta);
            staged.add(new Object[] {db, stored, meta, key, expired});
            return this;
        }

        /**
         * Stages a write of one collection element row ({@link ColumnFamily#SUB} or
         * {@link ColumnFamily#ZSCORE}; keys from {@link KeyCodec#subPrefix}). The caller also stages
         * the key's META (size, context, stamp) in this change set and holds the key's lock.
         */
        public Changes putSub(ColumnFamily cf, byte[] subKey, byte[] value) {
            batch.put(cf, subKey, value);
            return this;
        }

        /** Stages the removal of one collection element row; see {@link #putSub}. */
        public Changes deleteSub(ColumnFamily cf, byte[] subKey) {
            batch.delete(cf, subKey);
            return this;
        }

        /**
         * Names, for replication, an element row of {@code key} this change set writes: {@code state} is the row as
         * staged (null: removed). Writes nothing; costs nothing unless the keyspace {@link #replicating()}. Stores
         * call it next to {@link #putSub}/{@link #deleteSub} for every row of {@link ColumnFamily#SUB} they change.
         */
        public Changes element(int db, byte[] key, byte[] name, byte[] state) {
            if (deltaSink != null) {
                elements.computeIfAbsent(java.nio.ByteBuffer.wrap(KeyCodec.meta(db, key)), k -> new ArrayList<>())
                        .add(new KeyDelta.Element(name, state));
            }
            return this;
        }

        /** Stages a string written now, replacing the key (new version), with {@code expireAt} (0: none). */
        public Changes putString(int db, byte[] key, byte[] value, Encoding encoding, long expireAt) {
            Stamp stamp = clock.next();
            Metadata old = current(db, key);
            boolean hadExpiry = old != null && !old.expiredAt(millis.getAsLong()) && old.expiryStamp() != null;
            return put(db, key, Metadata.string(value, encoding, stamp.time(), stamp, expireAt,
                    expireAt != 0 || hadExpiry ? stamp : null));
        }

        /**
         * Stages a copy of {@code meta} (a live value of src) as {@code dst} under a new version: a
         * collection's elements as a fresh CRDT state with fresh dots ({@link CollectionCopy}).
         */
        public Changes copy(int srcDb, byte[] src, Metadata meta, int dstDb, byte[] dst) {
            return duplicate(srcDb, src, meta, dstDb, dst, true);
        }

        /** Stages {@code meta} (a live value of src) as {@code dst} with its state unchanged: RENAME, which also deletes src. */
        public Changes move(int srcDb, byte[] src, Metadata meta, int dstDb, byte[] dst) {
            return duplicate(srcDb, src, meta, dstDb, dst, false);
        }

        private Changes duplicate(int srcDb, byte[] src, Metadata meta, int dstDb, byte[] dst, boolean fresh) {
            Stamp stamp = clock.next();
            byte[] context = meta.context();
            if (meta.type().hasSubkeys()) {
                byte[] from = KeyCodec.subPrefix(srcDb, src, meta.version());
                byte[] to = KeyCodec.subPrefix(dstDb, dst, stamp.time());
                if (fresh) {
                    context = CollectionCopy.fresh(engine, clock, meta.type(), from, to, batch);
                } else {
                    CollectionCopy.moved(engine, meta.type(), from, to, batch);
                }
            }
            Metadata copy = new Metadata(meta.type(), meta.encoding(), stamp.time(), stamp, meta.expireAt(),
                    meta.expireAt() != 0 ? stamp : null, meta.size(), context, meta.payload());
            return put(dstDb, dst, copy);
        }

        /** Writes everything staged, atomically. */
        public void commit() {
            // hide the whole batch from lock-free cache readers until all of it is written (see MetaCache)
            pending.keySet().forEach(k -> metaCache.forget(k.array()));
            engine.write(batch);
            pending.forEach((k, meta) -> metaCache.written(k.array(), meta.orElse(null)));
            for (Object[] s : staged) {
                count((Integer) s[0], (Metadata) s[1], (Metadata) s[2]);
                reclaimIfLarge((Integer) s[0], (byte[]) s[3], (Metadata) s[1], (Metadata) s[2]);
            }
            for (Object[] s : staged) {
                if ((Boolean) s[4]) {
                    fireExpired((Integer) s[0], (byte[]) s[3]);
                }
                if (deltaSink != null) {
                    // a key staged twice reports once, with its final META and every row named
                    java.nio.ByteBuffer metaKey = java.nio.ByteBuffer.wrap(KeyCodec.meta((Integer) s[0], (byte[]) s[3]));
                    Optional<Metadata> last = pending.remove(metaKey);
                    if (last != null) {
                        List<KeyDelta.Element> named = elements.remove(metaKey);
                        emit((Integer) s[0], (byte[]) s[3], last.orElse(null), named == null ? List.of() : named);
                    }
                }
                fireModified((Integer) s[0], (byte[]) s[3]);
            }
            staged.clear();
            elements.clear();
        }

        @Override
        public void close() {
            batch.close();
        }
    }

    /** A new atomic change set; use with try-with-resources and {@link Changes#commit()}. */
    public Changes changes() {
        return new Changes();
    }

    // ---------------------------------------------------------------- whole databases

    public long size(int db) {
        return keys[db].get();
    }

    public long expiresCount(int db) {
        return expires[db].get();
    }

    /** FLUSHDB: range deletions over every family's db prefix, atomically, with all writers held off. */
    public void flush(int db) {
        flushRange(db, db + 1);
    }

    /** FLUSHALL. */
    public void flushAll() {
        flushRange(0, databases);
    }

    private void flushRange(int fromDb, int toDb) {
        try (KeyLocks.Held ignored = locks.lockAll(); Engine.Batch batch = engine.batch()) {
            for (ColumnFamily cf : new ColumnFamily[] {ColumnFamily.META, ColumnFamily.SUB, ColumnFamily.ZSCORE, ColumnFamily.EXPIRE,
                    ColumnFamily.ORDER}) {
                batch.deleteRange(cf, KeyCodec.dbStart(fromDb), KeyCodec.dbStart(toDb));
            }
            engine.write(batch);
            metaCache.clear();
            for (int db = fromDb; db < toDb; db++) {
                stats.dirty.add(keys[db].get());
                keys[db].set(0);
                expires[db].set(0);
                sweepFrom[db] = 0;
            }
            for (KeyEvents l : listeners) {
                try {
                    l.flushed(fromDb, toDb);
                } catch (RuntimeException e) {
                    stats.listenerFailures.increment();
                }
            }
        }
    }

    /** Every live key of {@code db} matching {@code pattern} (null: all), in storage order. */
    public List<byte[]> keys(int db, Glob pattern) {
        List<byte[]> out = new ArrayList<>();
        long now = millis.getAsLong();
        boolean all = pattern == null || pattern.matchesAll();
        try (Engine.Cursor c = engine.iterate(ColumnFamily.META, KeyCodec.dbStart(db), KeyCodec.dbEnd(db))) {
            for (; c.valid(); c.next()) {
                long at = Metadata.expireAtOf(c.value());
                if (at != 0 && at <= now) {
                    continue;
                }
                byte[] key = KeyCodec.userKeyOfMeta(c.key());
                if (all || pattern.matches(key)) {
                    out.add(key);
                }
            }
        }
        return out;
    }

    /**
     * One SCAN page. Cursors are numbers (clients parse them as integers) naming a resume position
     * kept in a bounded table; an unknown cursor restarts the iteration, which still returns every
     * key present for the whole scan, possibly twice, as Redis allows.
     */
    public ScanPage scan(int db, long cursor, int count, Glob pattern, ValueType type) {
        byte[] from;
        if (cursor == 0) {
            from = KeyCodec.dbStart(db);
        } else {
            synchronized (cursors) {
                from = cursors.remove(cursor);
            }
            if (from == null || (from[0] & 0xFF) != db) {
                from = KeyCodec.dbStart(db);
            }
        }
        List<byte[]> out = new ArrayList<>();
        long now = millis.getAsLong();
        boolean all = pattern == null || pattern.matchesAll();
        int visited = 0;
        try (Engine.Cursor c = engine.iterate(ColumnFamily.META, from, KeyCodec.dbEnd(db))) {
            for (; c.valid(); c.next()) {
                if (visited >= count) {
                    long id = cursorIds.incrementAndGet();
                    synchronized (cursors) {
                        cursors.put(id, c.key());
                    }
                    return new ScanPage(id, out);
                }
                visited++;
                byte[] value = c.value();
                long at = Metadata.expireAtOf(value);
                if (at != 0 && at <= now) {
                    continue;
                }
                byte[] key = KeyCodec.userKeyOfMeta(c.key());
                if ((all || pattern.matches(key)) && (type == null || Metadata.typeOf(value) == type)) {
                    out.add(key);
                }
            }
        }
        return new ScanPage(0, out);
    }

    /**
     * Live keys of {@code db} in byte order from {@code from} (inclusive) to {@code to} (exclusive;
     * null: the end of the db), at most {@code limit} (negative: no limit): KRANGE, from the
     * key-order index. Expired keys are skipped, not removed.
     */
    public List<Entry> keyRange(int db, byte[] from, byte[] to, long limit) {
        List<Entry> out = new ArrayList<>();
        long now = millis.getAsLong();
        byte[] lower = KeyCodec.order(db, from);
        byte[] upper = to == null ? KeyCodec.dbEnd(db) : KeyCodec.order(db, to);
        try (Engine.Cursor c = engine.iterate(ColumnFamily.ORDER, lower, upper)) {
            for (; c.valid() && (limit < 0 || out.size() < limit); c.next()) {
                byte[] key = KeyCodec.userKeyOfOrder(c.key());
                Metadata m = readStored(db, key);
                if (m != null && !m.expiredAt(now)) {
                    out.add(new Entry(key, m));
                }
            }
        }
        return out;
    }

    /** A random live key of {@code db}, or null if it has none. */
    public byte[] randomKey(int db) {
        long now = millis.getAsLong();
        for (int attempt = 0; attempt < 100 && keys[db].get() > 0; attempt++) {
            int slot = ThreadLocalRandom.current().nextInt(KeySlot.SLOTS);
            byte[] found = firstLive(db, KeyCodec.slotStart(db, slot), now);
            if (found == null) {
                found = firstLive(db, KeyCodec.dbStart(db), now);
            }
            if (found != null) {
                return found;
            }
        }
        return null;
    }

    private byte[] firstLive(int db, byte[] from, long now) {
        try (Engine.Cursor c = engine.iterate(ColumnFamily.META, from, KeyCodec.dbEnd(db))) {
            for (int seen = 0; c.valid() && seen < 100; c.next(), seen++) {
                long at = Metadata.expireAtOf(c.value());
                if (at == 0 || at > now) {
                    return KeyCodec.userKeyOfMeta(c.key());
                }
            }
        }
        return null;
    }

    // ---------------------------------------------------------------- active expiry

    /**
     * One active-expiry cycle, for a scheduler to call about ten times a second. The EXPIRE index
     * is ordered by deadline, so instead of Redis's random sampling (repeat while more than 25% of
     * the sample had expired) the cycle reads each db's earliest deadlines and removes keys while
     * they are due: every key it looks at but the last is expired. Work is bounded by
     * {@link #CYCLE_MAX_KEYS} and {@link #CYCLE_BUDGET_NANOS}; dbs are visited round-robin so a
     * large backlog in one cannot starve the others. Returns the number of keys removed.
     */
    public int runCycle() {
        return runCycle(CYCLE_MAX_KEYS, CYCLE_BUDGET_NANOS);
    }

    public synchronized int runCycle(int maxKeys, long budgetNanos) {
        long start = System.nanoTime();
        long now = millis.getAsLong();
        int removed = 0;
        int examined = 0;
        boolean fullSweep = cycles++ % FULL_SWEEP_EVERY == 0;
        stats.expireCycles.increment();
        for (int i = 0; i < databases && examined < maxKeys; i++) {
            int db = (nextCycleDb + i) % databases;
            if (expires[db].get() == 0 && !fullSweep) {
                continue;
            }
            byte[] from = fullSweep ? KeyCodec.dbStart(db) : KeyCodec.expire(db, sweepFrom[db], new byte[0]);
            boolean done = true;
            try (Engine.Cursor c = engine.iterate(ColumnFamily.EXPIRE, from, KeyCodec.dbEnd(db))) {
                for (; c.valid(); c.next()) {
                    if (examined >= maxKeys || ((examined & 15) == 15 && System.nanoTime() - start > budgetNanos)) {
                        done = false;
                        nextCycleDb = db;
                        break;
                    }
                    examined++;
                    byte[] indexKey = c.key();
                    long at = KeyCodec.expireAtOfIndex(indexKey);
                    if (at > now) {
                        break;
                    }
                    sweepFrom[db] = at;
                    if (expireIndexed(db, KeyCodec.userKeyOfIndex(indexKey), at, indexKey, now)) {
                        removed++;
                    }
                }
            }
            if (!done) {
                return removed;
            }
        }
        nextCycleDb = (nextCycleDb + 1) % databases;
        return removed;
    }

    /** Removes the key an index entry names if it is still due; drops the entry if it is stale. */
    private boolean expireIndexed(int db, byte[] key, long at, byte[] indexKey, long now) {
        try (KeyLocks.Held ignored = locks.lock(db, key)) {
            Metadata stored = readStored(db, key);
            if (stored != null && stored.expireAt() == at && stored.expiredAt(now)) {
                applyQuietly(db, key, stored, null);
                stats.expiredKeys.increment();
                fireExpired(db, key);
                return true;
            }
            if (stored == null || stored.expireAt() != at) {
                // cannot happen through apply(); repairs an index written by an older or interrupted process
                engine.delete(ColumnFamily.EXPIRE, indexKey);
            }
            return false;
        }
    }

    // ---------------------------------------------------------------- slot contents (CLUSTER COUNTKEYSINSLOT/GETKEYSINSLOT)

    /**
     * Live keys of {@code db} in {@code slot}: one pass over the slot's META prefix, tombstones and expired keys not
     * counted. Cost is linear in the slot's rows; callers run it on a worker.
     */
    public long countInSlot(int db, int slot) {
        long[] count = new long[1];
        forEachLiveInSlot(db, slot, Long.MAX_VALUE, key -> count[0]++);
        return count[0];
    }

    /** Up to {@code count} live keys of {@code db} in {@code slot}, in storage (key byte) order. */
    public List<byte[]> keysInSlot(int db, int slot, int count) {
        List<byte[]> out = new ArrayList<>(Math.min(count, 1024));
        forEachLiveInSlot(db, slot, count, out::add);
        return out;
    }

    private void forEachLiveInSlot(int db, int slot, long limit, Consumer<byte[]> action) {
        if (slot < 0 || slot >= KeySlot.SLOTS) {
            throw new IllegalArgumentException("slot " + slot + " is outside 0.." + (KeySlot.SLOTS - 1));
        }
        long now = millis.getAsLong();
        byte[] start = KeyCodec.slotStart(db, slot);
        long seen = 0;
        try (Engine.Cursor c = engine.iterate(ColumnFamily.META, start, KeyCodec.prefixEnd(start))) {
            for (; c.valid() && seen < limit; c.next()) {
                byte[] value = c.value();
                long at = Metadata.expireAtOf(value);
                if (Metadata.isTombstone(value) || (at != 0 && at <= now)) {
                    continue;
                }
                action.accept(KeyCodec.userKeyOfMeta(c.key()));
                seen++;
            }
        }
    }
}
