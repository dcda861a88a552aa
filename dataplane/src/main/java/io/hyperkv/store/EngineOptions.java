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

    public EngineOptions {
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(fsync, "fsync");
        if (blockCacheBytes <= 0 || writeBufferBytes <= 0) {
            throw new IllegalArgumentException("cache and write buffer sizes must be positive");
        }
    }

    public static EngineOptions of(Path dataDir, Fsync fsync) {
        return new EngineOptions(dataDir, fsync, DEFAULT_BLOCK_CACHE, DEFAULT_WRITE_BUFFER);
    }
}
