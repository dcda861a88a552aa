package io.hyperkv.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyperkv.resp.Reply;
import io.hyperkv.store.ColumnFamily;
import io.hyperkv.store.Engine;
import io.hyperkv.store.KeyCodec;
import io.hyperkv.store.Metadata;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The hash commands on a real RocksDB: replies, edge cases, WRONGTYPE, encodings and offset-only rows. */
class HashCommandsTest extends CommandHarnessTest {

    private static List<String> items(Reply r) {
        List<Reply> list = r instanceof Reply.MapReply m ? m.keysAndValues() : ((Reply.Array) r).items();
        List<String> out = new ArrayList<>();
        for (Reply i : list) {
            out.add(new String(((Reply.Bulk) i).bytes(), StandardCharsets.UTF_8));
        }
        return out;
    }

    private long rows(String key) {
        Metadata m = h.ks.read(0, key.getBytes());
        if (m == null) {
            return 0;
        }
        byte[] prefix = KeyCodec.subPrefix(0, key.getBytes(), m.version());
        long n = 0;
        try (Engine.Cursor c = h.engine.iterate(ColumnFamily.SUB, prefix, KeyCodec.prefixEnd(prefix))) {
            for (; c.valid(); c.next()) {
                n++;
            }
        }
        return n;
    }

    @Test
    void hsetCountsNewFieldsAndLaterDuplicatesWin() {
        h.expect(":2", "HSET", "h", "a", "1", "b", "2");
        h.expect(":1", "HSET", "h", "a", "10", "c", "3");
        h.expect(":0", "HSET", "h", "a", "10");
        h.expect(":1", "HSET", "h", "d", "1", "d", "2", "d", "3");
        h.expect("\"3\"", "HGET", "h", "d");
        h.expect("\"10\"", "HGET", "h", "a");
        h.expect("+OK", "HMSET", "h", "e", "5");
        h.expect(":5", "HLEN", "h");
        assertThat(rows("h")).isEqualTo(5);
        h.expect("-ERR wrong number of arguments for 'hset' command", "HSET", "h", "a", "1", "b");
        h.expect("-ERR wrong number of arguments for 'hmset' command", "HMSET", "h", "a");
        h.expect("-ERR wrong number of arguments for 'hset' command", "HSET", "h", "a");
        h.expect(":1", "HSET", "e", "", "");
        h.expect("\"\"", "HGET", "e", "");
        h.expect(":0", "HSTRLEN", "e", "");
        h.expect(":1", "HEXISTS", "e", "");
    }

    @Test
    void readsOfFieldsAndWholeHashes() {
        h.run("HSET", "h", "f1", "v1", "f2", "v22");
        h.expect("nil", "HGET", "h", "nope");
        h.expect("nil", "HGET", "nope", "f1");
        h.expect("[\"v1\", nil, \"v22\"]", "HMGET", "h", "f1", "x", "f2");
        h.expect("[nil, nil]", "HMGET", "nope", "a", "b");
        h.expect(":1", "HEXISTS", "h", "f1");
        h.expect(":0", "HEXISTS", "h", "x");
        h.expect(":0", "HEXISTS", "nope", "x");
        h.expect(":3", "HSTRLEN", "h", "f2");
        h.expect(":0", "HSTRLEN", "h", "x");
        h.expect(":0", "HLEN", "nope");
        assertThat(items(h.run("HGETALL", "h"))).containsExactly("f1", "v1", "f2", "v22");
        assertThat(h.run("HGETALL", "h")).isInstanceOf(Reply.MapReply.class);
        h.expect("[\"f1\", \"f2\"]", "HKEYS", "h");
        h.expect("[\"v1\", \"v22\"]", "HVALS", "h");
        h.expect("[]", "HGETALL", "nope");
        h.expect("[]", "HKEYS", "nope");
        h.expect("[]", "HVALS", "nope");
    }

    @Test
    void hdelRemovesAndTheLastFieldTakesTheKey() {
        h.run("HSET", "h", "a", "1", "b", "2", "c", "3");
        h.expect(":2", "HDEL", "h", "a", "b", "zz", "a");
        h.expect(":0", "HDEL", "h", "zz");
        h.expect(":0", "HDEL", "nope", "a");
        h.expect(":1", "HLEN", "h");
        assertThat(rows("h")).isEqualTo(1);
        h.expect(":1", "HDEL", "h", "c");
        h.expect(":0", "EXISTS", "h");
        assertThat(h.ks.size(0)).isZero();
    }

