package io.hyperkv.command;

import io.hyperkv.store.Engine;
import io.hyperkv.store.Keyspace;
import io.hyperkv.store.MetaCache;
import io.hyperkv.store.RowCache;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Renders {@code INFO}: sections in Redis's order, each {@code # Name} then {@code field:value}
 * lines, sections separated by a blank line, all CRLF. The store contributes memory, persistence,
 * stats, replication and keyspace; the server's {@link InfoSection}s contribute server and clients
 * and may add fields to any section; its {@link ClusterView} gives {@code cluster_enabled} and, in
 * cluster mode, the peers in replication (every node is a writable replica, so each says
 * {@code role:master} with no Redis replicas, and lists its peers on HyperKV's own lines).
 */
final class Info {

    private static final List<String> ORDER = List.of("server", "clients", "memory", "persistence", "stats",
            "replication", "cpu", "cluster", "keyspace");
    private static final Set<String> DEFAULT = Set.of("server", "clients", "memory", "persistence", "stats",
            "replication", "cpu", "cluster", "keyspace");

    private final Keyspace ks;
    private final ServerHooks hooks;

    Info(Keyspace ks, ServerHooks hooks) {
        this.ks = ks;
        this.hooks = hooks;
    }

    String render(List<String> wanted, ServerCommands server) {
        Set<String> names = new java.util.HashSet<>();
        if (wanted.isEmpty()) {
            names.addAll(DEFAULT);
        }
        for (String w : wanted) {
            if (w.equals("all") || w.equals("everything") || w.equals("default")) {
                names.addAll(DEFAULT);
            } else {
                names.add(w);
            }
        }
        Map<String, Map<String, String>> sections = new LinkedHashMap<>();
        Map<String, String> titles = new LinkedHashMap<>();
        for (String n : ORDER) {
            sections.put(n, new LinkedHashMap<>());
        }
        for (InfoSection provider : hooks.infoSections()) {
            String key = provider.name().toLowerCase(Locale.ROOT);
            titles.putIfAbsent(key, provider.name());
            sections.computeIfAbsent(key, k -> new LinkedHashMap<>()).putAll(provider.fields());
        }
        sections.get("memory").putAll(memory());
        sections.get("persistence").putAll(server.persistenceFields());
        Map<String, String> stats = sections.get("stats");
        stats.put("keyspace_hits", Long.toString(ks.stats().hits()));
        stats.put("keyspace_misses", Long.toString(ks.stats().misses()));
        stats.put("expired_keys", Long.toString(ks.stats().expiredKeys()));
        stats.put("evicted_keys", "0");
        MetaCache.Stats cache = ks.metaCacheStats();
        stats.put("meta_cache_hits", Long.toString(cache.hits()));
        stats.put("meta_cache_misses", Long.toString(cache.misses()));
        RowCache.Stats rows = ks.engine().rowCacheStats();
        if (rows != null) {
            stats.put("row_cache_hits", Long.toString(rows.hits()));
            stats.put("row_cache_misses", Long.toString(rows.misses()));
        }
        Map<String, String> replication = sections.get("replication");
        replication.putIfAbsent("role", "master");
        replication.putIfAbsent("connected_slaves", "0");
        ClusterView cluster = hooks.cluster();
        sections.get("cluster").put("cluster_enabled", cluster.clusterEnabled() ? "1" : "0");
        if (cluster.clusterEnabled()) {
            replication.putAll(new ClusterDescription(cluster, ks.now()).replication());
        }
        Map<String, String> keyspace = sections.get("keyspace");
        for (int db = 0; db < ks.databases(); db++) {
            long keys = ks.size(db);
            if (keys > 0) {
                keyspace.put("db" + db, "keys=" + keys + ",expires=" + ks.expiresCount(db) + ",avg_ttl=0");
            }
        }
        StringBuilder out = new StringBuilder();
        for (Map.Entry<String, Map<String, String>> e : sections.entrySet()) {
            String key = e.getKey();
            boolean empty = e.getValue().isEmpty() && !key.equals("keyspace");
            if (!names.contains(key) || empty) {
                continue;
            }
            if (out.length() > 0) {
                out.append("\r\n");
            }
            String title = titles.getOrDefault(key, Character.toUpperCase(key.charAt(0)) + key.substring(1));
            out.append("# ").append(title).append("\r\n");
            for (Map.Entry<String, String> f : e.getValue().entrySet()) {
                out.append(f.getKey()).append(':').append(f.getValue()).append("\r\n");
            }
        }
        return out.toString();
    }

    private Map<String, String> memory() {
        Engine engine = ks.engine();
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        long memtables = Math.max(0, engine.property("rocksdb.cur-size-all-mem-tables"));
        long blockCache = Math.max(0, engine.property("rocksdb.block-cache-usage"));
        long tableReaders = Math.max(0, engine.property("rocksdb.estimate-table-readers-mem"));
        long used = heap + memtables + blockCache + tableReaders;
        long rss = rss();
        Map<String, String> f = new LinkedHashMap<>();
        f.put("used_memory", Long.toString(used));
        f.put("used_memory_human", human(used));
        f.put("used_memory_rss", Long.toString(rss));
        f.put("used_memory_rss_human", human(rss));
        f.put("maxmemory", "0");
        f.put("maxmemory_human", "0B");
        f.put("maxmemory_policy", "noeviction");
        f.put("rocksdb_memtables", Long.toString(memtables));
        f.put("rocksdb_block_cache_usage", Long.toString(blockCache));
        f.put("rocksdb_table_readers", Long.toString(tableReaders));
        f.put("rocksdb_total_sst_files_size", Long.toString(Math.max(0, engine.property("rocksdb.total-sst-files-size"))));
        f.put("rocksdb_estimate_num_keys", Long.toString(Math.max(0, engine.property("rocksdb.estimate-num-keys"))));
        MetaCache.Stats cache = ks.metaCacheStats();
        f.put("meta_cache_bytes", Long.toString(cache.bytes()));
        f.put("meta_cache_max_bytes", Long.toString(cache.maxBytes()));
        f.put("meta_cache_entries", Long.toString(cache.entries()));
        RowCache.Stats rows = engine.rowCacheStats();
        if (rows != null) {
            f.put("row_cache_bytes", Long.toString(rows.bytes()));
            f.put("row_cache_max_bytes", Long.toString(rows.maxBytes()));
            f.put("row_cache_entries", Long.toString(rows.entries()));
        }
        return f;
    }

    /** Resident set size from /proc (Linux); 0 where that does not exist. */
    private static long rss() {
        try {
            String[] statm = Files.readString(Path.of("/proc/self/statm")).trim().split(" ");
            return Long.parseLong(statm[1]) * 4096;
        } catch (Exception e) {
            return 0;
        }
    }

    /** Redis's bytesToHuman. */
    static String human(long n) {
        String[] units = {"K", "M", "G", "T", "P"};
        if (n < 1024) {
            return n + "B";
        }
        double d = n;
        int u = -1;
        while (d >= 1024 && u < units.length - 1) {
            d /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.2f%s", d, units[u]);
    }

    static List<String> order() {
        return new ArrayList<>(ORDER);
    }
}
