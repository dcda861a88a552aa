package io.hyperkv.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hyperkv.resp.Reply;
import io.hyperkv.store.Checkpoints;
import io.hyperkv.store.EngineOptions;
import io.hyperkv.store.Fsync;
import io.hyperkv.store.RocksDbEngine;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServerCommandsTest extends CommandHarnessTest {

    @Test
    void infoHasRedisSectionsAndFieldNames() {
        h.run("SET", "a", "1", "EX", "100");
        h.run("SET", "b", "1");
        h.run("GET", "a");
        h.run("GET", "nope");
        String info = h.show("INFO");
        assertThat(info).contains("# Server\r\nredis_version:7.0.15\r\n")
                .contains("\r\n\r\n# Memory\r\nused_memory:")
                .contains("# Persistence\r\nloading:0\r\n")
                .contains("keyspace_hits:1\r\nkeyspace_misses:1\r\n")
                .contains("# Replication\r\nrole:master\r\n")
                .contains("# Keyspace\r\ndb0:keys=2,expires=1,avg_ttl=0\r\n");
        String keyspace = h.show("INFO", "keyspace");
        assertThat(keyspace).isEqualTo("\"# Keyspace\r\ndb0:keys=2,expires=1,avg_ttl=0\r\n\"");
        assertThat(h.show("INFO", "MEMORY", "stats")).contains("# Memory").contains("# Stats").doesNotContain("# Keyspace");
        assertThat(h.show("INFO", "nosuchsection")).isEqualTo("\"\"");
        assertThat(h.show("INFO", "memory")).containsPattern("meta_cache_bytes:[1-9][0-9]*\r\nmeta_cache_max_bytes:[1-9]");
        long cacheHits = infoField("meta_cache_hits");
        long cacheMisses = infoField("meta_cache_misses");
        h.run("GET", "b");
        assertThat(infoField("meta_cache_hits")).as("a GET of a key just written is a cache hit").isEqualTo(cacheHits + 1);
        assertThat(infoField("meta_cache_misses")).isEqualTo(cacheMisses);
        assertThat(h.show("INFO", "memory")).containsPattern("row_cache_bytes:[0-9]+\r\nrow_cache_max_bytes:[1-9][0-9]*\r\nrow_cache_entries:");
        h.run("SADD", "info-set", "m");
        h.run("SISMEMBER", "info-set", "m");
        long rowHits = infoField("row_cache_hits");
        h.run("SISMEMBER", "info-set", "m");
        assertThat(infoField("row_cache_hits")).as("a member read before is a row cache hit").isEqualTo(rowHits + 1);
        h.expect("+OK", "CONFIG", "RESETSTAT");
        assertThat(h.show("INFO", "stats")).contains("keyspace_hits:0");
    }

    private long infoField(String name) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(name + ":(\\d+)").matcher(h.show("INFO", "stats"));
        assertThat(m.find()).as(name + " in INFO stats").isTrue();
        return Long.parseLong(m.group(1));
    }

    @Test
    void configGetUsesGlobsAndSetValidatesInRedisWords() {
        h.expect("[\"maxclients\", \"10000\"]", "CONFIG", "GET", "maxclients");
        h.expect("[\"maxclients\", \"10000\", \"appendfsync\", \"everysec\"]", "CONFIG", "GET", "maxcl*", "APPENDFSYNC");
        h.expect("[]", "CONFIG", "GET", "nosuch");
        h.expect("+OK", "CONFIG", "SET", "maxclients", "50", "requirepass", "secret");
        assertThat(h.settings.maxclients()).isEqualTo(50);
        assertThat(h.settings.requirepass()).isEqualTo("secret");
        h.expect("-ERR Unknown option or number of arguments for CONFIG SET - 'foo'", "CONFIG", "SET", "foo", "bar");
        h.expect("-ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument couldn't be parsed into an integer",
                "CONFIG", "SET", "maxclients", "abc");
        h.expect("-ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument must be between 1 and 4294967295 inclusive",
                "CONFIG", "SET", "maxclients", "0");
        h.expect("-ERR CONFIG SET failed (possibly related to argument 'appendfsync') - argument(s) must be one of the following: everysec, always, no",
                "CONFIG", "SET", "appendfsync", "sometimes");
        h.expect("-ERR CONFIG SET failed (possibly related to argument 'databases') - can't set immutable config",
                "CONFIG", "SET", "databases", "3");
        h.expect("-ERR CONFIG SET failed (possibly related to argument 'maxclients') - duplicate parameter",
                "CONFIG", "SET", "maxclients", "1", "maxclients", "2");
        h.expect("-ERR syntax error", "CONFIG", "SET", "maxclients", "1", "port");
        h.expect("+OK", "CONFIG", "SET", "proto-max-bulk-len", "2mb");
        h.expect("[\"proto-max-bulk-len\", \"2097152\"]", "CONFIG", "GET", "proto-max-bulk-len");
        // a failed multi-set changes nothing
        h.expect("-ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument couldn't be parsed into an integer",
                "CONFIG", "SET", "requirepass", "other", "maxclients", "x");
        assertThat(h.settings.requirepass()).isEqualTo("secret");
        h.expect("-ERR unknown subcommand 'nope'. Try CONFIG HELP.", "CONFIG", "nope");
    }

    @Test
    void configSetAppendfsyncSwitchesTheEngine() {
        h.expect("+OK", "CONFIG", "SET", "appendfsync", "always");
        assertThat(h.engine.fsync()).isEqualTo(Fsync.ALWAYS);
        h.run("SET", "k", "v");
        assertThat(h.ks.durable()).succeedsWithin(Duration.ofSeconds(10));
        h.expect("+OK", "CONFIG", "SET", "appendfsync", "no");
        assertThat(h.engine.fsync()).isEqualTo(Fsync.NO);
    }

    @Test
    void saveMakesAnOpenableCheckpointAndKeepsOnlyTheLatest() throws Exception {
        h.run("SET", "saved", "yes");
        long before = ((Reply.Int) h.run("LASTSAVE")).value();
        h.expect("+OK", "SAVE");
        h.run("SET", "after", "x");
        h.expect("+Background saving started", "BGSAVE");
        Checkpoints checkpoints = new Checkpoints(h.engine);
        await().atMost(Duration.ofSeconds(30)).until(() -> h.show("INFO", "persistence").contains("rdb_bgsave_in_progress:0")
                && checkpoints.list().size() == 1);
        assertThat(((Reply.Int) h.run("LASTSAVE")).value()).isGreaterThanOrEqualTo(before);
        Path latest = checkpoints.list().get(0).path();
        try (RocksDbEngine copy = RocksDbEngine.open(EngineOptions.of(latest, Fsync.NO))) {
            assertThat(copy.get(io.hyperkv.store.ColumnFamily.META, io.hyperkv.store.KeyCodec.meta(0, "after".getBytes()))).isNotNull();
        }
        h.expect("-ERR syntax error", "BGSAVE", "NOW");
    }

    @Test
    void commandIntrospectionReadsTheTable() {
        assertThat(h.show("COMMAND", "COUNT")).isEqualTo(":" + h.table.size());
        h.expect("[[\"get\", :2, [+readonly, +fast], :1, :1, :1, [+@read, +@string, +@fast], [], "
                + "[[\"flags\", [+RO, +access], \"begin_search\", [\"type\", \"index\", \"spec\", [\"index\", :1]], "
                + "\"find_keys\", [\"type\", \"range\", \"spec\", [\"lastkey\", :0, \"keystep\", :1, \"limit\", :0]]]], []], nil]",
                "COMMAND", "INFO", "get", "nosuchcommand");
        assertThat(h.show("COMMAND", "INFO", "config|get")).startsWith("[[\"config|get\", :-3, [+admin");
        assertThat(h.show("COMMAND", "LIST", "FILTERBY", "PATTERN", "getr*")).isEqualTo("[\"getrange\"]");
        assertThat(h.show("COMMAND", "LIST", "FILTERBY", "ACLCAT", "keyspace")).contains("\"object|encoding\"").contains("\"del\"");
        h.expect("-ERR syntax error", "COMMAND", "LIST", "FILTERBY", "foo", "x");
        h.expect("[\"get\", [\"group\", \"string\"], \"del\", [\"group\", \"generic\"]]", "COMMAND", "DOCS", "get", "del");
        h.expect("[\"a\", \"c\"]", "COMMAND", "GETKEYS", "MSET", "a", "b", "c", "d");
        h.expect("-ERR Invalid command specified", "COMMAND", "GETKEYS", "nosuch", "x");
        h.expect("-ERR Invalid number of arguments specified for command", "COMMAND", "GETKEYS", "get", "a", "b");
        h.expect("-ERR The command has no key arguments", "COMMAND", "GETKEYS", "info", "x");
        h.expect("-ERR unknown subcommand 'foo'. Try COMMAND HELP.", "COMMAND", "foo");
        assertThat(((Reply.Array) h.run("COMMAND")).items()).hasSize(h.table.size());
    }

    @Test
    void slowCommandsAreMarkedForTheWorker() {
        Dispatcher d = h.dispatcher;
        for (String slow : List.of("keys", "scan", "flushdb", "flushall", "save", "randomkey")) {
            assertThat(d.resolve(new byte[][] {slow.getBytes()}).has(CommandFlag.SLOW_PATH)).as(slow).isTrue();
        }
        assertThat(d.resolve(new byte[][] {"get".getBytes()}).has(CommandFlag.SLOW_PATH)).isFalse();
        assertThat(d.resolve(new byte[][] {"command".getBytes(), "docs".getBytes()}).has(CommandFlag.SLOW_PATH)).isTrue();
    }

    @Test
    void timeAndShutdown() {
        Reply.Array time = (Reply.Array) h.run("TIME");
        long seconds = Long.parseLong(new String(((Reply.Bulk) time.items().get(0)).bytes()));
        assertThat(seconds).isCloseTo(System.currentTimeMillis() / 1000, org.assertj.core.data.Offset.offset(5L));
        h.expect("-ERR syntax error", "SHUTDOWN", "SAVE", "NOSAVE");
        h.expect("-ERR No shutdown in progress.", "SHUTDOWN", "ABORT");
        assertThat(h.run("SHUTDOWN", "NOSAVE")).isNull();
        assertThat(h.shutdowns).containsExactly("save=false");
    }
}