    @Test
    void everyHashCommandRefusesAnotherType() {
        h.run("SADD", "s", "a");
        String wt = "-" + Errors.WRONGTYPE;
        for (String[] c : new String[][] {
                {"HSET", "s", "a", "1"}, {"HMSET", "s", "a", "1"}, {"HSETNX", "s", "a", "1"}, {"HGET", "s", "a"},
                {"HMGET", "s", "a"}, {"HGETALL", "s"}, {"HKEYS", "s"}, {"HVALS", "s"}, {"HDEL", "s", "a"},
                {"HEXISTS", "s", "a"}, {"HLEN", "s"}, {"HSTRLEN", "s", "a"}, {"HINCRBY", "s", "a", "1"},
                {"HINCRBYFLOAT", "s", "a", "1"}, {"HSCAN", "s", "0"}, {"HRANDFIELD", "s"}, {"HRANDFIELD", "s", "2"},
                {"HRANDFIELD", "s", "-2", "WITHVALUES"}}) {
            h.expect(wt, c);
        }
        h.expect(":1", "SCARD", "s");
    }

    @Test
    void hsetnxOnlyCreates() {
        h.expect(":1", "HSETNX", "h", "a", "1");
        h.expect(":0", "HSETNX", "h", "a", "2");
        h.expect("\"1\"", "HGET", "h", "a");
        h.expect(":1", "HSETNX", "h", "b", "3");
        h.expect(":2", "HLEN", "h");
    }

    @Test
    void hincrbyIsACounterWithRedisErrors() {
        h.expect(":5", "HINCRBY", "h", "n", "5");
        h.expect(":-10", "HINCRBY", "h", "n", "-15");
        h.expect("\"-10\"", "HGET", "h", "n");
        h.expect("-ERR value is not an integer or out of range", "HINCRBY", "h", "n", "x");
        h.expect("-ERR value is not an integer or out of range", "HINCRBY", "h", "n", "1.5");
        h.run("HSET", "h", "s", "abc", "sp", " 1", "lz", "01");
        h.expect("-ERR hash value is not an integer", "HINCRBY", "h", "s", "1");
        h.expect("-ERR hash value is not an integer", "HINCRBY", "h", "sp", "1");
        h.expect("-ERR hash value is not an integer", "HINCRBY", "h", "lz", "1");
        h.run("HSET", "h", "max", "9223372036854775807", "min", "-9223372036854775808");
        h.expect("-ERR increment or decrement would overflow", "HINCRBY", "h", "max", "1");
        h.expect(":9223372036854775807", "HINCRBY", "h", "max", "0");
        h.expect("-ERR increment or decrement would overflow", "HINCRBY", "h", "min", "-1");
        h.expect(":-1", "HINCRBY", "h", "min", "9223372036854775807");
        h.expect(":7", "HINCRBY", "h", "n", "17");
        h.expect("\"7\"", "HGET", "h", "n");
        // a counter over an assignment
        h.run("HSET", "h", "n", "100");
        h.expect(":101", "HINCRBY", "h", "n", "1");
        h.expect(":3", "HSTRLEN", "h", "n");
    }

    @Test
    void hincrbyfloatComputesAsRedisAndAssigns() {
        h.expect("\"10.5\"", "HINCRBYFLOAT", "h", "f", "10.5");
        h.expect("\"10.6\"", "HINCRBYFLOAT", "h", "f", "0.1");
        // as redis-server prints it: x87 long double arithmetic
        h.expect("\"5010.60000000000000009\"", "HINCRBYFLOAT", "h", "f", "5.0e3");
        h.expect("\"0.1\"", "HINCRBYFLOAT", "h", "g", "0.1");
        h.expect("\"0.3\"", "HINCRBYFLOAT", "h", "g", "0.2");
        h.expect("-ERR value is not a valid float", "HINCRBYFLOAT", "h", "g", "abc");
        h.expect("-ERR value is NaN or Infinity", "HINCRBYFLOAT", "h", "g", "inf");
        h.expect("-ERR value is not a valid float", "HINCRBYFLOAT", "h", "g", "nan");
        h.run("HSET", "h", "s", "abc", "i", "inf");
        h.expect("-ERR hash value is not a float", "HINCRBYFLOAT", "h", "s", "1");
        h.expect("-ERR increment would produce NaN or Infinity", "HINCRBYFLOAT", "h", "i", "1");
        h.expect(":4", "HINCRBY", "h", "c", "4");
        h.expect("\"5.5\"", "HINCRBYFLOAT", "h", "c", "1.5");
        h.expect("-ERR hash value is not an integer", "HINCRBY", "h", "c", "1");
        h.expect("\"5.5\"", "HGET", "h", "c");
    }

