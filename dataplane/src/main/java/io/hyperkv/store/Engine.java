package io.hyperkv.store;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

/**
 * An ordered key-value store with column families: the only thing the layers above know about
 * storage. Keys compare as unsigned bytes. Single operations and {@link Batch}es are atomic;
 * readers see every write that returned before they started.
 *
 * <p>Durability is decoupled from writing: writes return once they are in the write-ahead log's
 * buffer, and {@link #durable()} makes everything written so far durable under the current
 * {@link Fsync} policy (at least handed to the operating system, so a killed process keeps it;
 * fsynced too under ALWAYS), so a server replies to a burst of writes after one shared flush.
 */
public interface Engine extends AutoCloseable {

    byte[] get(ColumnFamily cf, byte[] key);

    void put(ColumnFamily cf, byte[] key, byte[] value);

    void delete(ColumnFamily cf, byte[] key);

    /** Removes every key in {@code [begin, end)} in O(1) (a range tombstone). */
    void deleteRange(ColumnFamily cf, byte[] begin, byte[] end);

    /** Keys in {@code [lower, upper)} in order; {@code upper} null means to the end. Close it. */
    Cursor iterate(ColumnFamily cf, byte[] lower, byte[] upper);

    /**
     * Asks the engine to compact {@code [begin, end)} now (synchronously), so space held by deleted
     * or range-deleted data comes back without waiting for the background compactions to reach it.
     * Slow: call it on a worker, never on an event loop.
     */
    void compactRange(ColumnFamily cf, byte[] begin, byte[] end);

    /**
     * Asks for {@link #compactRange} of {@code [begin, end)} on the engine's own background thread,
     * without waiting: how the space of a large collection removed by one range tombstone comes
     * back soon (RocksDB's deletion-triggered compaction counts point deletions, not range
     * tombstones). Call it after the write that deleted the range returned. Engines without
     * compactions ignore it; a closing engine drops requests not yet started.
     */
    default void compactRangeSoon(ColumnFamily cf, byte[] begin, byte[] end) {
    }

    Batch batch();

    /** Applies all of the batch or none of it, then closes it. */
    void write(Batch batch);

    /**
     * Completes when every write that returned before this call is durable: written to the WAL
     * file (done before returning, so the future is already complete) unless the policy is
     * {@link Fsync#ALWAYS}, under which it completes after an fsync that one syncer thread shares
     * among all waiters. Callers must not acknowledge a write before this completes.
     */
    CompletableFuture<Void> durable();

    /** Forces the write-ahead log to disk now, whatever the policy. */
    void sync();

    Fsync fsync();

    /** Changes the policy at run time ({@code CONFIG SET appendfsync}). */
    void fsync(Fsync policy);

    /** A consistent on-disk copy (hard links where possible) in {@code dir}, which must not exist. */
    void checkpoint(Path dir);

    /** The counters of the engine's heap cache of element rows ({@link RowCache}); null when it keeps none. */
    default RowCache.Stats rowCacheStats() {
        return null;
    }

    /** A numeric engine property summed over the column families, e.g. {@code rocksdb.estimate-num-keys}; -1 if unknown. */
    long property(String name);

    Path dataDir();

    @Override
    void close();

    /** A set of writes applied atomically by {@link Engine#write(Batch)}. */
    interface Batch extends AutoCloseable {
        Batch put(ColumnFamily cf, byte[] key, byte[] value);

        Batch delete(ColumnFamily cf, byte[] key);

        Batch deleteRange(ColumnFamily cf, byte[] begin, byte[] end);

        boolean isEmpty();

        @Override
        void close();
    }

    /**
     * An iterator over a snapshot-consistent view of one column family, within the bounds it was
     * opened with; it moves both ways, so reverse ranges (ZREVRANGE, RPOP...) need no second index.
     */
    interface Cursor extends AutoCloseable {
        /** Positions at the first key at or after {@code key}. */
        void seek(byte[] key);

        /** Positions at the last key at or before {@code key}. */
        void seekForPrev(byte[] key);

        /** Positions at the last key within the bounds. */
        void seekToLast();

        /** Positions at the first key within the bounds. */
        void seekToFirst();

        boolean valid();

        byte[] key();

        byte[] value();

        void next();

        void prev();

        @Override
        void close();
    }
}
