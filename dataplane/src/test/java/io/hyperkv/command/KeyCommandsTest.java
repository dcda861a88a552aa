package io.hyperkv.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyperkv.resp.Reply;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class KeyCommandsTest extends CommandHarnessTest {

    @Test
    void delExistsTouchTypeCountDuplicates() {
        h.run("MSET", "a", "1", "b", "2");
        h.expect(":3", "EXISTS", "a", "a", "b");
        h.expect(":2", "TOUCH", "a", "b", "c");
        h.expect("+string", "TYPE", "a");
        h.expect("+none", "TYPE", "c");
        h.expect(":1", "DEL", "a", "c");
        h.expect(":1", "UNLINK", "b", "b");
        h.expect(":0", "DBSIZE");
    }

    @Test
    void renameKeepsTheTtlAndRenamenxRefusesAnExistingTarget() {
        h.expect("-ERR no such key", "RENAME", "nope", "x");
        h.expect("-ERR no such key", "RENAMENX", "nope", "x");
        h.run("SET", "src", "v", "EX", "100");
        h.expect("+OK", "RENAME", "src", "dst");
        h.expect(":0", "EXISTS", "src");
        h.expect(":100", "TTL", "dst");
        h.expect("+OK", "RENAME", "dst", "dst");
        h.run("SET", "other", "o");
        h.expect(":0", "RENAMENX", "dst", "other");
        h.expect(":0", "RENAMENX", "dst", "dst");
        h.expect(":1", "RENAMENX", "dst", "fresh");
        h.expect("\"v\"", "GET", "fresh");
        h.expect(":2", "DBSIZE");
        h.expect("+OK", "RENAME", "other", "fresh");
        h.expect(":-1", "TTL", "fresh");
    }

    @Test
    void copyAcrossDatabasesWithReplace() {
        h.run("SET", "s", "v", "EX", "100");
        h.expect(":1", "COPY", "s", "d");
        h.expect(":0", "COPY", "s", "d");
        h.expect(":1", "COPY", "s", "d", "REPLACE");
        h.expect(":1", "COPY", "s", "s", "DB", "3");
        h.expect("-ERR source and destination objects are the same", "COPY", "s", "s");
        h.expect("-ERR DB index is out of range", "COPY", "s", "x", "DB", "16");
        h.expect("-ERR value is not an integer or out of range", "COPY", "s", "x", "DB", "x");
        h.expect("-ERR syntax error", "COPY", "s", "x", "FOO");
        h.expect(":0", "COPY", "missing", "x");
        h.session.selectDb(3);
        h.expect("\"v\"", "GET", "s");
        h.expect(":100", "TTL", "s");
    }

    @Test
    void expireFamilyWithConditions() {
        h.run("SET", "k", "v");
        h.expect(":0", "EXPIRE", "k", "100", "XX");
        h.expect(":0", "EXPIRE", "k", "100", "GT");
        h.expect(":1", "EXPIRE", "k", "100", "LT");
        h.expect(":0", "EXPIRE", "k", "50", "NX");
        h.expect(":0", "EXPIRE", "k", "50", "GT");
        h.expect(":1", "EXPIRE", "k", "200", "GT");
        h.expect(":1", "EXPIRE", "k", "50", "XX");
        h.expect(":50", "TTL", "k");
        h.expect(":1", "PEXPIRE", "k", "1234");
        h.expect(":1234", "PTTL", "k");
        long at = h.time.getAsLong() / 1000 + 1000;
        h.expect(":1", "EXPIREAT", "k", Long.toString(at));
        h.expect(":" + at, "EXPIRETIME", "k");
        h.expect(":" + at * 1000, "PEXPIRETIME", "k");
        h.expect(":1", "PERSIST", "k");
        h.expect(":0", "PERSIST", "k");
        h.expect(":-1", "TTL", "k");
        h.expect(":-1", "EXPIRETIME", "k");
        h.expect(":-2", "TTL", "missing");
        h.expect(":-2", "PEXPIRETIME", "missing");
        h.expect(":0", "EXPIRE", "missing", "10");
        h.expect(":1", "PEXPIREAT", "k", "1");
        h.expect(":0", "EXISTS", "k");
        h.run("SET", "k", "v");
        h.expect(":1", "EXPIRE", "k", "-1");
        h.expect(":0", "EXISTS", "k");
    }

    @Test
    void expireErrorsInRedisWords() {
        h.run("SET", "k", "v");
        h.expect("-ERR NX and XX, GT or LT options at the same time are not compatible", "EXPIRE", "k", "10", "NX", "XX");
        h.expect("-ERR GT and LT options at the same time are not compatible", "EXPIRE", "k", "10", "GT", "LT");
        h.expect("-ERR Unsupported option foo", "EXPIRE", "k", "10", "foo");
        h.expect("-ERR invalid expire time in 'expire' command", "EXPIRE", "k", "9223372036854775807");
        h.expect("-ERR invalid expire time in 'pexpire' command", "PEXPIRE", "k", "9223372036854775807");
        h.expect("-ERR value is not an integer or out of range", "EXPIRE", "k", "1.5");
        h.expect("-ERR wrong number of arguments for 'expire' command", "EXPIRE", "k");
    }

    @Test
    void keysAndScanWithMatchCountAndType() {
        for (int i = 0; i < 30; i++) {
            h.run("SET", "user:" + i, "v");
        }
        h.run("SET", "other", "v");
        Reply keys = h.run("KEYS", "user:1*");
        assertThat(((Reply.Array) keys).items()).hasSize(11);
        Set<String> seen = new HashSet<>();
        String cursor = "0";
        int rounds = 0;
        do {
            Reply.Array page = (Reply.Array) h.run("SCAN", cursor, "MATCH", "user:*", "COUNT", "7", "TYPE", "string");
            cursor = new String(((Reply.Bulk) page.items().get(0)).bytes());
            for (Reply k : ((Reply.Array) page.items().get(1)).items()) {
                seen.add(new String(((Reply.Bulk) k).bytes()));
            }
            rounds++;
        } while (!cursor.equals("0") && rounds < 100);
        assertThat(seen).hasSize(30).allMatch(k -> k.startsWith("user:"));
        h.expect("[\"0\", []]", "SCAN", "0", "COUNT", "1000", "TYPE", "hash");
        h.expect("[\"0\", []]", "SCAN", "0", "COUNT", "1000", "TYPE", "nosuchtype");
        h.expect("-ERR invalid cursor", "SCAN", "abc");
        h.expect("-ERR syntax error", "SCAN", "0", "COUNT", "0");
        h.expect("-ERR syntax error", "SCAN", "0", "MATCH");
        h.expect("-ERR value is not an integer or out of range", "SCAN", "0", "COUNT", "x");
        assertThat(h.show("RANDOMKEY")).startsWith("\"");
    }

    @Test
    void flushdbAndFlushallTakeOnlyAsyncOrSync() {
        h.run("SET", "a", "1");
        h.session.selectDb(1);
        h.run("SET", "b", "1");
        h.expect("-ERR syntax error", "FLUSHDB", "LATER");
        h.expect("+OK", "FLUSHDB", "ASYNC");
        h.expect(":0", "DBSIZE");
        h.session.selectDb(0);
        h.expect(":1", "DBSIZE");
        h.expect("+OK", "FLUSHALL", "SYNC");
        h.expect(":0", "DBSIZE");
        h.expect("nil", "RANDOMKEY");
    }

    @Test
    void objectSubcommands() {
        h.run("SET", "n", "1");
        h.run("SET", "s", "text");
        h.expect(":2147483647", "OBJECT", "REFCOUNT", "n");
        h.expect(":1", "OBJECT", "REFCOUNT", "s");
        h.expect(":0", "OBJECT", "IDLETIME", "s");
        h.time.advance(5000);
        h.expect(":5", "OBJECT", "IDLETIME", "s");
        assertThat(h.show("OBJECT", "FREQ", "s")).startsWith("-ERR An LFU maxmemory policy is not selected");
        h.expect("-ERR unknown subcommand 'foo'. Try OBJECT HELP.", "OBJECT", "foo");
        h.expect("-ERR wrong number of arguments for 'object|encoding' command", "OBJECT", "ENCODING");
        assertThat(h.show("OBJECT", "HELP")).startsWith("[+OBJECT <subcommand>");
    }

    @Test
    void passiveExpiryHidesAKeyTheMomentItsTimeComes() {
        h.run("SET", "k", "v", "PX", "100");
        h.time.advance(99);
        h.expect("\"v\"", "GET", "k");
        h.time.advance(1);
        h.expect("nil", "GET", "k");
        h.expect(":0", "DBSIZE");
    }
}
