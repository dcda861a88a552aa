package io.hyperkv.store;

import io.hyperkv.crdt.CausalContext;
import io.hyperkv.crdt.Clock;
import io.hyperkv.crdt.ElementCodec;
import io.hyperkv.crdt.Stamp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
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
 *
 * <p>Replication (cluster mode, from the moment a {@link DeltaSink} is set; a single node does none of this): every
 * committed local write reports its {@link KeyDelta}; a deletion (DEL, UNLINK, GETDEL, RENAME's source, a collection
 * emptied, an expiry) leaves a <em>tombstone</em> META row ({@link Metadata#tombstone()}) instead of removing the key,
 * so that a late delta older than the deletion cannot resurrect it. A tombstone is not a key: {@link #read}, the
 * counters, SCAN, KEYS, RANDOMKEY, the key-order and expiry indexes and the digests never show it; only
 * {@link #readStored}, {@link #capture} and {@link #merge} do. It is indexed in the EXPIRE family at its collection
 * time (its payload: local wall clock + {@link #tombstoneGrace grace} when written) and removed by the expiry cycle
 * then. An expiry in cluster mode leaves the tombstone of the expired state, stamped just after it (so a late delta of
 * that state loses and every replica that expired the same state agrees). {@link #merge} joins a remote key state
 * (strings: {@link StringRegister}; collections: the type's {@link CollectionReplica}), and {@link #slotDigest}/
 * {@link #keyHashes} expose the {@link StateHash} digests anti-entropy compares, kept incrementally in memory.
 * FLUSHDB/FLUSHALL are {@link FlushCut cuts} there: persisted per db, shipped to every node, and {@link #merge} drops
 * any remote state stamped at or below its db's cut, so nothing flushed comes back ({@link #applyCut}).
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
    /** The engine when it can defer writes to the end of a burst ({@link #deferWrites}), else null. */
    private final RocksDbEngine deferrable;
    /**
     * The META of collection writes this thread deferred ({@link Changes#commit}), by META key, not yet in the engine
     * and therefore not yet in the cache: this thread reads them from here, others wait for the key's retained stripe.
     * Published to the cache by {@link #deferredCommitted}, after the batch is written, before the stripes go.
     */
    private final ThreadLocal<Map<java.nio.ByteBuffer, Optional<Metadata>>> unpublished =
            ThreadLocal.withInitial(java.util.HashMap::new);
    /** After a deferred batch left the engine's buffer: the stripes it kept locked go; a failed one leaves no cache entry. */
    private final RocksDbEngine.DeferredCommit deferredCommitted = this::deferredCommitted;
    private final AtomicLong[] keys;
    private final AtomicLong[] expires;
    /** Tombstone rows per db (not keys: no counter, scan or read shows them). */
    private final AtomicLong[] tombstones;
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
    /**
     * The incarnation this node's counter increments are kept under ({@link StringRegister}): its clock's restart
     * floor, moved to a fresh stamp whenever this node forgets data it may have incremented while the process lives
     * ({@link #dropSlot}, FLUSHDB/FLUSHALL). A node that dropped a slot and later owns it again must not restart its
     * old running total from 0 at a newer stamp: its peers' higher total under the old incarnation would be replaced
     * and acknowledged increments lost. Changed only with every stripe held, so no increment races it.
     */
    private volatile long counterIncarnation;
    /** Per-slot digests, kept from the moment a {@link DeltaSink} is set (cluster mode); null on a single node. */
    private volatile SlotDigests digests;
    private volatile Map<ValueType, CollectionReplica> replicas = Map.of();
    private volatile long tombstoneGraceMillis = DEFAULT_TOMBSTONE_GRACE_MILLIS;
    /**
     * Per db, the highest {@link FlushCut} this node took or applied (null: none), as persisted in SYS. Written with
     * every stripe held; {@link #merge} reads it under the key's stripe, others (the relay of cuts to peers) any time.
     */
    private final java.util.concurrent.atomic.AtomicReferenceArray<Stamp> cuts;

    /** How long a tombstone is kept by default before the expiry cycle collects it. */
    public static final long DEFAULT_TOMBSTONE_GRACE_MILLIS = 3_600_000;

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
        this.counterIncarnation = clock.restartFloor();
        this.databases = databases;
        this.millis = millis;
        this.metaCache = new MetaCache(locks, metaCacheBytes);
        this.deferrable = engine instanceof RocksDbEngine r ? r : null;
        if (deferrable != null) {
            locks.handOver(deferrable::commitDeferred);
        }
        this.keys = new AtomicLong[databases];
        this.expires = new AtomicLong[databases];
        this.tombstones = new AtomicLong[databases];
        this.sweepFrom = new long[databases];
        for (int db = 0; db < databases; db++) {
            keys[db] = new AtomicLong();
            expires[db] = new AtomicLong();
            tombstones[db] = new AtomicLong();
        }
        countKeys();
        this.cuts = loadCuts();
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
                if (Metadata.isTombstone(c.value())) {
                    tombstones[db].incrementAndGet();
                    continue;
                }
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

    /**
     * Reports a write that left {@code key} as it was (an HSET of the values a hash already holds), which Redis still
     * counts as a change: the dirty counter and the key's modification listeners (WATCH) hear of it. The caller holds
     * the key's lock.
     */
    public void touched(int db, byte[] key) {
        stats.dirty.increment();
        fireModified(db, key);
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
     * mode). Set once at start-up, before clients are served; without a sink no delta is built and no element hash
     * kept, so setting one first rewrites the META of every collection whose {@link Metadata#hashStale() hash is
     * stale} with the hash of its rows (one pass over META, the one that starts the slot digests).
     */
    public void deltaSink(DeltaSink sink) {
        try (KeyLocks.Held ignored = locks.lockAll()) {
            this.deltaSink = sink;
            if (sink != null) {
                // writes made without a sink left collections' element hashes stale: the same pass rebuilds them
                digests = computeDigests(true);
            }
        }
    }

    /** How long tombstones written from now on are kept before the expiry cycle collects them. */
    public void tombstoneGrace(java.time.Duration grace) {
        if (grace.isNegative()) {
            throw new IllegalArgumentException("tombstone grace must not be negative");
        }
        this.tombstoneGraceMillis = grace.toMillis();
    }

    /**
     * Registers how the element rows of {@code type} are merged and captured (each collection store registers its
     * own, at start-up). A delta of a type with no replica registered is refused by {@link #merge}.
     */
    public synchronized void collections(ValueType type, CollectionReplica replica) {
        if (!type.hasSubkeys()) {
            throw new IllegalArgumentException(type + " has no element rows");
        }
        Map<ValueType, CollectionReplica> next = new java.util.EnumMap<>(ValueType.class);
        next.putAll(replicas);
        next.put(type, replica);
        replicas = next;
    }

    /** The registered replica of a collection type, or null if no store of that type was created. */
    public CollectionReplica collection(ValueType type) {
        return replicas.get(type);
    }

    /** Whether committed changes are reported to a {@link DeltaSink}: stores skip building element deltas otherwise. */
    public boolean replicating() {
        return deltaSink != null;
    }

    /** Reports one committed local change; the caller holds the key's lock. */
    private void emit(int db, byte[] key, Metadata meta, List<KeyDelta.Element> elements, boolean whole) {
        DeltaSink sink = deltaSink;
        if (sink == null || meta == null) {
            // meta == null: a deletion without a tombstone carries nothing a replica could merge
            return;
        }
        try {
            sink.committed(db, key, KeySlot.of(key), new KeyDelta(meta, elements, whole));
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

    /**
     * Opens a scope on the calling thread (an event loop answering one read burst) in which plain overwrites of a
     * string (the hot path of SET, APPEND, INCR...) and the change sets of collection writes ({@link Changes#commit})
     * reach the engine as one batch when the scope ends, instead of one RocksDB write each. Each such key's lock stays
     * held until its write is in the engine, so no other thread reads the key's old value from the engine, caches it,
     * or writes the key in between (for a string the cache already holds the new value, as after any write; for a
     * collection the cache learns its META only with its rows, see {@link #unpublished}); a thread that needs a lock
     * another thread retains waits at most until that thread commits, and one retaining locks commits before it waits
     * (see {@link KeyLocks}). This thread's point reads see its deferred rows (the engine reads through the open
     * batch); every other engine operation of this thread commits first, so it reads its own writes and writes in
     * order. Replication deltas and key events are
     * reported when the write is staged, under the key's lock, in the same order as without a scope. Scopes nest;
     * the outermost {@link #endDeferredWrites} commits. The engine fails {@link #durable()} for good if a deferred
     * batch cannot be written, so no reply acknowledges it.
     */
    public void deferWrites() {
        if (deferrable != null) {
            deferrable.deferWrites(deferredCommitted);
        }
    }

    private void deferredCommitted(boolean written) {
        Map<java.nio.ByteBuffer, Optional<Metadata>> mine = unpublished.get();
        if (!mine.isEmpty()) {
            if (written) {
                // the rows are in the engine now: readers may see the META that goes with them
                mine.forEach((k, meta) -> metaCache.written(k.array(), meta.orElse(null)));
            }
            mine.clear();
        }
        locks.releaseRetained();
        if (!written) {
            // the cache published values the engine does not hold; forgetting only removes, so needs no stripe
            metaCache.clear();
        }
    }

    /** The key locks (tests). */
    KeyLocks locks() {
        return locks;
    }

    /** Ends the scope {@link #deferWrites} opened; true if writes were deferred in it (a reply must await durable()). */
    public boolean endDeferredWrites() {
        return deferrable != null && deferrable.endDeferred();
    }

    /** Completes when every write made so far is durable under the engine's appendfsync policy. */
    public CompletableFuture<Void> durable() {
        return engine.durable();
    }

    // ---------------------------------------------------------------- reads

    /** The live metadata of {@code key}, or null when it is absent or expired (an expired key is removed now). */
    public Metadata read(int db, byte[] key) {
        Metadata m = readStored(db, key);
        if (m == null || m.tombstone()) {
            return null;
        }
        if (m.expiredAt(millis.getAsLong())) {
            expireNow(db, key);
            return null;
        }
        return m;
    }

    public boolean exists(int db, byte[] key) {
        return read(db, key) != null;
    }

    /**
     * Stored metadata, expired or not, <em>tombstones included</em> ({@link Metadata#tombstone()}: a deleted key's
     * stamp and causal context, which a collection created over it continues); for the layers (replication, the
     * collection stores, tests) that must see everything. Everyone else uses {@link #read}.
     */
    public Metadata readStored(int db, byte[] key) {
        Map<java.nio.ByteBuffer, Optional<Metadata>> mine = unpublished.get();
        if (!mine.isEmpty()) {
            Optional<Metadata> staged = mine.get(java.nio.ByteBuffer.wrap(KeyCodec.meta(db, key)));
            if (staged != null) {
                return staged.orElse(null);
            }
        }
        return metaCache.read(db, key, this::load);
    }

    private Metadata load(byte[] metaKey) {
        byte[] raw = engine.get(ColumnFamily.META, metaKey);
        return raw == null ? null : Metadata.decode(raw);
    }

    private void expireNow(int db, byte[] key) {
        try (KeyLocks.Held ignored = locks.lock(db, key)) {
            Metadata stored = readStored(db, key);
            if (stored != null && !stored.tombstone() && stored.expiredAt(millis.getAsLong())) {
                applyQuietly(db, key, stored, removal(stored, true));
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
            boolean absent = stored == null || stored.tombstone();
            boolean expired = !absent && stored.expiredAt(millis.getAsLong());
            if (expired) {
                stats.expiredKeys.increment();
                // the write first expires the dead key, as Redis's lookupKeyWrite does ("expired" event)
                fireExpired(db, key);
            }
            if (meta == null) {
                if (absent) {
                    return false;
                }
                meta = removal(stored, expired);
            }
            apply(db, key, stored, collectable(keepingExpiryOrder(stored, meta)));
            return !absent && !expired;
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
            boolean absent = stored == null || stored.tombstone();
            boolean live = !absent && !stored.expiredAt(millis.getAsLong());
            if (!absent && !live) {
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
                // clearing an expiry is itself an expiry write (LWW on the expiry field); replicas must also learn
                // that this SET cleared any expiry they hold that is older
                expiryStamp = expireAt != 0 || deltaSink != null || (old != null && old.expiryStamp() != null)
                        ? stamp : null;
            }
            apply(db, key, stored, Metadata.string(value, encoding, stamp.time(), stamp, at, expiryStamp));
        }
    }

    public static final long KEEP_TTL = -1;

    /**
     * Replaces the payload of a live string in place (APPEND, SETRANGE, INCRBYFLOAT): same version, same expiry, new
     * stamp. An assignment: it becomes the new base of the {@link StringRegister}, so a counter's increments go.
     */
    public void updateString(int db, byte[] key, Metadata old, byte[] value, Encoding encoding) {
        Stamp stamp = clock.next();
        write(db, key, new Metadata(ValueType.STRING, encoding, old.version(), stamp, old.expireAt(),
                old.expiryStamp(), 0, null, value));
    }

    /**
     * INCR/DECR/INCRBY/DECRBY of {@code key}, whose live string value is {@code live} (null: absent) and becomes
     * {@code next} = its integer value + {@code by} (the caller checked both, under the key's lock). On a single node
     * the value is simply stored; while replicating it is an increment of this node's total in the key's
     * {@link StringRegister}, against the base the replica knows (a tombstone's, or none), so concurrent increments
     * on other nodes add up.
     *
     * @throws ArithmeticException if this node's running total against the base would overflow
     */
    public void increment(int db, byte[] key, Metadata live, long by, long next) {
        if (deltaSink == null) {
            if (live == null) {
                setString(db, key, Numbers.longBytes(next), Encoding.INT, 0);
            } else {
                updateString(db, key, live, Numbers.longBytes(next), Encoding.INT);
            }
            return;
        }
        try (KeyLocks.Held ignored = locks.lock(db, key)) {
            Metadata stored = live;
            if (stored == null) {
                // absent: never heard of, or a tombstone (read turns an expired value into its tombstone first)
                read(db, key);
                stored = readStored(db, key);
            }
            write(db, key, StringRegister.increment(stored, by, clock.next(), counterIncarnation));
        }
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
        meta = carried(stored, meta);
        applyQuietly(db, key, stored, meta);
        emit(db, key, meta, List.of(), false);
        fireModified(db, key);
    }

    /** {@link #apply} without telling the listeners: for expiry, which reports its own event. */
    private void applyQuietly(int db, byte[] key, Metadata stored, Metadata meta) {
        byte[] metaKey = KeyCodec.meta(db, key);
        // creating or deleting a key also writes the key-order index: that needs a batch
        boolean simple = stored != null && meta != null && !stored.type().hasSubkeys()
                && stored.expireAt() == meta.expireAt() && !stored.tombstone() && !meta.tombstone();
        if (simple) {
            // the hot path (overwrite of a string without TTL change): one JNI call, no WriteBatch, or
            // joins the burst's batch, keeping the key's stripe until the batch is written (see deferWrites)
            if (deferrable != null && deferrable.deferring() && locks.retain(db, key)) {
                deferrable.putDeferred(ColumnFamily.META, metaKey, meta.encode());
            } else {
                engine.put(ColumnFamily.META, metaKey, meta.encode());
            }
        } else {
            try (Engine.Batch batch = engine.batch()) {
                stage(batch, db, key, stored, meta);
                engine.write(batch);
            }
        }
        metaCache.written(metaKey, meta);
        Map<java.nio.ByteBuffer, Optional<Metadata>> mine = unpublished.get();
        if (!mine.isEmpty()) {
            mine.remove(java.nio.ByteBuffer.wrap(metaKey));
        }
        count(db, stored, meta);
        reclaimIfLarge(db, key, stored, meta);
        SlotDigests d = digests;
        if (d != null) {
            d.replaced(db, key, stored, meta);
        }
    }

    /**
     * What deleting {@code stored} (live, or expired when {@code expired}) leaves: nothing on a single node; while
     * replicating, its tombstone. A deletion's tombstone is stamped now; an expiry's just after the expired state's
     * last stamp (deterministic: replicas that expire the same state write the same tombstone). Either clears the
     * expiry field at its stamp, as a SET does, and keeps a collection's causal context (observed-remove).
     */
    private Metadata removal(Metadata stored, boolean expired) {
        if (deltaSink == null) {
            return null;
        }
        Stamp at;
        if (expired) {
            Stamp last = stored.expiryStamp() != null && stored.expiryStamp().after(stored.stamp())
                    ? stored.expiryStamp() : stored.stamp();
            at = new Stamp(last.time() + 1, last.node());
        } else {
            at = clock.next();
        }
        return collectable(new Metadata(stored.type(), Encoding.RAW, stored.version(), at, 0, at, 0,
                stored.type().hasSubkeys() ? stored.context() : null, null, true, 0, stored.observed()));
    }

    /**
     * {@code meta}, a local write replacing {@code stored}, with an expiry stamp no older than {@code stored}'s while
     * replicating: a value created over a tombstone or another value (which left the expiry field unset) writes its
     * expiry at its own stamp, as SET does, so the expiry field only moves forward and replicas that join the older
     * field agree with this one.
     */
    private Metadata keepingExpiryOrder(Metadata stored, Metadata meta) {
        if (deltaSink == null || meta == null || stored == null || stored.expiryStamp() == null
                || (meta.expiryStamp() != null && meta.expiryStamp().compareTo(stored.expiryStamp()) >= 0)) {
            return meta;
        }
        Stamp at = meta.stamp().after(stored.expiryStamp()) ? meta.stamp() : clock.next();
        return meta.withExpiry(meta.expireAt(), at);
    }

    /**
     * {@code meta}, a local write replacing {@code stored}, still covering the dots {@code stored} covered when it
     * changes the kind of value (observed-remove across types: a SET over a set removed the elements it saw, and a set
     * created later over that string, or its tombstone, must not let another replica's copy of them back). A string
     * or tombstone carries them forward in its observed context or context ({@link RowReplica#covering}); a collection
     * over another type joins them into its context. A write within one kind (a string over a string without an
     * observed context, a collection over itself) is returned as is: its writer already continued the context.
     */
    private static Metadata carried(Metadata stored, Metadata meta) {
        if (meta == null || stored == null) {
            return meta;
        }
        if (meta.type() == ValueType.STRING && stored.type() == ValueType.STRING) {
            byte[] observed = stored.observed();
            if (observed.length == 0 || java.util.Arrays.equals(observed, meta.observed())) {
                return meta;
            }
            return meta.observed().length == 0 ? meta.withObserved(observed)
                    : RowReplica.covering(meta, RowReplica.context(stored));
        }
        if (meta.type() == stored.type()) {
            return meta;
        }
        if (!meta.type().hasSubkeys() || meta.tombstone()) {
            return RowReplica.covering(meta, RowReplica.context(stored));
        }
        CausalContext own = RowReplica.context(meta);
        CausalContext all = own.union(RowReplica.context(stored));
        return all.equals(own) ? meta : meta.withContext(ElementCodec.encodeContext(all));
    }

    /** {@code meta}, if a tombstone, with this node's collection time (now + grace) as its payload. */
    private Metadata collectable(Metadata meta) {
        if (meta == null || !meta.tombstone()) {
            return meta;
        }
        byte[] at = java.nio.ByteBuffer.allocate(8).putLong(millis.getAsLong() + tombstoneGraceMillis).array();
        return new Metadata(meta.type(), meta.encoding(), meta.version(), meta.stamp(), meta.expireAt(),
                meta.expiryStamp(), 0, meta.context(), at, true, 0, meta.observed());
    }

    /** Where {@code meta} sits in the EXPIRE index: a live key at its expiry, a tombstone at its collection time. */
    private static long indexAt(Metadata meta) {
        if (meta == null) {
            return 0;
        }
        if (meta.tombstone()) {
            byte[] p = meta.payload();
            return p.length == 8 ? java.nio.ByteBuffer.wrap(p).getLong() : 0;
        }
        return meta.expireAt();
    }

    private static boolean live(Metadata meta) {
        return meta != null && !meta.tombstone();
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
                && (!live(meta) || meta.version() != stored.version())) {
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
        // the key-order index changes only when a key appears or disappears (a tombstone is no key)
        boolean wasLive = live(stored);
        boolean isLive = live(meta);
        if (!wasLive && isLive) {
            batch.put(ColumnFamily.ORDER, KeyCodec.order(db, key), EMPTY);
        } else if (wasLive && !isLive) {
            batch.delete(ColumnFamily.ORDER, KeyCodec.order(db, key));
        }
        long oldAt = indexAt(stored);
        long newAt = indexAt(meta);
        if (oldAt != newAt) {
            if (oldAt != 0) {
                batch.delete(ColumnFamily.EXPIRE, KeyCodec.expire(db, oldAt, key));
            }
            if (newAt != 0) {
                batch.put(ColumnFamily.EXPIRE, KeyCodec.expire(db, newAt, key), new byte[0]);
            }
        }
        if (wasLive && stored.type().hasSubkeys()
                && (!isLive || meta.type() != stored.type() || meta.version() != stored.version())) {
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
        boolean wasLive = live(stored);
        boolean isLive = live(meta);
        if (!wasLive && isLive) {
            keys[db].incrementAndGet();
        } else if (wasLive && !isLive) {
            keys[db].decrementAndGet();
        }
        boolean wasTombstone = stored != null && stored.tombstone();
        boolean isTombstone = meta != null && meta.tombstone();
        if (wasTombstone != isTombstone) {
            tombstones[db].addAndGet(isTombstone ? 1 : -1);
        }
        long oldAt = wasLive ? stored.expireAt() : 0;
        long newAt = isLive ? meta.expireAt() : 0;
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
        /** The causal context a live collection's delta ships per META key ({@link #deltaContext}); empty unless replicating. */
        private final Map<java.nio.ByteBuffer, byte[]> deltaContexts = new java.util.HashMap<>();
        /** What each key staged here held before this change set (absent: nothing); kept only while replicating. */
        private final Map<java.nio.ByteBuffer, Optional<Metadata>> before = new java.util.HashMap<>();
        /** A merge of a remote delta: reported to listeners, never to the {@link DeltaSink}. */
        private final boolean merging;

        private Changes(boolean merging) {
            this.merging = merging;
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
            } else if (deltaSink != null && !merging) {
                before.put(java.nio.ByteBuffer.wrap(KeyCodec.meta(db, key)), Optional.ofNullable(stored));
            }
            boolean absent = stored == null || stored.tombstone();
            boolean expired = !absent && stored.expiredAt(millis.getAsLong());
            if (expired) {
                stats.expiredKeys.increment();
            }
            if (meta == null && !absent) {
                meta = removal(stored, expired);
            }
            meta = collectable(merging ? meta : keepingExpiryOrder(stored, carried(stored, meta)));
            pending.put(java.nio.ByteBuffer.wrap(KeyCodec.meta(db, key)), Optional.ofNullable(meta));
            if (meta == null ? absent : meta == stored) {
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

        /**
         * Sets the causal context the delta of the live collection {@code key} ships instead of its META's full one:
         * the context of the rows this change set names ({@link #element}), so that a replica merging only those rows
         * joins only what they imply (see {@code RowWriter}). A tombstone always ships its full context (it is the
         * whole state). Writes nothing; costs nothing unless replicating.
         */
        public Changes deltaContext(int db, byte[] key, byte[] context) {
            if (deltaSink != null && !merging) {
                deltaContexts.put(java.nio.ByteBuffer.wrap(KeyCodec.meta(db, key)), context);
            }
            return this;
        }

        /** Stages a string written now, replacing the key (new version), with {@code expireAt} (0: none). */
        public Changes putString(int db, byte[] key, byte[] value, Encoding encoding, long expireAt) {
            Stamp stamp = clock.next();
            Metadata old = current(db, key);
            boolean hadExpiry = live(old) && !old.expiredAt(millis.getAsLong()) && old.expiryStamp() != null;
            return put(db, key, Metadata.string(value, encoding, stamp.time(), stamp, expireAt,
                    expireAt != 0 || hadExpiry || deltaSink != null ? stamp : null));
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
            // a string copy is an assignment at the new stamp: a counter's increments were made against src's base
            byte[] context = meta.type().hasSubkeys() ? meta.context() : null;
            long elementsHash = 0;
            if (meta.type().hasSubkeys()) {
                Metadata old = current(dstDb, dst);
                CollectionCopy.Copied copied = fresh
                        ? CollectionCopy.fresh(Keyspace.this, this, srcDb, src, meta, dstDb, dst, stamp.time(), old)
                        : CollectionCopy.moved(Keyspace.this, this, srcDb, src, meta, dstDb, dst, stamp.time(), old);
                context = copied.context();
                elementsHash = copied.elementsHash();
            }
            Metadata copy = new Metadata(meta.type(), meta.encoding(), stamp.time(), stamp, meta.expireAt(),
                    meta.expireAt() != 0 || deltaSink != null ? stamp : null, meta.size(), context, meta.payload())
                    .withElementsHash(elementsHash);
            return put(dstDb, dst, copy);
        }

        /** Writes everything staged, atomically. */
        public void commit() {
            // hide the whole batch from lock-free cache readers until all of it is written (see MetaCache)
            pending.keySet().forEach(k -> metaCache.forget(k.array()));
            if (deferred()) {
                // the cache learns the new META only once the rows are in the engine (deferredCommitted): until then
                // another thread's read misses and waits for the retained stripe, so none sees the new META with the
                // old rows; this thread reads its own from unpublished
                unpublished.get().putAll(pending);
            } else {
                engine.write(batch);
                pending.forEach((k, meta) -> metaCache.written(k.array(), meta.orElse(null)));
            }
            SlotDigests d = digests;
            for (Object[] s : staged) {
                count((Integer) s[0], (Metadata) s[1], (Metadata) s[2]);
                reclaimIfLarge((Integer) s[0], (byte[]) s[3], (Metadata) s[1], (Metadata) s[2]);
                if (d != null) {
                    d.replaced((Integer) s[0], (byte[]) s[3], (Metadata) s[1], (Metadata) s[2]);
                }
            }
            for (Object[] s : staged) {
                if ((Boolean) s[4]) {
                    fireExpired((Integer) s[0], (byte[]) s[3]);
                }
                if (deltaSink != null && !merging) {
                    // a key staged twice reports once, with its final META and every row named
                    java.nio.ByteBuffer metaKey = java.nio.ByteBuffer.wrap(KeyCodec.meta((Integer) s[0], (byte[]) s[3]));
                    Optional<Metadata> last = pending.remove(metaKey);
                    if (last != null) {
                        List<KeyDelta.Element> named = elements.remove(metaKey);
                        byte[] context = deltaContexts.remove(metaKey);
                        Metadata shipped = last.orElse(null);
                        boolean whole = context != null && createdOverCovered(before.get(metaKey), shipped);
                        if (context != null && shipped != null && !shipped.tombstone() && !whole) {
                            shipped = shipped.withContext(context);
                        }
                        emit((Integer) s[0], (byte[]) s[3], shipped, named == null ? List.of() : named, whole);
                    }
                }
                fireModified((Integer) s[0], (byte[]) s[3]);
            }
            staged.clear();
            elements.clear();
            deltaContexts.clear();
            before.clear();
        }

        /**
         * Whether {@code shipped}, a live collection this change set wrote, was created here over {@code was} (what the
         * key held before), a value of another kind or a tombstone that covered dots: a string or DEL that replaced a
         * collection, whose covered elements a replica that missed that write may still hold. Such a collection's
         * delta ships whole (every row is new, so every row is named; {@code full}, with META's whole context, which
         * carries those dots): a replica merging it sweeps its rows against that context, as for a tombstone, and drops
         * the replaced elements instead of keeping them beside the new ones. Only for rows shipped through
         * {@link #deltaContext} (hashes, sets, sorted sets), whose writers name every row they write.
         */
        private boolean createdOverCovered(Optional<Metadata> was, Metadata shipped) {
            if (was == null || was.isEmpty() || shipped == null || shipped.tombstone()
                    || !shipped.type().hasSubkeys()) {
                return false;
            }
            Metadata old = was.get();
            if (live(old) && old.type() == shipped.type()) {
                return false;
            }
            return !RowReplica.context(old).equals(CausalContext.EMPTY);
        }

        /**
         * Joins the batch to the calling thread's deferred-write scope ({@link #deferWrites}) instead of writing it,
         * when one is open and every key the batch stages can stay locked until the scope's batch is written (the
         * caller holds all of their locks): a collection write in a pipelined burst then costs no RocksDB write of
         * its own, as a plain string overwrite does. Not a merge, nor a batch that deletes a range (the engine
         * decides). The rows stay readable to this thread through the engine's open batch and its new META through
         * {@link #unpublished}; the cache learns that META only once the rows are written. The same failure rule
         * as for a deferred string applies.
         */
        private boolean deferred() {
            if (merging || deferrable == null || !deferrable.canDefer(batch)) {
                return false;
            }
            for (java.nio.ByteBuffer k : pending.keySet()) {
                byte[] metaKey = k.array();
                if (!locks.retain(metaKey[0] & 0xFF, KeyCodec.userKeyOfMeta(metaKey))) {
                    return false;
                }
            }
            return deferrable.writeDeferred(batch);
        }

        @Override
        public void close() {
            batch.close();
        }
    }

    /** A new atomic change set; use with try-with-resources and {@link Changes#commit()}. */
    public Changes changes() {
        return new Changes(false);
    }

    // ---------------------------------------------------------------- whole databases

    public long size(int db) {
        return keys[db].get();
    }

    public long expiresCount(int db) {
        return expires[db].get();
    }

    /**
     * FLUSHDB: range deletions over every family's db prefix, atomically, with all writers held off. In cluster mode
     * it is also a {@link FlushCut}: see {@link #flushRange}.
     */
    public void flush(int db) {
        flushRange(db, db + 1);
    }

    /** FLUSHALL. */
    public void flushAll() {
        flushRange(0, databases);
    }

    /**
     * Removes everything in the databases {@code [fromDb, toDb)}. In cluster mode (a {@link DeltaSink} is set) the
     * flush is a cut: a stamp taken with every stripe held, hence above every state this node stored and below every
     * one it will store or accept; the cut is persisted with the range deletion (one batch), from then on
     * {@link #merge} drops remote state at or below it, and the sink ships it to every node ({@link #applyCut}). A
     * single node writes no cut and pays nothing more than the range deletions.
     */
    private void flushRange(int fromDb, int toDb) {
        try (KeyLocks.Held ignored = locks.lockAll(); Engine.Batch batch = engine.batch()) {
            for (ColumnFamily cf : new ColumnFamily[] {ColumnFamily.META, ColumnFamily.SUB, ColumnFamily.ZSCORE, ColumnFamily.EXPIRE,
                    ColumnFamily.ORDER}) {
                batch.deleteRange(cf, KeyCodec.dbStart(fromDb), KeyCodec.dbStart(toDb));
            }
            DeltaSink sink = deltaSink;
            Stamp cut = sink == null ? null : clock.next();
            if (cut != null) {
                for (int db = fromDb; db < toDb; db++) {
                    batch.put(ColumnFamily.SYS, cutKey(db), encodeCut(cut));
                }
            }
            engine.write(batch);
            metaCache.clear();
            counterIncarnation = clock.next().time();
            for (int db = fromDb; db < toDb; db++) {
                emptied(db);
                if (cut != null) {
                    cuts.set(db, cut);
                }
            }
            fireFlushed(fromDb, toDb);
            if (cut != null) {
                try {
                    sink.flushed(fromDb, toDb, cut);
                } catch (RuntimeException e) {
                    stats.listenerFailures.increment();
                }
            }
        }
    }

    private void fireFlushed(int fromDb, int toDb) {
        for (KeyEvents l : listeners) {
            try {
                l.flushed(fromDb, toDb);
            } catch (RuntimeException e) {
                stats.listenerFailures.increment();
            }
        }
    }

    /** The highest flush cut this node applied to {@code db}, or null if none (cluster mode only). */
    public Stamp cut(int db) {
        return cuts.get(db);
    }

    /**
     * Applies a cut another node took (its FLUSHDB/FLUSHALL reaching this replica over the bus or from hints):
     * removes from the databases {@code [fromDb, toDb)} every key whose state is stamped at or before {@code cut},
     * tombstones included, and persists the cut in the same batch. Idempotent and order-free: a db whose cut is
     * already at or above {@code cut} is left alone, and {@link #merge} drops state at or below a db's cut, so the
     * deltas older than the cut that arrive before or after it end the same way. Returns whether a db took the cut.
     *
     * <p>The unit is the key, decided by its META stamp (a collection's is the stamp of its latest write): a key
     * written here after the cut (a write concurrent with the flush, stamped later by this node's clock, which
     * observed no cut yet) survives whole, pre-cut elements included; one written before goes whole, even if its
     * expiry changed later. Replicas agree because every one applies the same rule to the same stamps, and the
     * surviving keys converge by the ordinary joins. The clock observes the cut first, so nothing written here from
     * now on is at or below it. When no key of a db survives, the db's rows go by range deletions, as FLUSHDB's.
     *
     * @throws io.hyperkv.crdt.ClockSkewException if {@code cut} is too far ahead of this node's clock (nothing applied)
     */
    public boolean applyCut(FlushCut flush) {
        int fromDb = flush.fromDb();
        int toDb = Math.min(flush.toDb(), databases);
        Stamp cut = flush.cut();
        clock.observe(cut);
        try (KeyLocks.Held ignored = locks.lockAll(); Engine.Batch batch = engine.batch()) {
            List<Integer> taken = new ArrayList<>();
            List<Integer> whole = new ArrayList<>();
            List<Object[]> removed = new ArrayList<>();
            for (int db = fromDb; db < toDb; db++) {
                if (cuts.get(db) != null && !cut.after(cuts.get(db))) {
                    continue;
                }
                taken.add(db);
                if (!holdsNewer(db, cut)) {
                    // the usual case (no write here raced the flush): the whole db goes, as FLUSHDB, with no per-key work
                    for (ColumnFamily cf : new ColumnFamily[] {ColumnFamily.META, ColumnFamily.SUB, ColumnFamily.ZSCORE,
                            ColumnFamily.EXPIRE, ColumnFamily.ORDER}) {
                        batch.deleteRange(cf, KeyCodec.dbStart(db), KeyCodec.dbEnd(db));
                    }
                    whole.add(db);
                } else {
                    try (Engine.Cursor c = engine.iterate(ColumnFamily.META, KeyCodec.dbStart(db), KeyCodec.dbEnd(db))) {
                        for (; c.valid(); c.next()) {
                            Metadata m = Metadata.decode(c.value());
                            if (!m.stamp().after(cut)) {
                                byte[] key = KeyCodec.userKeyOfMeta(c.key());
                                stage(batch, db, key, m, null);
                                removed.add(new Object[] {db, key, m});
                            }
                        }
                    }
                }
                batch.put(ColumnFamily.SYS, cutKey(db), encodeCut(cut));
            }
            if (taken.isEmpty()) {
                return false;
            }
            engine.write(batch);
            metaCache.clear();
            counterIncarnation = clock.next().time();
            SlotDigests d = digests;
            for (int db : whole) {
                emptied(db);
            }
            for (Object[] r : removed) {
                int db = (Integer) r[0];
                count(db, (Metadata) r[2], null);
                if (d != null) {
                    d.replaced(db, (byte[]) r[1], (Metadata) r[2], null);
                }
                stats.dirty.increment();
            }
            for (int db : taken) {
                cuts.set(db, cut);
                sweepFrom[db] = 0;
            }
            fireFlushed(fromDb, toDb);
        }
        return true;
    }

    /** Whether some META row of {@code db}, tombstones included, is stamped after {@code cut}. */
    private boolean holdsNewer(int db, Stamp cut) {
        try (Engine.Cursor c = engine.iterate(ColumnFamily.META, KeyCodec.dbStart(db), KeyCodec.dbEnd(db))) {
            for (; c.valid(); c.next()) {
                if (Metadata.stampOf(c.value()).after(cut)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Counters, digests and expiry sweep of {@code db} after range deletions emptied it. */
    private void emptied(int db) {
        stats.dirty.add(keys[db].get());
        keys[db].set(0);
        expires[db].set(0);
        tombstones[db].set(0);
        SlotDigests d = digests;
        if (d != null) {
            d.clear(db);
        }
        sweepFrom[db] = 0;
    }

    /** Whether {@code db} has a cut at or above {@code stamp}: a remote state stamped so is flushed, not merged. */
    private boolean belowCut(int db, Stamp stamp) {
        Stamp cut = cuts.get(db);
        return cut != null && !stamp.after(cut);
    }

    private static final byte[] CUT_PREFIX = "flush-cut:".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private static byte[] cutKey(int db) {
        byte[] k = java.util.Arrays.copyOf(CUT_PREFIX, CUT_PREFIX.length + 1);
        k[CUT_PREFIX.length] = (byte) db;
        return k;
    }

    private static byte[] encodeCut(Stamp cut) {
        return java.nio.ByteBuffer.allocate(16).putLong(cut.time()).putLong(cut.node()).array();
    }

    /** The cuts persisted in SYS, per db (null: none), read once at start-up. */
    private java.util.concurrent.atomic.AtomicReferenceArray<Stamp> loadCuts() {
        var loaded = new java.util.concurrent.atomic.AtomicReferenceArray<Stamp>(databases);
        for (int db = 0; db < databases; db++) {
            byte[] raw = engine.get(ColumnFamily.SYS, cutKey(db));
            if (raw != null && raw.length == 16) {
                java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(raw);
                loaded.set(db, new Stamp(b.getLong(), b.getLong()));
            }
        }
        return loaded;
    }

    /** Every live key of {@code db} matching {@code pattern} (null: all), in storage order. */
    public List<byte[]> keys(int db, Glob pattern) {
        List<byte[]> out = new ArrayList<>();
        long now = millis.getAsLong();
        boolean all = pattern == null || pattern.matchesAll();
        try (Engine.Cursor c = engine.iterate(ColumnFamily.META, KeyCodec.dbStart(db), KeyCodec.dbEnd(db))) {
            for (; c.valid(); c.next()) {
                if (!liveAt(c.value(), now)) {
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
                if (!liveAt(value, now)) {
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
                if (live(m) && !m.expiredAt(now)) {
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
                if (liveAt(c.value(), now)) {
                    return KeyCodec.userKeyOfMeta(c.key());
                }
            }
        }
        return null;
    }

    /** Whether an encoded META value is a live key at {@code now}: no tombstone, not expired. */
    private static boolean liveAt(byte[] value, long now) {
        if (Metadata.isTombstone(value)) {
            return false;
        }
        long at = Metadata.expireAtOf(value);
        return at == 0 || at > now;
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
            if (expires[db].get() == 0 && tombstones[db].get() == 0 && !fullSweep) {
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

    /**
     * Removes the key an index entry names if it is still due, or collects the tombstone it names (an entry at or
     * before now: a tombstone's grace has passed, under the grace it was written with); drops the entry if it is
     * stale. Returns whether a live key expired.
     */
    private boolean expireIndexed(int db, byte[] key, long at, byte[] indexKey, long now) {
        try (KeyLocks.Held ignored = locks.lock(db, key)) {
            Metadata stored = readStored(db, key);
            if (stored != null && stored.tombstone()) {
                applyQuietly(db, key, stored, null);
                stats.tombstonesCollected.increment();
                if (indexAt(stored) != at) {
                    engine.delete(ColumnFamily.EXPIRE, indexKey);
                }
                return false;
            }
            if (stored != null && stored.expireAt() == at && stored.expiredAt(now)) {
                applyQuietly(db, key, stored, removal(stored, true));
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


    // ---------------------------------------------------------------- replication: merge, capture, digests

    /** One live key of a slot and its {@link StateHash#term}, for anti-entropy to compare key by key. */
    public record KeyHash(byte[] key, long hash) {}

    /**
     * Joins a remote state of {@code key} ({@code delta}: a replicated write, or a whole key from anti-entropy) into
     * the local one; idempotent, commutative and associative per key, so at-least-once delivery in any order
     * converges. Returns whether anything changed. Observes the delta's stamps into the HLC first (a stamp too far
     * ahead of the wall clock is refused with {@link io.hyperkv.crdt.ClockSkewException}, nothing applied). Takes the
     * key's lock; never reported to the {@link DeltaSink}; a change fires {@link KeyEvents#modified}. The caller waits
     * for {@link #durable()} before acknowledging.
     *
     * <p>Rules, per kind of the remote and local values:
     * <ul>
     *   <li>the same collection type (live or tombstone on either side), or a collection where nothing is stored: the
     *       type's {@link CollectionReplica} joins rows and context (observed-remove); a live collection's delta that
     *       names no element (an expiry change) joins only its expiry field;</li>
     *   <li>strings and tombstones: the {@link StringRegister} join (LWW base, PN counter over it);</li>
     *   <li>two types (a type conflict): the greater {@link StringRegister#rank rank} wins the whole key, ties broken
     *       by type code, then live over tombstone; the loser's rows go;</li>
     *   <li>always: the expiry field is last-writer-wins on its own stamp, independently of the value.</li>
     * </ul>
     * Whatever wins, the result covers every dot either side covered (a collection's context, a string's observed
     * context: see {@link Metadata}): a collection winning a type conflict drops its rows whose dots the loser had
     * seen removed, and a collection created later over a string or tombstone starts from what it covers, so the
     * elements a SET or DEL observed do not come back from a replica that missed it.
     * Strings, counters, expiry and deletions converge from the deltas alone, in any order.
     *
     * @throws StoreException if the delta is a collection with no {@link CollectionReplica} registered for its type
     */
    public boolean merge(int db, byte[] key, KeyDelta delta) {
        if (mergesInParts(db, key, delta)) {
            return mergeInParts(db, key, delta);
        }
        Metadata remote = delta.meta();
        clock.observe(remote.stamp());
        if (remote.expiryStamp() != null) {
            clock.observe(remote.expiryStamp());
        }
        try (KeyLocks.Held ignored = locks.lock(db, key); Changes changes = new Changes(true)) {
            if (belowCut(db, remote.stamp())) {
                // flushed by a FLUSHDB/FLUSHALL cut: a late delta, a hint or a stale replica must not bring it back
                return false;
            }
            Metadata stored = readStored(db, key);
            Metadata joined = join(db, key, stored, delta, changes);
            Metadata result = joined == null ? null : localized(withJoinedExpiry(joined, stored, remote), stored);
            if (result == null || (stored != null && sameState(stored, result))) {
                return false;
            }
            changes.put(db, key, stored, result).commit();
            return true;
        }
    }

    /** The joined value of {@code key} before the expiry join; null if nothing is stored and nothing arrives. */
    private Metadata join(int db, byte[] key, Metadata stored, KeyDelta delta, Changes changes) {
        Metadata remote = delta.meta();
        ValueType type = remote.type();
        if (type.hasSubkeys() && !remote.tombstone() && !delta.full() && delta.part() == null
                && delta.elements().isEmpty()) {
            // a collection's expiry change (EXPIRE, PERSIST): its context names elements this delta does not carry,
            // so only the expiry field joins; with nothing stored, a tombstone that never outranks anything holds it
            return stored != null ? stored : Metadata.tombstone(type, 0, Stamp.ZERO, null);
        }
        boolean sameType = stored != null && stored.type() == type;
        if (type.hasSubkeys() && (stored == null || sameType)) {
            return replica(type).merge(db, key, stored, delta, changes);
        }
        boolean remoteString = type == ValueType.STRING || remote.tombstone();
        boolean localString = stored == null || stored.type() == ValueType.STRING || stored.tombstone();
        if (remoteString && localString) {
            // the register's winner keeps, either way, every dot both sides covered (observed contexts)
            return RowReplica.covering(RowReplica.covering(StringRegister.join(stored, remote),
                    RowReplica.context(stored)), RowReplica.context(remote));
        }
        // a type conflict: the greater rank wins the whole key, and covers the dots the loser covered
        if (!outranks(remote, stored)) {
            return covered(db, key, stored, RowReplica.context(remote), changes);
        }
        if (type.hasSubkeys() && !remote.tombstone()) {
            // the loser's covered dots join as the context of a tombstone the winner's rows merge into
            CausalContext lost = RowReplica.context(stored);
            Metadata base = lost.equals(CausalContext.EMPTY) ? null
                    : Metadata.tombstone(type, 0, Stamp.ZERO, ElementCodec.encodeContext(lost));
            return replica(type).merge(db, key, base, delta, changes);
        }
        return RowReplica.covering(remote, RowReplica.context(stored));
    }

    /**
     * {@code winner} (stored) after a type conflict it won also covers {@code lost}, what the loser covered: a string or
     * tombstone in its (observed) context; a live collection by merging a tombstone of its type with context
     * {@code lost}, which also removes its rows whose dots the loser had seen removed.
     */
    private Metadata covered(int db, byte[] key, Metadata winner, CausalContext lost, Changes changes) {
        if (!winner.type().hasSubkeys() || winner.tombstone()) {
            return RowReplica.covering(winner, lost);
        }
        if (lost.equals(CausalContext.EMPTY)) {
            return winner;
        }
        Metadata removed = Metadata.tombstone(winner.type(), 0, Stamp.ZERO, ElementCodec.encodeContext(lost));
        return replica(winner.type()).merge(db, key, winner, new KeyDelta(removed, List.of(), true), changes);
    }

    private static boolean outranks(Metadata a, Metadata b) {
        int c = StringRegister.rank(a).compareTo(StringRegister.rank(b));
        if (c == 0) {
            c = Integer.compare(a.type().code(), b.type().code());
        }
        return c != 0 ? c > 0 : !a.tombstone() && b.tombstone();
    }

    private CollectionReplica replica(ValueType type) {
        CollectionReplica r = collection(type);
        if (r == null) {
            throw new StoreException("no replica registered for " + type + " values: cannot merge it");
        }
        return r;
    }

    /** {@code joined} with the last-writer-wins join of {@code stored}'s and {@code remote}'s expiry fields. */
    private static Metadata withJoinedExpiry(Metadata joined, Metadata stored, Metadata remote) {
        Metadata winner = remote;
        if (stored != null && expiryOf(stored).compareTo(expiryOf(remote)) >= 0) {
            // equal stamps name one write: the later deadline keeps the join commutative on bad input
            winner = expiryOf(stored).equals(expiryOf(remote)) && remote.expireAt() > stored.expireAt() ? remote : stored;
        }
        if (winner.expireAt() == joined.expireAt() && java.util.Objects.equals(winner.expiryStamp(), joined.expiryStamp())) {
            return joined;
        }
        return joined.withExpiry(winner.expireAt(), winner.expiryStamp());
    }

    private static Stamp expiryOf(Metadata m) {
        return m.expiryStamp() == null ? Stamp.ZERO : m.expiryStamp();
    }

    /**
     * A joined value as this node stores it: its own version while the key stays the same live string (a new one
     * when the key changes type or comes back), its own collection time for a tombstone. Collections keep the version
     * their replica chose.
     */
    private Metadata localized(Metadata joined, Metadata stored) {
        if (joined == stored) {
            return joined;
        }
        if (joined.tombstone()) {
            return collectable(joined);
        }
        if (joined.type().hasSubkeys()) {
            return joined;
        }
        long version = live(stored) && stored.type() == ValueType.STRING ? stored.version() : joined.stamp().time();
        if (live(stored) && stored.type().hasSubkeys() && version == stored.version()) {
            version++;
        }
        return version == joined.version() ? joined : new Metadata(joined.type(), joined.encoding(), version,
                joined.stamp(), joined.expireAt(), joined.expiryStamp(), 0, joined.context(), joined.payload(), false, 0,
                joined.observed());
    }

    /** Equal replicated state and liveness: nothing to write (version, size and a tombstone's collection time aside). */
    private static boolean sameState(Metadata a, Metadata b) {
        if (a.tombstone() != b.tombstone() || a.type() != b.type() || a.size() != b.size()) {
            return false;
        }
        if (a.tombstone()) {
            return a.stamp().equals(b.stamp()) && a.expireAt() == b.expireAt()
                    && java.util.Objects.equals(a.expiryStamp(), b.expiryStamp())
                    && java.util.Arrays.equals(a.context(), b.context())
                    && java.util.Arrays.equals(a.observed(), b.observed());
        }
        return a.version() == b.version() && StateHash.of(a) == StateHash.of(b) && a.equals(b);
    }

    /**
     * The whole stored state of {@code key} as a full {@link KeyDelta}, tombstones and expired values included (they
     * are state a replica may lack); null when nothing is stored. Takes the key's lock, so a collection's rows and
     * META are read as of one moment.
     */
    public KeyDelta capture(int db, byte[] key) {
        try (KeyLocks.Held ignored = locks.lock(db, key)) {
            Metadata m = readStored(db, key);
            if (m == null) {
                return null;
            }
            List<KeyDelta.Element> rows = m.type().hasSubkeys() && !m.tombstone()
                    ? replica(m.type()).elements(db, key, m) : List.of();
            return new KeyDelta(m, rows, true);
        }
    }

    // ---------------------------------------------------------------- anti-entropy of big slots and big keys

    /**
     * Local rows a whole state (or a collection's tombstone) is merged against per batch when the key is a large live
     * collection here: each batch is one {@link KeyDelta.Part} of the whole, so a merge never holds more rows than
     * this (plus the delta's own) in memory or in one write batch.
     */
    static final int MERGE_PART_ROWS = 8_192;

    /**
     * A page of {@link #keyHashes(int, int)}: the live keys of the slot after {@code after} (null: from the first), in
     * unsigned byte order, at most {@code limit}. Fewer than {@code limit} means the slot ends there.
     */
    public List<KeyHash> keyHashes(int db, int slot, byte[] after, int limit) {
        List<KeyHash> out = new ArrayList<>(Math.min(Math.max(limit, 0), 1024));
        if (limit > 0) {
            forSlot(db, slot, after, (key, value) -> {
                if (!Metadata.isTombstone(value)) {
                    out.add(new KeyHash(key, StateHash.term(key, Metadata.decode(value))));
                }
                return out.size() < limit;
            });
        }
        return out;
    }

    /**
     * The stored state of {@code key} in pieces of about {@code maxBytes} (at least one row each, at most
     * {@link #MERGE_PART_ROWS}: a receiver merges a part in one batch, within a call's timeout), for anti-entropy:
     * with {@code after} null, the whole state ({@link #capture}) when it fits or is not a live collection, else its
     * first part; with {@code after} set, the part of a live collection's rows after element {@code after} (possibly
     * empty, when nothing follows), or the whole state when the key is no longer a live collection. The last part has
     * {@link KeyDelta.Part#last()}. Null when nothing is stored. Takes the key's lock for one part.
     */
    public KeyDelta capturePart(int db, byte[] key, byte[] after, int maxBytes) {
        try (KeyLocks.Held ignored = locks.lock(db, key)) {
            Metadata m = readStored(db, key);
            if (m == null) {
                return null;
            }
            if (!m.type().hasSubkeys() || m.tombstone()) {
                return new KeyDelta(m, List.of(), true);
            }
            byte[] prefix = KeyCodec.subPrefix(db, key, m.version());
            byte[] from = after == null ? prefix : KeyCodec.sub(db, key, m.version(), after);
            List<KeyDelta.Element> rows = new ArrayList<>();
            long bytes = 64 + m.context().length;
            byte[] upTo = null;
            try (Engine.Cursor c = engine.iterate(ColumnFamily.SUB, from, KeyCodec.prefixEnd(prefix))) {
                for (; c.valid(); c.next()) {
                    byte[] name = ElementRows.element(c.key(), prefix.length);
                    if (after != null && java.util.Arrays.equals(name, after)) {
                        continue;
                    }
                    long row = 8 + name.length + c.value().length;
                    if (!rows.isEmpty() && (bytes + row > maxBytes || rows.size() == MERGE_PART_ROWS)) {
                        upTo = rows.get(rows.size() - 1).name();
                        break;
                    }
                    rows.add(new KeyDelta.Element(name, c.value()));
                    bytes += row;
                }
            }
            if (after == null && upTo == null) {
                return new KeyDelta(m, rows, true);
            }
            return new KeyDelta(m, rows, false, new KeyDelta.Part(after, upTo));
        }
    }

    /** Whether {@code delta} is a whole state (or tombstone) of a collection that is large and live here. */
    private boolean mergesInParts(int db, byte[] key, KeyDelta delta) {
        Metadata remote = delta.meta();
        if (delta.part() != null || !remote.type().hasSubkeys() || !(delta.full() || remote.tombstone())) {
            return false;
        }
        Metadata stored = readStored(db, key);
        return stored != null && !stored.tombstone() && stored.type() == remote.type()
                && stored.size() > MERGE_PART_ROWS;
    }

    /**
     * Merges the whole state {@code whole} as consecutive parts over the local rows, {@link #MERGE_PART_ROWS} of them
     * per part: each part names {@code whole}'s rows of its range and carries its context (one capture, so one
     * context for all parts); the last joins the context. A key that changes meanwhile only moves the cuts.
     */
    private boolean mergeInParts(int db, byte[] key, KeyDelta whole) {
        List<KeyDelta.Element> rows = new ArrayList<>(whole.elements());
        rows.sort((x, y) -> java.util.Arrays.compareUnsigned(x.name(), y.name()));
        boolean changed = false;
        byte[] after = null;
        int next = 0;
        while (true) {
            byte[] upTo = partEnd(db, key, after);
            int from = next;
            while (next < rows.size()
                    && (upTo == null || java.util.Arrays.compareUnsigned(rows.get(next).name(), upTo) <= 0)) {
                next++;
            }
            KeyDelta part = new KeyDelta(whole.meta(), rows.subList(from, next), false, new KeyDelta.Part(after, upTo));
            changed |= merge(db, key, part);
            if (upTo == null) {
                return changed;
            }
            after = upTo;
        }
    }

    /**
     * The name of the {@link #MERGE_PART_ROWS}-th stored row of {@code key} (a live collection) after element
     * {@code after}, or null when fewer follow (or the key is no longer a live collection): the end of the next part.
     */
    private byte[] partEnd(int db, byte[] key, byte[] after) {
        Metadata m = readStored(db, key);
        if (m == null || m.tombstone() || !m.type().hasSubkeys()) {
            return null;
        }
        byte[] prefix = KeyCodec.subPrefix(db, key, m.version());
        byte[] from = after == null ? prefix : KeyCodec.sub(db, key, m.version(), after);
        int n = 0;
        try (Engine.Cursor c = engine.iterate(ColumnFamily.SUB, from, KeyCodec.prefixEnd(prefix))) {
            for (; c.valid(); c.next()) {
                byte[] name = ElementRows.element(c.key(), prefix.length);
                if ((after == null || !java.util.Arrays.equals(name, after)) && ++n == MERGE_PART_ROWS) {
                    return name;
                }
            }
        }
        return null;
    }

    /**
     * The digest of one slot: XOR over its live keys (expired ones until expiry removes them) of
     * {@link StateHash#term}. From memory in cluster mode; computed from disk by one pass over the slot otherwise.
     */
    public long slotDigest(int db, int slot) {
        SlotDigests d = digests;
        if (d != null) {
            return d.slot(db, slot);
        }
        long x = 0;
        for (KeyHash h : keyHashes(db, slot)) {
            x ^= h.hash;
        }
        return x;
    }

    /** The live keys of one slot (those its digest covers), in key order, with their {@link StateHash#term}. */
    public List<KeyHash> keyHashes(int db, int slot) {
        List<KeyHash> out = new ArrayList<>();
        forSlot(db, slot, (key, value) -> {
            if (!Metadata.isTombstone(value)) {
                out.add(new KeyHash(key, StateHash.term(key, hashed(db, key, Metadata.decode(value)))));
            }
            return true;
        });
        return out;
    }

    /**
     * All dbs' slot digests in one 20-byte value (DEBUG DIGEST): equal on replicas holding equal live keys; all zero
     * when there is none. From memory in cluster mode, else from one pass over META.
     */
    public byte[] digest() {
        SlotDigests d = digests;
        return (d != null ? d : computeDigests(false)).digest();
    }

    /** DEBUG DIGEST-VALUE: 20 bytes naming the live state of {@code key} (zeros when it has none), equal on replicas. */
    public byte[] valueDigest(int db, byte[] key) {
        Metadata m = read(db, key);
        return SlotDigests.keyDigest(key, m == null ? null : hashed(db, key, m));
    }

    /** {@code m}, the META of {@code key}, with its element hash computed from its rows when it is stale. */
    private Metadata hashed(int db, byte[] key, Metadata m) {
        return m.hashStale() ? m.withElementsHash(ElementHash.ofRows(engine, KeyCodec.subPrefix(db, key, m.version()))) : m;
    }

    /**
     * The slot digests from disk: the pass that starts their in-memory upkeep, and DEBUG DIGEST on a single node. A
     * collection whose element hash is stale is hashed from its rows; with {@code repair} (every stripe held) its META
     * is rewritten with that hash, so replicating writes continue from it.
     */
    private SlotDigests computeDigests(boolean repair) {
        SlotDigests d = new SlotDigests(databases);
        try (Engine.Cursor c = engine.iterate(ColumnFamily.META, KeyCodec.dbStart(0), KeyCodec.dbStart(databases));
                Engine.Batch rehashed = engine.batch()) {
            for (; c.valid(); c.next()) {
                if (!Metadata.isTombstone(c.value())) {
                    byte[] key = KeyCodec.userKeyOfMeta(c.key());
                    int db = c.key()[0] & 0xFF;
                    Metadata m = Metadata.decode(c.value());
                    if (m.hashStale()) {
                        m = hashed(db, key, m);
                        if (repair) {
                            rehashed.put(ColumnFamily.META, c.key(), m.encode());
                        }
                    }
                    d.add(db, KeyCodec.slotOfMeta(c.key()), StateHash.term(key, m));
                }
            }
            if (repair && !rehashed.isEmpty()) {
                engine.write(rehashed);
                metaCache.clear();
            }
        }
        return d;
    }

    /** The number of live keys (no tombstone, not expired) of {@code slot} in {@code db}: CLUSTER COUNTKEYSINSLOT. */
    public long countInSlot(int db, int slot) {
        long now = millis.getAsLong();
        long[] n = new long[1];
        forSlot(db, slot, (key, value) -> {
            if (liveAt(value, now)) {
                n[0]++;
            }
            return true;
        });
        return n[0];
    }

    /** Up to {@code count} live keys of {@code slot} in {@code db}, in key order: CLUSTER GETKEYSINSLOT. */
    public List<byte[]> keysInSlot(int db, int slot, int count) {
        long now = millis.getAsLong();
        List<byte[]> out = new ArrayList<>();
        if (count > 0) {
            forSlot(db, slot, (key, value) -> {
                if (liveAt(value, now)) {
                    out.add(key);
                }
                return out.size() < count;
            });
        }
        return out;
    }

    /** Visits the META rows of one slot in key order while {@code visitor} returns true. */
    private void forSlot(int db, int slot, SlotVisitor visitor) {
        forSlot(db, slot, null, visitor);
    }

    /** As {@link #forSlot(int, int, SlotVisitor)}, from the first key after {@code after} (null: from the first). */
    private void forSlot(int db, int slot, byte[] after, SlotVisitor visitor) {
        if (slot < 0 || slot >= KeySlot.SLOTS) {
            throw new IllegalArgumentException("slot must be in 0.." + (KeySlot.SLOTS - 1));
        }
        byte[] end = slot + 1 < KeySlot.SLOTS ? KeyCodec.slotStart(db, slot + 1) : KeyCodec.dbEnd(db);
        byte[] start = after == null ? KeyCodec.slotStart(db, slot) : KeyCodec.meta(db, slot, after);
        try (Engine.Cursor c = engine.iterate(ColumnFamily.META, start, end)) {
            for (; c.valid(); c.next()) {
                byte[] key = KeyCodec.userKeyOfMeta(c.key());
                if (after != null && java.util.Arrays.compareUnsigned(key, after) <= 0) {
                    continue;
                }
                if (!visitor.visit(key, c.value())) {
                    return;
                }
            }
        }
    }

    @FunctionalInterface
    private interface SlotVisitor {
        boolean visit(byte[] key, byte[] metaValue);
    }

    /**
     * Removes everything this node stores in {@code slot}, in every db, tombstones included: after the node stopped
     * owning it (the new owners hold it). Holds every stripe; one batch; replicated to nobody; listeners hear of it
     * through {@link KeyEvents#slotDropped}.
     */
    public void dropSlot(int slot) {
        try (KeyLocks.Held ignored = locks.lockAll(); Engine.Batch batch = engine.batch()) {
            long[] droppedKeys = new long[databases];
            long[] droppedExpires = new long[databases];
            long[] droppedTombstones = new long[databases];
            for (int db = 0; db < databases; db++) {
                int d = db;
                forSlot(db, slot, (key, value) -> {
                    Metadata m = Metadata.decode(value);
                    long at = indexAt(m);
                    if (at != 0) {
                        batch.delete(ColumnFamily.EXPIRE, KeyCodec.expire(d, at, key));
                    }
                    if (m.tombstone()) {
                        droppedTombstones[d]++;
                    } else {
                        batch.delete(ColumnFamily.ORDER, KeyCodec.order(d, key));
                        droppedKeys[d]++;
                        droppedExpires[d] += m.expireAt() != 0 ? 1 : 0;
                    }
                    return true;
                });
                byte[] from = KeyCodec.slotStart(db, slot);
                byte[] to = slot + 1 < KeySlot.SLOTS ? KeyCodec.slotStart(db, slot + 1) : KeyCodec.dbEnd(db);
                for (ColumnFamily cf : new ColumnFamily[] {ColumnFamily.META, ColumnFamily.SUB, ColumnFamily.ZSCORE}) {
                    batch.deleteRange(cf, from, to);
                }
            }
            engine.write(batch);
            metaCache.clear();
            counterIncarnation = clock.next().time();
            SlotDigests d = digests;
            for (int db = 0; db < databases; db++) {
                keys[db].addAndGet(-droppedKeys[db]);
                expires[db].addAndGet(-droppedExpires[db]);
                tombstones[db].addAndGet(-droppedTombstones[db]);
                stats.dirty.add(droppedKeys[db]);
                if (d != null) {
                    d.clear(db, slot);
                }
            }
            // still holding every stripe, as flush does: a watcher or blocked client sees the drop before any write
            for (KeyEvents l : listeners) {
                try {
                    l.slotDropped(slot);
                } catch (RuntimeException e) {
                    stats.listenerFailures.increment();
                }
            }
        }
    }

    /** Tombstone rows of {@code db} waiting for collection (no key: for INFO and tests). */
    public long tombstoneCount(int db) {
        return tombstones[db].get();
    }
}
