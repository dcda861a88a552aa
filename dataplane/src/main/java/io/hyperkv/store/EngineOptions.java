package io.hyperkv.store;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How to open an engine. Memory is bounded by {@code blockCacheBytes} plus
 * {@code writeBufferBytes} times the column families' write buffers, not by the data size.
 */
public record EngineOptions(Path dataDir, Fsync fsync, long blockCacheBytes, long writeBufferBytes) {

    public static final long DEFAULT_BLOCK_CACHE = 256L << 20;
    public static final long DEFAULT_WRITE_BUFFER = 64L << 20;
    /**
     * The ceiling of the META column family's write buffer. Every SET inserts a new version of its key's metadata
     * into the memtable's skip list, and the insert walks the list with one cache miss per level once the list
     * outgrows the CPU caches: with a 64 MB memtable that walk was a fifth of a SET's CPU time. A few megabytes
     * stay cache-resident; the price is more (small, cheap) flushes. Measured with redis-benchmark SET -P 16,
     * 100,000 keys, on a shared and noisy machine: the skip-list walk fell from 37% of the event loop's time in
     * Connection.onData at 64 MB to 22% at 4 MB (CPU profiles); 2 MB and 1 MB used no less CPU per SET than 4 MB
     * (their flushes and compactions take the gain back).
     */
    public static final long META_WRITE_BUFFER = 4L << 20;
    /**
     * The ceiling of the SUB (collection element rows) column family's write buffer, for the same reason as
     * {@link #META_WRITE_BUFFER}: every element a collection write adds or changes is a skip-list insert at a random
     * place. Reads of hot element rows no longer walk the memtable (they hit the {@link RowCache}), so a small one
     * costs reads little. Measured with redis-benchmark -P 16 writing new elements ({@code -r 100000000}), 2
     * interleaved rounds of 600,000 requests each on a shared 2-core machine, 64 MB then 8 MB: SADD 54k/57k then
     * 64k/65k, LPUSH 104k/109k then 117k/119k, ZADD 45k/49k then 48k/49k requests per second; 4 MB was no better.
     */
    public static final long SUB_WRITE_BUFFER = 8L << 20;

    public EngineOptions {
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(fsync, "fsync");
        if (blockCacheBytes <= 0 || writeBufferBytes <= 0) {
            throw new IllegalArgumentException("cache and write buffer sizes must be positive");
        }
    }

    /** The META column family's write buffer: {@link #META_WRITE_BUFFER}, or less when all write buffers are smaller. */
    public long metaWriteBufferBytes() {
        return Math.min(writeBufferBytes, META_WRITE_BUFFER);
    }

    /** The SUB column family's write buffer: {@link #SUB_WRITE_BUFFER}, or less when all write buffers are smaller. */
    public long subWriteBufferBytes() {
        return Math.min(writeBufferBytes, SUB_WRITE_BUFFER);
    }

    public static EngineOptions of(Path dataDir, Fsync fsync) {
        return new EngineOptions(dataDir, fsync, DEFAULT_BLOCK_CACHE, DEFAULT_WRITE_BUFFER);
    }
}
