package io.hyperkv.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyperkv.crdt.Stamp;
import io.hyperkv.store.Encoding;
import io.hyperkv.store.Metadata;
import io.hyperkv.store.ValueType;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

class StringCommandsTest extends CommandHarnessTest {

    @Test
    void setAndGetWithEveryOption() {
        h.expect("+OK", "SET", "k", "v");
        h.expect("\"v\"", "GET", "k");
        h.expect("nil", "SET", "k", "w", "NX");
        h.expect("+OK", "SET", "k", "w", "XX");
        h.expect("nil", "SET", "missing", "w", "XX");
        h.expect("\"w\"", "SET", "k", "x", "GET");
        h.expect("nil", "SET", "fresh", "1", "NX", "GET");
        h.expect("\"1\"", "SET", "fresh", "2", "GET", "NX");
        h.expect("+OK", "SET", "t", "v", "EX", "100");
        h.expect(":100", "TTL", "t");
        h.expect("+OK", "SET", "t", "v2", "KEEPTTL");
        h.expect(":100", "TTL", "t");
        h.expect("+OK", "SET", "t", "v3");
        h.expect(":-1", "TTL", "t");
        h.expect("+OK", "SET", "p", "v", "PX", "1500");
        h.expect(":1500", "PTTL", "p");
        long at = h.time.getAsLong() + 5000;
        h.expect("+OK", "SET", "a", "v", "PXAT", Long.toString(at));
        h.expect(":" + at, "PEXPIRETIME", "a");
        h.expect("+OK", "SET", "past", "v", "EXAT", "1");
        h.expect("nil", "GET", "past");
    }

    @Test
    void plainSetOverExpiredOrCollectionKeysKeepsCountsAndTtlsRight() {
        h.expect("+OK", "SET", "gone", "v", "PX", "100");
        h.expect("+OK", "SET", "gone2", "v", "PX", "100");
        h.ks.write(0, "list".getBytes(),
                new Metadata(ValueType.LIST, Encoding.LISTPACK, 1, h.ks.stamp(), 0, null, 2, null, null));
        assertThat(h.ks.expiresCount(0)).isEqualTo(2);
        h.time.advance(101);
        // the old values expired but were never touched: SET must not count or keep their TTLs
        h.expect("+OK", "SET", "gone", "new");
        h.expect("+OK", "SET", "gone2", "new", "KEEPTTL");
        h.expect("+OK", "SET", "list", "s");
        h.expect(":-1", "TTL", "gone");
        h.expect(":-1", "TTL", "gone2");
        h.expect("\"new\"", "GET", "gone2");
        h.expect("\"s\"", "GET", "list");
        h.expect("+string", "TYPE", "list");
        assertThat(h.ks.size(0)).isEqualTo(3);
        assertThat(h.ks.expiresCount(0)).isZero();
    }

    @Test
    void setSyntaxAndExpireErrorsInRedisWords() {
        h.expect("-ERR syntax error", "SET", "k", "v", "NX", "XX");
        h.expect("-ERR syntax error", "SET", "k", "v", "EX", "10", "PX", "10");
        h.expect("-ERR syntax error", "SET", "k", "v", "EX");
        h.expect("-ERR syntax error", "SET", "k", "v", "KEEPTTL", "EX", "10");
        h.expect("-ERR syntax error", "SET", "k", "v", "FOO");
        h.expect("-ERR value is not an integer or out of range", "SET", "k", "v", "EX", "ten");
        h.expect("-ERR invalid expire time in 'set' command", "SET", "k", "v", "EX", "0");
        h.expect("-ERR invalid expire time in 'set' command", "SET", "k", "v", "PX", "-5");
        h.expect("-ERR invalid expire time in 'set' command", "SET", "k", "v", "EX", "9223372036854775807");
        h.expect("-ERR invalid expire time in 'set' command", "SET", "k", "v", "PX", "9223372036854775807");
        h.expect("-ERR invalid expire time in 'setex' command", "SETEX", "k", "0", "v");
        h.expect("-ERR invalid expire time in 'psetex' command", "PSETEX", "k", "-1", "v");
        h.expect("-ERR wrong number of arguments for 'set' command", "SET", "k");
        h.expect("nil", "GET", "k");
    }

