package io.hyperkv.server;

import io.hyperkv.store.Engine;
import io.hyperkv.store.Keyspace;
import io.hyperkv.store.MetaCache;
import io.hyperkv.store.RowCache;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.ToDoubleFunction;

/**
 * Node-level gauges for {@code /q/metrics}, named after redis_exporter's where a counterpart exists
 * ({@code hyperkv_connected_clients} ~ {@code redis_connected_clients}, {@code hyperkv_memory_used_bytes}
 * ~ {@code redis_memory_used_bytes}). All are computed at scrape time from the live node, never on
 * the request path. RocksDB figures come from its properties; while the store is closed they read NaN.
 */
final class NodeMetrics {

    private NodeMetrics() {
    }

    static void register(MeterRegistry registry, NodeLifecycle node) {
        Gauge.builder("hyperkv.connected.clients", node, n -> n.clients() == null ? 0 : n.clients().count())
                .description("Client connections currently open").register(registry);
        FunctionCounter.builder("hyperkv.connections.received", node,
                        n -> n.clients() == null ? 0 : n.clients().totalAccepted())
                .description("Client connections accepted since start").register(registry);
        FunctionCounter.builder("hyperkv.rejected.connections", node,
                        n -> n.clients() == null ? 0 : n.clients().rejected())
                .description("Connections refused because maxclients was reached").register(registry);

        Gauge.builder("hyperkv.keys", node, n -> keys(n, -1, false))
                .description("Keys in all databases").register(registry);
        for (int db = 0; db < ConnectionCommands.DATABASES; db++) {
            int d = db;
            Gauge.builder("hyperkv.db.keys", node, n -> keys(n, d, false)).tag("db", "db" + db)
                    .description("Keys per database, as redis_db_keys").register(registry);
            Gauge.builder("hyperkv.db.keys.expiring", node, n -> keys(n, d, true)).tag("db", "db" + db)
                    .description("Keys with an expiry per database, as redis_db_keys_expiring").register(registry);
        }
        FunctionCounter.builder("hyperkv.meta.cache.hits", node, n -> metaCache(n, MetaCache.Stats::hits))
                .description("Key metadata reads served by the in-heap META cache").register(registry);
        FunctionCounter.builder("hyperkv.meta.cache.misses", node, n -> metaCache(n, MetaCache.Stats::misses))
                .description("Key metadata reads that went to RocksDB").register(registry);
        Gauge.builder("hyperkv.meta.cache.bytes", node, n -> metaCache(n, MetaCache.Stats::bytes))
                .description("Estimated heap bytes held by the META cache").register(registry);
        Gauge.builder("hyperkv.meta.cache.entries", node, n -> metaCache(n, MetaCache.Stats::entries))
                .description("Entries (keys, present or absent) in the META cache").register(registry);
        FunctionCounter.builder("hyperkv.row.cache.hits", node, n -> rowCache(n, RowCache.Stats::hits))
                .description("Collection element-row reads served by the in-heap row cache").register(registry);
        FunctionCounter.builder("hyperkv.row.cache.misses", node, n -> rowCache(n, RowCache.Stats::misses))
                .description("Collection element-row reads that went to RocksDB").register(registry);
        Gauge.builder("hyperkv.row.cache.bytes", node, n -> rowCache(n, RowCache.Stats::bytes))
                .description("Estimated heap bytes held by the element-row cache").register(registry);
        rocks(registry, node, "hyperkv.rocksdb.memtable.bytes", "rocksdb.cur-size-all-mem-tables",
                "Bytes held by RocksDB memtables");
        rocks(registry, node, "hyperkv.rocksdb.block.cache.bytes", "rocksdb.block-cache-usage",
                "Bytes held by the RocksDB block cache");
        rocks(registry, node, "hyperkv.rocksdb.sst.bytes", "rocksdb.total-sst-files-size",
                "Bytes of all RocksDB SST files on disk");
        rocks(registry, node, "hyperkv.rocksdb.live.data.bytes", "rocksdb.estimate-live-data-size",
                "Estimated bytes of live data in RocksDB");

        Gauge.builder("hyperkv.memory.used.bytes", node, NodeMetrics::memoryUsed)
                .description("JVM heap and non-heap in use plus RocksDB memtables and block cache").register(registry);
    }

    /** The figure {@code GET /v1/node} reports as memoryBytes; NaN while the store is closed. */
    private static double memoryUsed(NodeLifecycle node) {
        try {
            return node.localNode().map(l -> (double) l.memoryBytes()).orElse(Double.NaN);
        } catch (RuntimeException closedMeanwhile) {
            return Double.NaN;
        }
    }

    private static void rocks(MeterRegistry registry, NodeLifecycle node, String name, String property, String help) {
        ToDoubleFunction<NodeLifecycle> read = n -> property(n, property);
        Gauge.builder(name, node, read).description(help).register(registry);
    }

    /** Keys of one db (or all when {@code db} is -1); NaN while the store is closed. */
    private static double keys(NodeLifecycle node, int db, boolean expiring) {
        Keyspace ks = node.keyspace();
        if (ks == null) {
            return Double.NaN;
        }
        long sum = 0;
        for (int d = db < 0 ? 0 : db; d < (db < 0 ? ks.databases() : db + 1); d++) {
            sum += expiring ? ks.expiresCount(d) : ks.size(d);
        }
        return sum;
    }

    private static double metaCache(NodeLifecycle node, java.util.function.ToLongFunction<MetaCache.Stats> field) {
        Keyspace ks = node.keyspace();
        return ks == null ? Double.NaN : field.applyAsLong(ks.metaCacheStats());
    }

    private static double rowCache(NodeLifecycle node, java.util.function.ToLongFunction<RowCache.Stats> field) {
        Engine engine = node.engine();
        if (engine == null) {
            return Double.NaN;
        }
        try {
            RowCache.Stats stats = engine.rowCacheStats();
            return stats == null ? Double.NaN : field.applyAsLong(stats);
        } catch (RuntimeException closedMeanwhile) {
            return Double.NaN;
        }
    }

    private static double property(NodeLifecycle node, String property) {
        Engine engine = node.engine();
        if (engine == null) {
            return Double.NaN;
        }
        try {
            long v = engine.property(property);
            return v < 0 ? Double.NaN : v;
        } catch (RuntimeException closedMeanwhile) {
            return Double.NaN;
        }
    }
}
