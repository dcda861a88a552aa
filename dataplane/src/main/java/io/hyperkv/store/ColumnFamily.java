package io.hyperkv.store;

import java.nio.charset.StandardCharsets;

/**
 * The column families of the store (layouts in {@code package-info.java}). The order is the
 * on-disk identity of nothing: RocksDB names them, so new families may be appended freely.
 */
public enum ColumnFamily {
    /** key → metadata (type, version, stamps, expiry), small strings inline. */
    META("meta"),
    /** key|version|field → element state of hashes, sets, lists. */
    SUB("sub"),
    /** key|version|score|member → score index of sorted sets. */
    ZSCORE("zscore"),
    /** expireAt|slot|key → nothing: keys with a time to live, earliest deadline first. */
    EXPIRE("expire"),
    /** deltas kept for unreachable replicas (hinted handoff). */
    HINTS("hints"),
    /** node id, topology, clock high-water mark. */
    SYS("sys"),
    /** db|key → nothing: every key in byte order (META is in slot order), for KRANGE. */
    ORDER("order");

    private final String rocksName;

    ColumnFamily(String rocksName) {
        this.rocksName = rocksName;
    }

    /** The RocksDB column family name. */
    public byte[] rocksName() {
        return rocksName.getBytes(StandardCharsets.US_ASCII);
    }
}