    @Test
    void wrongTypeIsReportedForStringCommandsOnOtherTypes() {
        Stamp s = h.ks.stamp();
        h.ks.write(0, "h".getBytes(), new Metadata(ValueType.HASH, Encoding.LISTPACK, 1, s, 0, null, 1, null, null));
        String wrongtype = "-WRONGTYPE Operation against a key holding the wrong kind of value";
        for (String[] cmd : List.of(new String[] {"GET", "h"}, new String[] {"APPEND", "h", "x"},
                new String[] {"INCR", "h"}, new String[] {"STRLEN", "h"}, new String[] {"GETRANGE", "h", "0", "1"},
                new String[] {"SETRANGE", "h", "0", "x"}, new String[] {"GETSET", "h", "x"}, new String[] {"GETDEL", "h"},
                new String[] {"INCRBYFLOAT", "h", "1"}, new String[] {"SET", "h", "x", "GET"}, new String[] {"GETEX", "h"})) {
            h.expect(wrongtype, cmd);
        }
        h.expect("[nil]", "MGET", "h");
        h.expect("+hash", "TYPE", "h");
        h.expect("+OK", "SET", "h", "now a string");
        h.expect("+string", "TYPE", "h");
    }

    @Test
    void counters() {
        h.expect(":1", "INCR", "n");
        h.expect(":11", "INCRBY", "n", "10");
        h.expect(":10", "DECR", "n");
        h.expect(":-5", "DECRBY", "n", "15");
        h.expect("-ERR value is not an integer or out of range", "INCRBY", "n", "1.5");
        h.expect("+OK", "SET", "max", "9223372036854775807");
        h.expect("-ERR increment or decrement would overflow", "INCR", "max");
        h.expect("-ERR decrement would overflow", "DECRBY", "max", "-9223372036854775808");
        h.expect("+OK", "SET", "s", "abc");
        h.expect("-ERR value is not an integer or out of range", "INCR", "s");
        h.expect("+OK", "SET", "lz", "01");
        h.expect("-ERR value is not an integer or out of range", "INCR", "lz");
        h.expect("\"10.5\"", "INCRBYFLOAT", "f", "10.5");
        h.expect("\"10.6\"", "INCRBYFLOAT", "f", "0.1");
        h.expect("\"5010.60000000000000009\"", "INCRBYFLOAT", "f", "5.0e3"); // long double, as redis-server
    }

    @Test
    void floatIncrementsPrintLikeRedis() {
        h.expect("\"0.1\"", "INCRBYFLOAT", "g", "0.1");
        h.expect("\"0.3\"", "INCRBYFLOAT", "g", "0.2");
        h.expect("\"3\"", "INCRBYFLOAT", "g", "2.7");
        h.expect("-ERR value is not a valid float", "INCRBYFLOAT", "g", "abc");
        h.expect("-ERR value is not a valid float", "INCRBYFLOAT", "g", " 1");
        h.expect("-ERR value is not a valid float", "INCRBYFLOAT", "s0", "1e5000");
        h.expect("+OK", "SET", "text", "x");
        h.expect("-ERR value is not a valid float", "INCRBYFLOAT", "text", "1");
    }

