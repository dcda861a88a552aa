package io.hyperkv.server;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithConverter;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The node's configuration: exactly the {@code hyperkv.*} keys of the README's table, each also
 * settable as an environment variable ({@code hyperkv.data-dir} is {@code HYPERKV_DATA_DIR}).
 * Values are validated when the application starts, so a bad value stops start-up with a message
 * naming the key instead of surfacing later as a client-visible failure.
 */
@ConfigMapping(prefix = "hyperkv")
public interface HyperKvConfig {

    /** RESP port; 0 picks a free port, reported in the log and by {@link RespListener#port()}. */
    @WithDefault("6379")
    int port();

    /** Address the RESP listener binds. */
    @WithDefault("127.0.0.1")
    String bind();

    /** Directory holding the RocksDB files; created if missing. */
    @WithDefault("./data")
    String dataDir();

    @WithDefault("rocksdb")
    Engine engine();

    @WithDefault("everysec")
    Appendfsync appendfsync();

    /** Password of the default user; absent means no authentication, as Redis without requirepass. */
    Optional<String> requirepass();

    /** Connections beyond this are refused with {@code -ERR max number of clients reached}. */
    @WithDefault("10000")
    int maxclients();

    /** Largest bulk string a client may send, in Redis memory units ({@code 512mb}, {@code 1gb}, {@code 100000}). */
    @WithDefault("512mb")
    @WithConverter(RedisMemoryConverter.class)
    Long protoMaxBulkLen();

    /** Cluster mode ({@code hyperkv.cluster.*}); checked at start-up by {@link io.hyperkv.cluster.ClusterSettings#of}. */
    Cluster cluster();

    /** The HTTP admin API the operator calls ({@code hyperkv.admin.*}). */
    Admin admin();

    /**
     * Cluster mode settings as given; the rules between them (a secret in cluster mode, N within the peer list, the
     * consistency words) live in {@link io.hyperkv.cluster.ClusterSettings}, which names the key in every message.
     */
    interface Cluster {
        /** Whether this node is a member of a multi-replica cluster. */
        @WithDefault("false")
        boolean enabled();

        /** Replication bus port; unset means {@code hyperkv.port + 10000}. */
        OptionalInt busPort();

        /** Comma-separated {@code host:bus-port} of the initial members, this node included. */
        Optional<String> peers();

        /** N: owners per slot when the cluster bootstraps from the static peer list. */
        @WithDefault("3")
        int replicationFactor();

        /** W: one, quorum or all. */
        @WithDefault("quorum")
        String writeConsistency();

        /** R: one, quorum or all. */
        @WithDefault("one")
        String readConsistency();

        /** Shared secret of the replication bus; required in cluster mode. */
        Optional<String> secret();

        /** This node's id (40 hex digits); generated on first start and kept in the data directory when unset. */
        Optional<String> nodeId();

        /** Host name or address other nodes and cluster-aware clients use to reach this node. */
        Optional<String> announceHost();

        /** Time between scheduled anti-entropy rounds ({@code io.hyperkv.cluster.repair.AntiEntropy}). */
        @WithDefault("30s")
        Duration antiEntropyInterval();

        /**
         * How long a deleted key's tombstone is kept (cluster mode) before the expiry cycle collects it: a delta
         * older than the deletion that arrives later than this may bring the key back.
         */
        @WithDefault("1h")
        java.time.Duration tombstoneGrace();

        /**
         * How long a reply waits for other replicas (a write's W acknowledgements, a quorum read's R-1 answers)
         * before {@code -NOQUORUM}; below the 2 s socket timeout of common clients, so they read the error.
         */
        @WithDefault("1s")
        Duration replicaWait();

        /** How often the replication bus pings each peer. */
        @WithDefault("500ms")
        Duration heartbeatInterval();

        /** Silence after which a peer is SUSPECT. */
        @WithDefault("2s")
        Duration suspectAfter();

        /** Silence after which a peer is DOWN: writes stop waiting for it and what it misses becomes hints. */
        @WithDefault("10s")
        Duration downAfter();

        /** Bounds of hinted handoff ({@code hyperkv.cluster.hints.*}). */
        Hints hints();
    }

    /** How much a node keeps for peers that cannot take deltas; beyond either bound the oldest hints go. */
    interface Hints {
        /** Total size of the hints for all peers, in Redis memory units. */
        @WithDefault("256mb")
        @WithConverter(RedisMemoryConverter.class)
        Long maxBytes();

        /** How long a hint is kept (Cassandra's hint window); older ones are left to anti-entropy. */
        @WithDefault("3h")
        Duration maxAge();
    }

    interface Admin {
        /**
         * Bearer token every {@code /v1} call must carry. Unset: only loopback clients are served, as Redis's
         * protected mode does without a password.
         */
        Optional<String> token();
    }

    /** Storage engines; only {@code rocksdb} exists today. */
    enum Engine {
        ROCKSDB,
        MEMORY
    }

    /** When the write-ahead log is fsynced, with Redis's names and meaning. */
    enum Appendfsync {
        ALWAYS,
        EVERYSEC,
        NO
    }
}