    @Test
    void fieldsHoldingOnlyOffsetsAreStoredButInvisible() {
        h.run("HINCRBY", "h", "n", "5");
        h.run("HSET", "h", "keep", "v");
        h.expect(":1", "HDEL", "h", "n");
        // the HDEL of a counted field leaves its offsets (for an HINCRBY concurrent with it)
        assertThat(rows("h")).isEqualTo(2);
        h.expect(":1", "HLEN", "h");
        h.expect("nil", "HGET", "h", "n");
        h.expect(":0", "HEXISTS", "h", "n");
        h.expect(":0", "HSTRLEN", "h", "n");
        h.expect(":0", "HDEL", "h", "n");
        h.expect("[\"keep\", \"v\"]", "HGETALL", "h");
        h.expect("[\"keep\"]", "HKEYS", "h");
        h.expect("[\"0\", [\"keep\", \"v\"]]", "HSCAN", "h", "0");
        for (int i = 0; i < 20; i++) {
            h.expect("\"keep\"", "HRANDFIELD", "h");
        }
        h.expect("[\"keep\"]", "HRANDFIELD", "h", "5");
        h.expect("[\"keep\", \"keep\"]", "HRANDFIELD", "h", "-2");
        // incrementing again starts from 0, as after a real delete
        h.expect(":3", "HINCRBY", "h", "n", "3");
        h.expect(":2", "HLEN", "h");
        h.expect("\"3\"", "HGET", "h", "n");
        h.expect(":1", "HSETNX", "h", "gone", "x");
        h.run("HDEL", "h", "n", "gone");
        h.expect(":1", "HSETNX", "h", "n", "fresh");
        h.expect("\"fresh\"", "HGET", "h", "n");
        h.expect(":2", "HLEN", "h");
        h.expect(":2", "HDEL", "h", "n", "keep");
        h.expect(":0", "EXISTS", "h");
    }

    @Test
    void encodingIsListpackUntilRedisLimitsThenHashtableForGood() {
        h.run("HSET", "h", "a", "1");
        h.expect("\"listpack\"", "OBJECT", "ENCODING", "h");
        h.run("HSET", "h", "b", "x".repeat(64));
        h.expect("\"listpack\"", "OBJECT", "ENCODING", "h");
        h.run("HSET", "h", "c", "x".repeat(65));
        h.expect("\"hashtable\"", "OBJECT", "ENCODING", "h");
        h.run("HDEL", "h", "c");
        h.expect("\"hashtable\"", "OBJECT", "ENCODING", "h");
        h.run("HINCRBYFLOAT", "lf", "f".repeat(65), "1");
        h.expect("\"hashtable\"", "OBJECT", "ENCODING", "lf");
        h.run("HINCRBY", "li", "f".repeat(65), "1");
        h.expect("\"hashtable\"", "OBJECT", "ENCODING", "li");
        List<String> args = new ArrayList<>(List.of("HSET", "big"));
        for (int i = 0; i < 512; i++) {
            args.add("f" + i);
            args.add("v");
        }
        h.run(args.toArray(String[]::new));
        h.expect("\"listpack\"", "OBJECT", "ENCODING", "big");
        h.run("HSET", "big", "one", "more");
        h.expect("\"hashtable\"", "OBJECT", "ENCODING", "big");
        // Redis 7.2 (not 7.0): more than 512 pairs in one HSET convert at once, duplicates or not
        args = new ArrayList<>(List.of("HSET", "dups"));
        for (int i = 0; i < 513; i++) {
            args.add("f");
            args.add("v");
        }
        h.run(args.toArray(String[]::new));
        h.expect(":1", "HLEN", "dups");
        h.expect("\"hashtable\"", "OBJECT", "ENCODING", "dups");
    }