    @Test
    void appendStrlenRanges() {
        h.expect(":5", "APPEND", "s", "Hello");
        h.expect(":11", "APPEND", "s", " World");
        h.expect(":11", "STRLEN", "s");
        h.expect(":0", "STRLEN", "nope");
        h.expect("\"Hell\"", "GETRANGE", "s", "0", "3");
        h.expect("\"rld\"", "GETRANGE", "s", "-3", "-1");
        h.expect("\"Hello World\"", "GETRANGE", "s", "0", "-1");
        h.expect("\"\"", "GETRANGE", "s", "-1", "-5");
        h.expect("\"Hello World\"", "GETRANGE", "s", "-100", "100");
        h.expect("\"\"", "GETRANGE", "nope", "0", "-1");
        h.expect(":11", "SETRANGE", "s", "6", "Redis");
        h.expect("\"Hello Redis\"", "GET", "s");
        h.expect(":8", "SETRANGE", "pad", "5", "abc");
        h.expect("\"\u0000\u0000\u0000\u0000\u0000abc\"", "GET", "pad");
        h.expect(":0", "SETRANGE", "empty", "3", "");
        h.expect(":0", "EXISTS", "empty");
        h.expect("-ERR offset is out of range", "SETRANGE", "s", "-1", "x");
        h.expect("-ERR string exceeds maximum allowed size (proto-max-bulk-len)", "SETRANGE", "s", "536870912", "x");
    }

    @Test
    void getsetGetdelGetexMultiKey() {
        h.expect("nil", "GETSET", "k", "1");
        h.expect("\"1\"", "GETSET", "k", "2");
        h.expect("\"2\"", "GETDEL", "k");
        h.expect(":0", "EXISTS", "k");
        h.expect("+OK", "SET", "e", "v");
        h.expect("\"v\"", "GETEX", "e", "EX", "50");
        h.expect(":50", "TTL", "e");
        h.expect("\"v\"", "GETEX", "e", "PERSIST");
        h.expect(":-1", "TTL", "e");
        h.expect("-ERR syntax error", "GETEX", "e", "PERSIST", "EX", "10");
        h.expect("-ERR invalid expire time in 'getex' command", "GETEX", "e", "EX", "0");
        h.expect("nil", "GETEX", "none", "EX", "10");
        h.expect("+OK", "MSET", "a", "1", "b", "2");
        h.expect("-ERR wrong number of arguments for 'mset' command", "MSET", "a", "1", "b");
        h.expect("[\"1\", \"2\", nil]", "MGET", "a", "b", "c");
        h.expect(":0", "MSETNX", "c", "3", "a", "x");
        h.expect("nil", "GET", "c");
        h.expect(":1", "MSETNX", "c", "3", "d", "4");
        h.expect(":1", "SETNX", "z", "1");
        h.expect(":0", "SETNX", "z", "2");
        h.expect("+OK", "SETEX", "se", "10", "v");
        h.expect(":10", "TTL", "se");
        h.expect("+OK", "PSETEX", "pse", "10000", "v");
        h.expect(":10000", "PTTL", "pse");
    }

    @Test
    void objectEncodingFollowsRedisRules() {
        h.run("SET", "i", "12345");
        h.run("SET", "e", "short string");
        h.run("SET", "r", "x".repeat(45));
        h.expect("\"int\"", "OBJECT", "ENCODING", "i");
        h.expect("\"embstr\"", "OBJECT", "ENCODING", "e");
        h.expect("\"raw\"", "OBJECT", "ENCODING", "r");
        h.run("APPEND", "e", "!");
        h.expect("\"raw\"", "OBJECT", "ENCODING", "e");
        h.run("INCR", "c");
        h.expect("\"int\"", "OBJECT", "ENCODING", "c");
        h.expect("nil", "OBJECT", "ENCODING", "missing");
    }

    @Test
    void concurrentIncrementsFromTwoThreadsAreNotLost() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<CompletableFuture<Void>> all = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                all.add(CompletableFuture.runAsync(() -> {
                    TestSession own = new TestSession();
                    for (int i = 0; i < 500; i++) {
                        h.dispatcher.dispatch(own, new byte[][] {"INCR".getBytes(), "counter".getBytes()});
                        h.dispatcher.dispatch(own, new byte[][] {"APPEND".getBytes(), "log".getBytes(), "x".getBytes()});
                    }
                }, pool));
            }
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get();
        } finally {
            pool.shutdownNow();
        }
        h.expect("\"2000\"", "GET", "counter");
        h.expect(":2000", "STRLEN", "log");
        assertThat(h.ks.size(0)).isEqualTo(2);
    }
}
