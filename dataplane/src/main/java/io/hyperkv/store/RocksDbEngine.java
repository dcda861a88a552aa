package io.hyperkv.store;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.Checkpoint;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DataBlockIndexType;
import org.rocksdb.DBOptions;
import org.rocksdb.LRUCache;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.rocksdb.WALRecoveryMode;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteBatchWithIndex;
import org.rocksdb.WriteOptions;

/**
 * The RocksDB engine: one database, one RocksDB column family per {@link ColumnFamily}.
 *
 * <p>Invariants: the WAL is always on. Writes land in RocksDB's WAL buffer (manual WAL flush)
 * and {@link #durable()} hands that buffer to the operating system with one write for every
 * write made so far, so a server that replies only after {@code durable()} never acknowledges a
 * write a killed process could lose, while a pipelined burst costs one system call, not one per
 * command. Writes nobody waits for (expiry, SAVE bookkeeping) reach the file within a second or
 * when the buffer fills. Only the fsync depends on {@link Fsync}: under ALWAYS a single syncer
 * thread serves {@link #durable()} as a group commit: it notes how many writes have returned,
 * flushes and fsyncs once, and completes every waiter whose writes that fsync covered. Recovery
 * replays the WAL up to the first torn or corrupt record ({@code PointInTimeRecovery}), so a crash
 * in the middle of a write never stops the node from starting. Memory is bounded by the shared
 * block cache and the write buffers, not by the data size.
 */
public final class RocksDbEngine implements Engine {

    static {
        RocksDB.loadLibrary();
    }

    private static final Logger LOG = Logger.getLogger(RocksDbEngine.class.getName());
    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    private final Path dataDir;
    private final RocksDB db;
    private final DBOptions dbOptions;
    private final List<ColumnFamilyOptions> cfOptions = new ArrayList<>();
    private final List<ColumnFamilyHandle> handles = new ArrayList<>();
    private final Map<ColumnFamily, ColumnFamilyHandle> families = new EnumMap<>(ColumnFamily.class);
    private final LRUCache blockCache;
    private final WriteOptions writeOptions = new WriteOptions();
    private final ReadOptions readOptions = new ReadOptions();
    /** Element rows ({@link ColumnFamily#SUB}) already read or written, in front of the memtable's skip list. */
    private final RowCache rows;

    private volatile Fsync fsync;
    /** Writes that have returned; an fsync started after reading n covers the first n. */
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong synced = new AtomicLong();
    /** Writes handed to the operating system (flushed from the WAL buffer, not necessarily fsynced). */
    private final AtomicLong flushed = new AtomicLong();
    private final AtomicLong groupCommits = new AtomicLong();
    private final ConcurrentLinkedQueue<Waiter> waiters = new ConcurrentLinkedQueue<>();
    private final ReentrantLock syncLock = new ReentrantLock();
    private final Condition work = syncLock.newCondition();
    private final Thread syncer;
    private final ScheduledExecutorService everySecond;
    /** Runs {@link #compactRangeSoon} requests one at a time; close() waits for the running one. */
    private final java.util.concurrent.ExecutorService reclaimer;
    private volatile boolean closed;

    private record Waiter(long target, CompletableFuture<Void> future) {}

    /** Deferred writes per batch: enough to pay RocksDB's write path once per pipeline of 16-64, few enough that the
     *  keys they keep locked are released within microseconds. */
    static final int MAX_DEFERRED = 64;

    /** The deferred writes of the current thread's open scope ({@link #deferWrites}); null outside one. */
    private final ThreadLocal<Deferred> deferred = new ThreadLocal<>();
    /**
     * A written, cleared batch each thread keeps for its next scope: an indexed batch costs native allocations
     * (its skip list and arena) that a pipelined burst would otherwise pay every time. At most one per thread that
     * deferred; {@link #batches} holds them all so {@link #close()} frees them.
     */
    private final ThreadLocal<WriteBatchWithIndex> spareBatch = new ThreadLocal<>();
    /** Every indexed batch this engine made and has not closed. */
    private final Set<WriteBatchWithIndex> batches = ConcurrentHashMap.newKeySet();
    /** Set once a deferred batch failed to reach RocksDB: from then on {@link #durable()} fails, so nothing is acknowledged. */
    private volatile StoreException deferredFailure;

