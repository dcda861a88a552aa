package io.hyperkv.server;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithConverter;
import io.smallrye.config.WithDefault;
import java.util.Optional;

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