    @Test
    void hrandfieldCountsAndLimitsAsRedis() {
        h.run("HSET", "h", "a", "1", "b", "2", "c", "3");
        assertThat(new HashSet<>(items(h.run("HRANDFIELD", "h", "2")))).hasSize(2);
        assertThat(items(h.run("HRANDFIELD", "h", "5", "WITHVALUES"))).containsExactlyInAnyOrder("a", "1", "b", "2", "c", "3");
        List<String> repeats = items(h.run("HRANDFIELD", "h", "-7", "WITHVALUES"));
        assertThat(repeats).hasSize(14);
        for (int i = 0; i < repeats.size(); i += 2) {
            assertThat(repeats.get(i + 1)).isEqualTo(Integer.toString(repeats.get(i).charAt(0) - 'a' + 1));
        }
        h.expect("[]", "HRANDFIELD", "h", "0");
        h.expect("nil", "HRANDFIELD", "nope");
        h.expect("[]", "HRANDFIELD", "nope", "3");
        h.expect("-ERR value is not an integer or out of range", "HRANDFIELD", "h", "x");
        h.expect("-ERR syntax error", "HRANDFIELD", "h", "1", "WITHVALUE");
        h.expect("-ERR syntax error", "HRANDFIELD", "h", "1", "WITHVALUES", "x");
        h.expect("-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807",
                "HRANDFIELD", "h", "-9223372036854775808");
        h.expect("-ERR value is out of range", "HRANDFIELD", "h", "9223372036854775807", "WITHVALUES");
    }

    @Test
    void hscanPagesThroughAHashtableHash() {
        List<String> args = new ArrayList<>(List.of("HSET", "big"));
        for (int i = 0; i < 600; i++) {
            args.add("f" + i);
            args.add("v" + i);
        }
        h.run(args.toArray(String[]::new));
        h.expect("\"hashtable\"", "OBJECT", "ENCODING", "big");
        List<String> seen = new ArrayList<>();
        String cursor = "0";
        int pages = 0;
        do {
            Reply.Array page = (Reply.Array) h.run("HSCAN", "big", cursor, "COUNT", "50");
            cursor = new String(((Reply.Bulk) page.items().get(0)).bytes(), StandardCharsets.UTF_8);
            seen.addAll(items(page.items().get(1)));
            pages++;
        } while (!cursor.equals("0"));
        assertThat(pages).isGreaterThan(10);
        assertThat(seen).hasSize(1200);
        List<String> fields = new ArrayList<>();
        for (int i = 0; i < seen.size(); i += 2) {
            fields.add(seen.get(i));
            assertThat(seen.get(i + 1)).isEqualTo("v" + seen.get(i).substring(1));
        }
        assertThat(fields).doesNotHaveDuplicates();
        h.expect("-ERR invalid cursor", "HSCAN", "big", "abc");
        h.expect("-ERR syntax error", "HSCAN", "big", "0", "NOVALUES");
        h.expect("[\"0\", []]", "HSCAN", "nope", "0");
    }

    @Test
    void commandInfoMatchesRedisKeyPositionsAndFlags() {
        String[][] expected = {
                {"hset", "-4", "+write, +denyoom, +fast"}, {"hmset", "-4", "+write, +denyoom, +fast"},
                {"hsetnx", "4", "+write, +denyoom, +fast"}, {"hget", "3", "+readonly, +fast"},
                {"hmget", "-3", "+readonly, +fast"}, {"hgetall", "2", "+readonly"}, {"hkeys", "2", "+readonly"},
                {"hvals", "2", "+readonly"}, {"hdel", "-3", "+write, +fast"}, {"hexists", "3", "+readonly, +fast"},
                {"hlen", "2", "+readonly, +fast"}, {"hstrlen", "3", "+readonly, +fast"},
                {"hincrby", "4", "+write, +denyoom, +fast"}, {"hincrbyfloat", "4", "+write, +denyoom, +fast"},
                {"hscan", "-3", "+readonly"}, {"hrandfield", "-2", "+readonly"}};
        for (String[] e : expected) {
            Reply.Array one = (Reply.Array) ((Reply.Array) h.run("COMMAND", "INFO", e[0])).items().get(0);
            assertThat(CommandHarness.render(Reply.array(one.items().subList(0, 6))))
                    .isEqualTo("[\"" + e[0] + "\", :" + e[1] + ", [" + e[2] + "], :1, :1, :1]");
        }
    }

    @Test
    void hsetKeepsTheTtl() {
        h.run("HSET", "h", "a", "1");
        h.run("PEXPIRE", "h", "5000");
        h.run("HSET", "h", "b", "2");
        h.run("HDEL", "h", "a");
        h.run("HINCRBY", "h", "c", "1");
        h.expect(":5000", "PTTL", "h");
        h.time.advance(5000);
        h.expect(":0", "HLEN", "h");
        h.expect(":0", "EXISTS", "h");
    }
}