    /** Told, on the writing thread, that the writes deferred so far left the open batch (written or not). */
    public interface DeferredCommit {
        void committed(boolean written);
    }

    private static final class Deferred {
        final DeferredCommit hook;
        /**
         * The open batch, indexed by RocksDB ({@code overwrite_key}: the last write of a row wins), so a point read of
         * the writing thread answers from it for the rows it writes and from the database for the others
         * ({@code getFromBatchAndDB}) without committing it. Null when nothing is staged.
         */
        WriteBatchWithIndex batch;
        /** The {@link ColumnFamily#SUB} rows staged in {@link #batch}, in order: read back and published from here. */
        final List<Row> subRows = new ArrayList<>();
        int depth;
        boolean wrote;

        Deferred(DeferredCommit hook) {
            this.hook = hook;
        }
    }

    private RocksDbEngine(Path dataDir, Fsync fsync, RocksDB db, DBOptions dbOptions, LRUCache cache) {
        this.dataDir = dataDir;
        this.fsync = fsync;
        this.db = db;
        this.dbOptions = dbOptions;
        this.blockCache = cache;
        this.rows = new RowCache(RowCache.defaultBytes());
        this.syncer = new Thread(this::syncLoop, "hyperkv-wal-syncer");
        this.syncer.setDaemon(true);
        this.reclaimer = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "hyperkv-reclaim");
            t.setDaemon(true);
            return t;
        });
        this.everySecond = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "hyperkv-wal-everysec");
            t.setDaemon(true);
            return t;
        });
    }

    /** Opens (creating if needed) the database under {@code options.dataDir()}/rocksdb. */
    public static RocksDbEngine open(EngineOptions options) {
        Path dir = options.dataDir().toAbsolutePath();
        try {
            Files.createDirectories(dir);
        } catch (java.io.IOException e) {
            throw new StoreException("cannot create data directory " + dir + ": " + e.getMessage(), e);
        }
        LRUCache cache = new LRUCache(options.blockCacheBytes());
        DBOptions dbOptions = new DBOptions()
                .setCreateIfMissing(true)
                .setCreateMissingColumnFamilies(true)
                .setWalRecoveryMode(WALRecoveryMode.PointInTimeRecovery)
                // writes fill an in-memory WAL buffer; durable() writes it out once per burst of
                // commands instead of one write(2) per command (see the class comment)
                .setManualWalFlush(true)
                .setMaxBackgroundJobs(2)
                .setKeepLogFileNum(5)
                .setMaxTotalWalSize(4 * options.writeBufferBytes());
        List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
        List<ColumnFamilyOptions> cfOptions = new ArrayList<>();
        ColumnFamilyOptions defaults = new ColumnFamilyOptions();
        cfOptions.add(defaults);
        descriptors.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, defaults));
        for (ColumnFamily cf : ColumnFamily.values()) {
            // element rows are read one at a time on every collection write (is the member there? what does the
            // field hold?): a whole-key bloom filter over the memtable skips its skip-list walk for rows that are
            // not in it, and a hash index in each data block finds a row without the binary search over the
            // block's restart points (it serves point reads only; iterators still search)
            boolean points = cf == ColumnFamily.SUB;
            ColumnFamilyOptions o = new ColumnFamilyOptions()
                    .setCompressionType(CompressionType.LZ4_COMPRESSION)
                    .setBottommostCompressionType(CompressionType.ZSTD_COMPRESSION)
                    .setWriteBufferSize(cf == ColumnFamily.META ? options.metaWriteBufferBytes()
                            : cf == ColumnFamily.SUB ? options.subWriteBufferBytes()
                            : Math.max(4L << 20, options.writeBufferBytes() / 8))
                    .setMaxWriteBufferNumber(3)
                    .setLevelCompactionDynamicLevelBytes(true)
                    .setTableFormatConfig(new BlockBasedTableConfig()
                            .setBlockCache(cache)
                            .setFilterPolicy(new BloomFilter(10, false))
                            .setCacheIndexAndFilterBlocks(true)
                            .setPinL0FilterAndIndexBlocksInCache(true)
                            .setDataBlockIndexType(points ? DataBlockIndexType.kDataBlockBinaryAndHash
                                    : DataBlockIndexType.kDataBlockBinarySearch)
                            .setBlockSize(16 * 1024));
            if (points) {
                o.setMemtablePrefixBloomSizeRatio(0.1).setMemtableWholeKeyFiltering(true);
            }
            cfOptions.add(o);
            descriptors.add(new ColumnFamilyDescriptor(cf.rocksName(), o));
        }
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        RocksDB db;
        try {
            db = RocksDB.open(dbOptions, dir.resolve("rocksdb").toString(), descriptors, handles);
        } catch (RocksDBException e) {
            cfOptions.forEach(ColumnFamilyOptions::close);
            dbOptions.close();
            cache.close();
            throw new StoreException("cannot open RocksDB in " + dir + ": " + e.getMessage(), e);
        }
        RocksDbEngine engine = new RocksDbEngine(dir, options.fsync(), db, dbOptions, cache);
        engine.cfOptions.addAll(cfOptions);
        engine.handles.addAll(handles);
        ColumnFamily[] all = ColumnFamily.values();
        for (int i = 0; i < all.length; i++) {
            engine.families.put(all[i], handles.get(i + 1));
        }
        engine.syncer.start();
        engine.everySecond.scheduleWithFixedDelay(engine::syncIfEverySecond, 1, 1, TimeUnit.SECONDS);
        LOG.info(() -> "RocksDB opened in " + dir + " (appendfsync " + options.fsync().redisName() + ")");
        return engine;
    }

    private ColumnFamilyHandle h(ColumnFamily cf) {
        return families.get(cf);
    }

    /**
     * Opens (or, nested, joins) a scope on the calling thread in which {@link #putDeferred} collects writes into one
     * indexed batch instead of writing each: an event loop answering a pipelined burst then pays RocksDB's write path
     * (write-thread join, WAL record, sequence publication) once per burst instead of once per command
     * ({@link #writeDeferred} joins a whole {@link Batch} the same way). A point read ({@link #get}) of this thread
     * answers from the open batch for the rows it writes and from the database for the others, without committing it;
     * the batch is committed, in order, before any other operation this thread makes on the engine (so the thread
     * reads its own writes and its later writes land after them), when {@link #commitDeferred} is called (by whoever holds a lock
     * another thread needs), and when the outermost scope ends. {@code hook} hears of every commit; the caller keeps
     * whatever other threads must not see as written (the keys' locks) until then.
     */
    public void deferWrites(DeferredCommit hook) {
        Deferred d = deferred.get();
        if (d == null) {
            d = new Deferred(hook);
            deferred.set(d);
        }
        d.depth++;
    }

    /** Closes the scope {@link #deferWrites} opened; the outermost commits. Returns whether the scope deferred a write. */
    public boolean endDeferred() {
        Deferred d = deferred.get();
        if (d == null) {
            return false;
        }
        if (--d.depth > 0) {
            return d.wrote;
        }
        deferred.remove();
        settle(d);
        return d.wrote;
    }

    /** Whether the calling thread has a scope open, i.e. {@link #putDeferred} would defer. */
    public boolean deferring() {
        return deferred.get() != null;
    }

    /** Writes what the calling thread deferred so far, if anything. */
    public void commitDeferred() {
        Deferred d = deferred.get();
        if (d != null) {
            settle(d);
        }
    }

    /** {@link #put}, deferred to the end of the calling thread's scope when one is open. */
    public void putDeferred(ColumnFamily cf, byte[] key, byte[] value) {
        Deferred d = deferred.get();
        if (d == null) {
            put(cf, key, value);
            return;
        }
        stageDeferred(d, cf, key, value);
        if (d.batch.count() >= MAX_DEFERRED) {
            // a long pipeline must not keep its keys locked for its whole burst
            settle(d);
        }
    }

    /**
     * Joins {@code batch} (from {@link #batch()}) to the calling thread's deferred batch, as {@link #putDeferred} does
     * for one row, and returns true; false, with nothing done, when the thread has no scope open or the batch cannot
     * be deferred (it deletes a range, which a point read could not see through, or was made outside a scope), in
     * which case the caller {@link #write}s it. Either way the batch's rows are written atomically: a deferred batch
     * becomes part of the scope's one WriteBatch.
     */
    public boolean writeDeferred(Batch batch) {
        RocksBatch b = (RocksBatch) batch;
        Deferred d = deferred.get();
        if (d == null || b.ops == null) {
            return false;
        }
        for (Row row : b.ops) {
            stageDeferred(d, row.cf(), row.key(), row.value());
        }
        b.ops.clear();
        if (d.batch != null && d.batch.count() >= MAX_DEFERRED) {
            settle(d);
        }
        return true;
    }

    /** Whether {@link #writeDeferred} would take {@code batch} now. */
    public boolean canDefer(Batch batch) {
        return ((RocksBatch) batch).ops != null && deferred.get() != null;
    }

    /** The calling thread's spare batch (see {@link #spareBatch}), or a new one. */
    private WriteBatchWithIndex takeSpareBatch() {
        WriteBatchWithIndex spare = spareBatch.get();
        if (spare != null) {
            spareBatch.remove();
            return spare;
        }
        WriteBatchWithIndex fresh = new WriteBatchWithIndex(true);
        batches.add(fresh);
        return fresh;
    }

    /** Adds one row (value null: a delete) to the thread's open batch. */
    private void stageDeferred(Deferred d, ColumnFamily cf, byte[] key, byte[] value) {
        try {
            if (d.batch == null) {
                d.batch = takeSpareBatch();
            }
            if (value == null) {
                d.batch.delete(h(cf), key);
            } else {
                d.batch.put(h(cf), key, value);
            }
            if (cf == ColumnFamily.SUB) {
                d.subRows.add(new Row(cf, key, value));
            }
            d.wrote = true;
        } catch (RocksDBException e) {
            throw failure(value == null ? "batch delete" : "batch put", e);
        }
    }

    /** Commits the thread's deferred batch before an operation that must see it or come after it. */
    private void settle() {
        Deferred d = deferred.get();
        if (d != null && d.batch != null) {
            settle(d);
        }
    }

    private void settle(Deferred d) {
        WriteBatchWithIndex b = d.batch;
        if (b == null) {
            d.hook.committed(true);
            return;
        }
        d.batch = null;
        boolean ok = false;
        try {
            db.write(writeOptions, b);
            written.incrementAndGet();
            ok = true;
            publish(d.subRows);
            b.clear();
            spareBatch.set(b);
            b = null;
        } catch (RocksDBException e) {
            StoreException failed = failure("write", e);
            deferredFailure = failed;
            LOG.log(Level.SEVERE, "a deferred write batch failed; writes are no longer acknowledged", e);
            throw failed;
        } finally {
            d.subRows.clear();
            if (b != null) {
                batches.remove(b);
                b.close();
            }
            d.hook.committed(ok);
        }
    }

    @Override
    public byte[] get(ColumnFamily cf, byte[] key) {
        Deferred d = deferred.get();
        if (cf == ColumnFamily.SUB) {
            if (d != null && d.batch != null) {
                // the thread's own staged rows first, newest last; a row it did not stage is as the engine holds it
                for (int i = d.subRows.size() - 1; i >= 0; i--) {
                    Row row = d.subRows.get(i);
                    if (Arrays.equals(row.key(), key)) {
                        return row.value();
                    }
                }
            }
            return rows.get(key, this::getSub);
        }
        try {
            if (d != null && d.batch != null) {
                // read through the open batch instead of committing it (see Deferred#batch)
                return d.batch.getFromBatchAndDB(db, h(cf), readOptions, key);
            }
            return db.get(h(cf), readOptions, key);
        } catch (RocksDBException e) {
            throw failure("get", e);
        }
    }

    /** A point read of an element row from RocksDB itself (memtables, then tables), for {@link #rows} to cache. */
    private byte[] getSub(byte[] key) {
        try {
            return db.get(h(ColumnFamily.SUB), readOptions, key);
        } catch (RocksDBException e) {
            throw failure("get", e);
        }
    }

    /** Tells {@link #rows} of element rows just written, in the order they were applied. */
    private void publish(List<Row> written) {
        for (Row row : written) {
            rows.written(row.key(), row.value());
        }
    }

    @Override
    public RowCache.Stats rowCacheStats() {
        return rows.stats();
    }

    @Override
    public void put(ColumnFamily cf, byte[] key, byte[] value) {
        settle();
        try {
            db.put(h(cf), writeOptions, key, value);
            written.incrementAndGet();
        } catch (RocksDBException e) {
            throw failure("put", e);
        }
        if (cf == ColumnFamily.SUB) {
            rows.written(key, value);
        }
    }

    @Override
    public void delete(ColumnFamily cf, byte[] key) {
        settle();
        try {
            db.delete(h(cf), writeOptions, key);
            written.incrementAndGet();
        } catch (RocksDBException e) {
            throw failure("delete", e);
        }
        if (cf == ColumnFamily.SUB) {
            rows.written(key, null);
        }
    }

    @Override
    public void deleteRange(ColumnFamily cf, byte[] begin, byte[] end) {
        settle();
        try {
            db.deleteRange(h(cf), writeOptions, begin, end);
            written.incrementAndGet();
        } catch (RocksDBException e) {
            throw failure("deleteRange", e);
        }
        if (cf == ColumnFamily.SUB) {
            rows.clear();
        }
    }

    @Override
    public void compactRange(ColumnFamily cf, byte[] begin, byte[] end) {
        settle();
        try {
            db.compactRange(h(cf), begin, end);
        } catch (RocksDBException e) {
            throw failure("compactRange", e);
        }
    }

    @Override
    public void compactRangeSoon(ColumnFamily cf, byte[] begin, byte[] end) {
        try {
            reclaimer.execute(() -> {
                if (closed) {
                    return;
                }
                long started = System.nanoTime();
                try (org.rocksdb.FlushOptions flush = new org.rocksdb.FlushOptions().setWaitForFlush(true)) {
                    // memtables first: the range tombstone reaches the SST files, and the WAL files
                    // still holding the deleted rows become obsolete and are removed
                    db.flush(flush, handles);
                    compactRange(cf, begin, end);
                    LOG.info(() -> "compacted a large deleted " + cf + " range in " + (System.nanoTime() - started) / 1_000_000
                            + " ms (" + dataDir + ")");
                } catch (RocksDBException e) {
                    LOG.log(Level.WARNING, "flush before compacting a deleted " + cf + " range failed", e);
                } catch (StoreException e) {
                    LOG.log(Level.WARNING, "background compaction of a deleted " + cf + " range failed", e);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closing: the space comes back with the next background compaction instead
        }
    }

    @Override
    public Cursor iterate(ColumnFamily cf, byte[] lower, byte[] upper) {
        settle();
        return new RocksCursor(cf, lower, upper);
    }

    @Override
    public Batch batch() {
        return new RocksBatch(deferred.get() != null);
    }

    @Override
    public void write(Batch batch) {
        RocksBatch b = (RocksBatch) batch;
        settle();
        try (b) {
            if (b.isEmpty()) {
                return;
            }
            db.write(writeOptions, b.materialized());
            written.incrementAndGet();
        } catch (RocksDBException e) {
            throw failure("write", e);
        }
        if (b.subRange) {
            rows.clear();
        }
        publish(b.subRows);
    }

    @Override
    public CompletableFuture<Void> durable() {
        try {
            settle();
        } catch (StoreException e) {
            return CompletableFuture.failedFuture(e);
        }
        if (deferredFailure != null) {
            return CompletableFuture.failedFuture(deferredFailure);
        }
        long target = written.get();
        if (fsync != Fsync.ALWAYS) {
            if (flushed.get() < target) {
                try {
                    db.flushWal(false);
                    flushed.accumulateAndGet(target, Math::max);
                } catch (RocksDBException e) {
                    return CompletableFuture.failedFuture(failure("WAL write", e));
                }
            }
            return DONE;
        }
        if (synced.get() >= target) {
            return DONE;
        }
        CompletableFuture<Void> f = new CompletableFuture<>();
        waiters.add(new Waiter(target, f));
        syncLock.lock();
        try {
            work.signal();
        } finally {
            syncLock.unlock();
        }
        return f;
    }

    /** The group commit: one fsync for everyone queued, then their futures complete off the caller's thread. */
    private void syncLoop() {
        while (!closed) {
            syncLock.lock();
            try {
                while (waiters.isEmpty() && !closed) {
                    work.awaitUninterruptibly();
                }
            } finally {
                syncLock.unlock();
            }
            if (closed) {
                break;
            }
            long covered = written.get();
            Throwable error = null;
            try {
                db.flushWal(true);
                synced.accumulateAndGet(covered, Math::max);
                flushed.accumulateAndGet(covered, Math::max);
                groupCommits.incrementAndGet();
            } catch (RocksDBException e) {
                error = failure("fsync", e);
                LOG.log(Level.SEVERE, "WAL fsync failed; replies to writes report the error", e);
            }
            for (var it = waiters.iterator(); it.hasNext(); ) {
                Waiter w = it.next();
                if (error != null) {
                    it.remove();
                    w.future.completeExceptionally(error);
                } else if (w.target <= covered) {
                    it.remove();
                    w.future.complete(null);
                }
            }
        }
        StoreException gone = new StoreException("engine closed");
        Waiter w;
        while ((w = waiters.poll()) != null) {
            w.future.completeExceptionally(gone);
        }
    }

    /** Once a second: fsync under EVERYSEC; under every policy, write out what nobody waited for. */
    private void syncIfEverySecond() {
        if (closed) {
            return;
        }
        long covered = written.get();
        try {
            if (fsync == Fsync.EVERYSEC && synced.get() < covered) {
                db.flushWal(true);
                synced.accumulateAndGet(covered, Math::max);
                flushed.accumulateAndGet(covered, Math::max);
            } else if (flushed.get() < covered) {
                db.flushWal(false);
                flushed.accumulateAndGet(covered, Math::max);
            }
        } catch (RocksDBException e) {
            LOG.log(Level.SEVERE, "background WAL flush failed", e);
        }
    }

    /** Fsyncs done by the group-commit thread: fewer than the writes they covered when writers overlap. */
    public long groupCommits() {
        return groupCommits.get();
    }

    /** Writes known to be on disk (a count, comparable with {@link #writes()}). */
    long syncedWrites() {
        return synced.get();
    }

    long writes() {
        return written.get();
    }

    @Override
    public void sync() {
        settle();
        long covered = written.get();
        try {
            db.flushWal(true);
            synced.accumulateAndGet(covered, Math::max);
            flushed.accumulateAndGet(covered, Math::max);
        } catch (RocksDBException e) {
            throw failure("fsync", e);
        }
    }

    @Override
    public Fsync fsync() {
        return fsync;
    }

    @Override
    public void fsync(Fsync policy) {
        this.fsync = policy;
    }

    @Override
    public void checkpoint(Path dir) {
        settle();
        try (Checkpoint cp = Checkpoint.create(db)) {
            db.flushWal(false);
            Files.createDirectories(dir.toAbsolutePath().getParent());
            cp.createCheckpoint(dir.toAbsolutePath().toString());
        } catch (RocksDBException | java.io.IOException e) {
            throw new StoreException("checkpoint to " + dir + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public long property(String name) {
        long sum = 0;
        boolean any = false;
        for (ColumnFamilyHandle handle : families.values()) {
            try {
                sum += db.getLongProperty(handle, name);
                any = true;
            } catch (RocksDBException e) {
                // property unknown for this family or this build: leave it out of the sum
            }
        }
        if (name.equals("rocksdb.block-cache-usage")) {
            return blockCache.getUsage();
        }
        return any ? sum : -1;
    }

    @Override
    public Path dataDir() {
        return dataDir;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        everySecond.shutdownNow();
        // a compaction running on the reclaimer must finish before the database goes away
        reclaimer.shutdownNow();
        try {
            if (!reclaimer.awaitTermination(5, java.util.concurrent.TimeUnit.MINUTES)) {
                LOG.warning("a background compaction is still running; closing anyway");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        syncLock.lock();
        try {
            closed = true;
            work.signalAll();
        } finally {
            syncLock.unlock();
        }
        try {
            syncer.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            db.flushWal(true);
        } catch (RocksDBException e) {
            LOG.log(Level.WARNING, "final WAL fsync failed", e);
        }
        handles.forEach(ColumnFamilyHandle::close);
        db.close();
        // spare batches of threads that will not write again (the store is closed)
        batches.forEach(WriteBatchWithIndex::close);
        batches.clear();
        cfOptions.forEach(ColumnFamilyOptions::close);
        dbOptions.close();
        writeOptions.close();
        readOptions.close();
        blockCache.close();
        LOG.info(() -> "RocksDB closed in " + dataDir);
    }

    private static StoreException failure(String op, RocksDBException e) {
        return new StoreException("RocksDB " + op + " failed: " + e.getMessage(), e);
    }

    /**
     * A batch made inside a deferred-write scope first only records its rows ({@code ops}), so that {@link #writeDeferred} can join them to the scope's batch; anything else (a range
     * deletion, a plain {@link #write}) turns it into a WriteBatch.
     */
    /** A row a recording batch will write: {@code value} null for a delete. */
    private record Row(ColumnFamily cf, byte[] key, byte[] value) {}

    private final class RocksBatch implements Batch {
        private WriteBatch batch;
        List<Row> ops;
        /** The {@link ColumnFamily#SUB} rows put or deleted, in order, for {@link #rows} once written. */
        final List<Row> subRows = new ArrayList<>(2);
        /** Whether the batch deletes a range of {@link ColumnFamily#SUB}: {@link #rows} is then dropped whole. */
        boolean subRange;

        RocksBatch(boolean recording) {
            if (recording) {
                ops = new ArrayList<>(4);
            } else {
                batch = new WriteBatch();
            }
        }

        /** The WriteBatch holding every row staged so far; the batch no longer records. */
        WriteBatch materialized() {
            if (batch == null) {
                batch = new WriteBatch();
                List<Row> recorded = ops;
                ops = null;
                try {
                    for (Row row : recorded) {
                        if (row.value() == null) {
                            batch.delete(h(row.cf()), row.key());
                        } else {
                            batch.put(h(row.cf()), row.key(), row.value());
                        }
                    }
                } catch (RocksDBException e) {
                    throw failure("batch put", e);
                }
            }
            return batch;
        }

        @Override
        public Batch put(ColumnFamily cf, byte[] key, byte[] value) {
            if (cf == ColumnFamily.SUB) {
                subRows.add(new Row(cf, key, value));
            }
            if (ops != null) {
                ops.add(new Row(cf, key, value));
                return this;
            }
            try {
                batch.put(h(cf), key, value);
            } catch (RocksDBException e) {
                throw failure("batch put", e);
            }
            return this;
        }

        @Override
        public Batch delete(ColumnFamily cf, byte[] key) {
            if (cf == ColumnFamily.SUB) {
                subRows.add(new Row(cf, key, null));
            }
            if (ops != null) {
                ops.add(new Row(cf, key, null));
                return this;
            }
            try {
                batch.delete(h(cf), key);
            } catch (RocksDBException e) {
                throw failure("batch delete", e);
            }
            return this;
        }

        @Override
        public Batch deleteRange(ColumnFamily cf, byte[] begin, byte[] end) {
            if (cf == ColumnFamily.SUB) {
                // rows put before the range deletion are deleted by it: the cache learns of the clear, then later puts
                subRows.clear();
                subRange = true;
            }
            try {
                materialized().deleteRange(h(cf), begin, end);
            } catch (RocksDBException e) {
                throw failure("batch deleteRange", e);
            }
            return this;
        }

        @Override
        public boolean isEmpty() {
            return ops != null ? ops.isEmpty() : batch.count() == 0;
        }

        @Override
        public void close() {
            if (batch != null) {
                batch.close();
            }
        }
    }

    private final class RocksCursor implements Cursor {
        private final ReadOptions options = new ReadOptions();
        private final Slice lowerSlice;
        private final Slice upperSlice;
        private final RocksIterator it;

        RocksCursor(ColumnFamily cf, byte[] lower, byte[] upper) {
            lowerSlice = lower == null ? null : new Slice(lower);
            upperSlice = upper == null ? null : new Slice(upper);
            if (lowerSlice != null) {
                options.setIterateLowerBound(lowerSlice);
            }
            if (upperSlice != null) {
                options.setIterateUpperBound(upperSlice);
            }
            it = db.newIterator(h(cf), options);
            if (lower != null) {
                it.seek(lower);
            } else {
                it.seekToFirst();
            }
        }

        @Override
        public void seek(byte[] key) {
            it.seek(key);
        }

        @Override
        public void seekForPrev(byte[] key) {
            it.seekForPrev(key);
        }

        @Override
        public void seekToLast() {
            it.seekToLast();
        }

        @Override
        public void seekToFirst() {
            it.seekToFirst();
        }

        @Override
        public boolean valid() {
            return it.isValid();
        }

        @Override
        public byte[] key() {
            return it.key();
        }

        @Override
        public byte[] value() {
            return it.value();
        }

        @Override
        public void next() {
            it.next();
        }

        @Override
        public void prev() {
            it.prev();
        }

        @Override
        public void close() {
            it.close();
            options.close();
            if (lowerSlice != null) {
                lowerSlice.close();
            }
            if (upperSlice != null) {
                upperSlice.close();
            }
        }
    }
}
