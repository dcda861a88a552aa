package io.hyperkv.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyperkv.store.ColumnFamily;
import io.hyperkv.store.Engine;
import io.hyperkv.store.KeyCodec;
import io.hyperkv.store.Metadata;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The list commands on real RocksDB through the command table. Redis 7.0.15 answers the same
 * (differential/lists.txt) except where noted: OBJECT ENCODING listpack and the LPOS RANK bound
 * are Redis 7.2 behaviour, written here as 7.2 prints them.
 */
class ListCommandsTest extends CommandHarnessTest {

    @Test
    void pushesAndRange() {
        h.expect(":1", "LPUSH", "l", "a");
        h.expect(":3", "LPUSH", "l", "b", "c");
        h.expect(":6", "RPUSH", "l", "x", "y", "z");
        h.expect("[\"c\", \"b\", \"a\", \"x\", \"y\", \"z\"]", "LRANGE", "l", "0", "-1");
        h.expect(":6", "LLEN", "l");
        h.expect(":0", "LLEN", "nope");
        h.expect(":0", "LPUSHX", "nope", "a");
        h.expect(":0", "RPUSHX", "nope", "a");
        h.expect(":0", "EXISTS", "nope");
        h.expect(":7", "LPUSHX", "l", "first");
        h.expect(":9", "RPUSHX", "l", "last", "1");
        h.expect("[\"first\", \"c\", \"b\", \"a\", \"x\", \"y\", \"z\", \"last\", \"1\"]", "LRANGE", "l", "0", "-1");
        h.expect("[\"last\", \"1\"]", "LRANGE", "l", "-2", "-1");
        h.expect("[\"first\", \"c\"]", "LRANGE", "l", "-100", "1");
        h.expect("[]", "LRANGE", "l", "5", "2");
        h.expect("[]", "LRANGE", "l", "9", "20");
        h.expect("[]", "LRANGE", "nope", "0", "-1");
        h.expect("-ERR value is not an integer or out of range", "LRANGE", "l", "a", "1");
        h.expect("+list", "TYPE", "l");
        h.expect("-ERR wrong number of arguments for 'lpush' command", "LPUSH", "l");
    }

    @Test
    void everyListCommandRefusesAnotherType() {
        h.run("SET", "s", "v");
        h.run("RPUSH", "d", "x");
        String wrong = "-" + Errors.WRONGTYPE;
        for (String[] c : new String[][] {
            {"LPUSH", "s", "a"}, {"RPUSH", "s", "a"}, {"LPUSHX", "s", "a"}, {"RPUSHX", "s", "a"}, {"LPOP", "s"},
            {"RPOP", "s", "2"}, {"LLEN", "s"}, {"LRANGE", "s", "0", "-1"}, {"LINDEX", "s", "0"}, {"LSET", "s", "0", "a"},
            {"LINSERT", "s", "BEFORE", "a", "b"}, {"LREM", "s", "0", "a"}, {"LTRIM", "s", "0", "1"}, {"LPOS", "s", "a"},
            {"LMOVE", "s", "d", "LEFT", "LEFT"}, {"LMOVE", "d", "s", "LEFT", "LEFT"}, {"RPOPLPUSH", "s", "d"},
            {"LMPOP", "1", "s", "LEFT"}, {"BLPOP", "s", "1"}, {"BRPOP", "nope", "s", "1"},
            {"BLMOVE", "s", "d", "LEFT", "LEFT", "1"}, {"BRPOPLPUSH", "d", "s", "0"}, {"BLMPOP", "1", "1", "s", "LEFT"}}) {
            h.expect(wrong, c);
        }
        h.expect("\"v\"", "GET", "s");
        h.expect("[\"x\"]", "LRANGE", "d", "0", "-1");
    }

    @Test
    void popsWithAndWithoutCount() {
        h.run("RPUSH", "l", "a", "b", "c", "d", "e", "f");
        h.expect("\"a\"", "LPOP", "l");
        h.expect("\"f\"", "RPOP", "l");
        h.expect("[\"b\", \"c\"]", "LPOP", "l", "2");
        h.expect("[\"e\", \"d\"]", "RPOP", "l", "2");
        h.expect(":0", "EXISTS", "l");
        h.expect("nil", "LPOP", "l");
        assertThat(h.run("LPOP", "l", "2")).as("a missing key with a count is a null array").isEqualTo(io.hyperkv.resp.Reply.NULL_ARRAY);
        h.run("RPUSH", "l", "a");
        h.expect("[]", "LPOP", "l", "0");
        h.expect("-ERR value is out of range, must be positive", "LPOP", "l", "-1");
        h.expect("-ERR value is out of range, must be positive", "LPOP", "l", "abc");
        h.expect("-ERR wrong number of arguments for 'lpop' command", "LPOP", "l", "1", "2");
        h.expect("[\"a\"]", "RPOP", "l", "9223372036854775807");
        h.expect(":0", "EXISTS", "l");
    }

    @Test
    void indexAndSetWalkFromTheNearerEnd() {
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            h.run("RPUSH", "l", "v" + i);
            expected.add("v" + i);
        }
        for (int i = 0; i < 50; i++) {
            h.expect("\"v" + i + "\"", "LINDEX", "l", Integer.toString(i));
            h.expect("\"v" + i + "\"", "LINDEX", "l", Integer.toString(i - 50));
        }
        h.expect("nil", "LINDEX", "l", "50");
        h.expect("nil", "LINDEX", "l", "-51");
        h.expect("-ERR value is not an integer or out of range", "LINDEX", "l", "x");
        h.expect("nil", "LINDEX", "nope", "x");
        h.expect("+OK", "LSET", "l", "0", "A");
        h.expect("+OK", "LSET", "l", "-1", "Z");
        h.expect("+OK", "LSET", "l", "40", "forty");
        h.expect("\"A\"", "LINDEX", "l", "0");
        h.expect("\"Z\"", "LINDEX", "l", "49");
        h.expect("\"forty\"", "LINDEX", "l", "40");
        h.expect("[\"v39\", \"forty\", \"v41\"]", "LRANGE", "l", "39", "41");
        h.expect("[\"A\", \"v1\"]", "LRANGE", "l", "0", "1");
        h.expect("-ERR index out of range", "LSET", "l", "50", "x");
        h.expect("-ERR index out of range", "LSET", "l", "-51", "x");
        h.expect("-ERR no such key", "LSET", "nope", "0", "x");
        h.expect("-ERR no such key", "LSET", "nope", "x", "y");
        h.expect(":50", "LLEN", "l");
    }

    @Test
    void insertBeforeAndAfterTheFirstMatch() {
        h.run("RPUSH", "l", "a", "b", "c", "b");
        h.expect(":5", "LINSERT", "l", "BEFORE", "b", "x");
        h.expect(":6", "LINSERT", "l", "AFTER", "b", "y");
        h.expect(":7", "LINSERT", "l", "after", "b", "y2");
        h.expect(":8", "LINSERT", "l", "BEFORE", "a", "first");
        h.expect(":9", "LINSERT", "l", "AFTER", "b", "y3");
        h.expect("[\"first\", \"a\", \"x\", \"b\", \"y3\", \"y2\", \"y\", \"c\", \"b\"]", "LRANGE", "l", "0", "-1");
        h.expect(":10", "LINSERT", "l", "AFTER", "first", "second");
        h.expect(":11", "LINSERT", "l", "AFTER", "b", "last");
        h.expect("\"last\"", "LINDEX", "l", "5");
        h.run("RPUSH", "tail", "only");
        h.expect(":2", "LINSERT", "tail", "AFTER", "only", "end");
        h.expect(":3", "RPUSH", "tail", "after-end");
        h.expect(":4", "LINSERT", "tail", "BEFORE", "only", "start");
        h.expect(":5", "LPUSH", "tail", "before-start");
        h.expect("[\"before-start\", \"start\", \"only\", \"end\", \"after-end\"]", "LRANGE", "tail", "0", "-1");
        h.expect(":-1", "LINSERT", "l", "BEFORE", "nope", "q");
        h.expect("-ERR syntax error", "LINSERT", "l", "MIDDLE", "a", "q");
        h.expect(":0", "LINSERT", "nope", "BEFORE", "a", "q");
        h.expect(":0", "EXISTS", "nope");
    }

    @Test
    void repeatedInsertsBetweenTheSameNeighboursKeepTheirOrder() {
        h.run("RPUSH", "l", "left", "right");
        List<String> expected = new ArrayList<>(List.of("left"));
        for (int i = 0; i < 200; i++) {
            h.run("LINSERT", "l", "BEFORE", "right", "m" + i);
            expected.add("m" + i);
        }
        expected.add("right");
        assertThat(h.show("LRANGE", "l", "0", "-1")).isEqualTo(quoted(expected));
        h.expect(":202", "LLEN", "l");
    }

    @Test
    void removeFromEitherEndOrAll() {
        h.run("RPUSH", "l", "a", "b", "a", "c", "a", "b", "a");
        h.expect(":2", "LREM", "l", "2", "a");
        h.expect("[\"b\", \"c\", \"a\", \"b\", \"a\"]", "LRANGE", "l", "0", "-1");
        h.expect(":1", "LREM", "l", "-1", "a");
        h.expect("[\"b\", \"c\", \"a\", \"b\"]", "LRANGE", "l", "0", "-1");
        h.expect(":2", "LREM", "l", "0", "b");
        h.expect("[\"c\", \"a\"]", "LRANGE", "l", "0", "-1");
        h.expect(":0", "LREM", "l", "0", "zz");
        h.expect(":3", "LPUSH", "l", "head");
        h.expect("[\"head\", \"c\", \"a\"]", "LRANGE", "l", "0", "-1");
        h.expect(":1", "LREM", "l", "-9223372036854775808", "a");
        h.expect(":4", "RPUSH", "l", "t1", "t2");
        h.expect("[\"head\", \"c\", \"t1\", \"t2\"]", "LRANGE", "l", "0", "-1");
        h.expect(":0", "LREM", "l", "0", "x");
    }

    @Test
    void removingTheLastElementsDeletesTheKey() {
        h.run("RPUSH", "l", "a", "a");
        h.expect(":2", "LREM", "l", "0", "a");
        h.expect(":0", "EXISTS", "l");
        h.expect(":0", "LREM", "nope", "0", "a");
        h.expect("-ERR value is not an integer or out of range", "LREM", "l", "x", "a");
    }

    @Test
    void trimKeepsTheRangeAndAnEmptyRangeDeletes() {
        h.run("RPUSH", "l", "a", "b", "c", "d", "e", "f", "g");
        h.expect("+OK", "LTRIM", "l", "1", "-2");
        h.expect("[\"b\", \"c\", \"d\", \"e\", \"f\"]", "LRANGE", "l", "0", "-1");
        h.expect("+OK", "LTRIM", "l", "-3", "100");
        h.expect("[\"d\", \"e\", \"f\"]", "LRANGE", "l", "0", "-1");
        h.expect(":4", "LPUSH", "l", "c");
        h.expect(":5", "RPUSH", "l", "g");
        h.expect("[\"c\", \"d\", \"e\", \"f\", \"g\"]", "LRANGE", "l", "0", "-1");
        h.expect("+OK", "LTRIM", "l", "0", "0");
        h.expect("[\"c\"]", "LRANGE", "l", "0", "-1");
        h.expect("+OK", "LTRIM", "l", "5", "10");
        h.expect(":0", "EXISTS", "l");
        h.expect("+OK", "LTRIM", "nope", "0", "1");
        h.expect("-ERR value is not an integer or out of range", "LTRIM", "l", "a", "1");
    }

    @Test
    void lposOptions() {
        h.run("RPUSH", "l", "a", "b", "c", "1", "2", "3", "c", "c");
        h.expect(":2", "LPOS", "l", "c");
        h.expect(":6", "LPOS", "l", "c", "RANK", "2");
        h.expect(":7", "LPOS", "l", "c", "RANK", "-1");
        h.expect(":2", "LPOS", "l", "c", "RANK", "-3");
        h.expect("nil", "LPOS", "l", "c", "RANK", "4");
        h.expect("[:2, :6, :7]", "LPOS", "l", "c", "COUNT", "0");
        h.expect("[:7, :6]", "LPOS", "l", "c", "COUNT", "2", "RANK", "-1");
        h.expect("[:2]", "LPOS", "l", "c", "COUNT", "0", "MAXLEN", "3");
        h.expect("nil", "LPOS", "l", "c", "MAXLEN", "2");
        h.expect("[]", "LPOS", "l", "zz", "COUNT", "2");
        h.expect("nil", "LPOS", "nope", "a");
        h.expect("[]", "LPOS", "nope", "a", "COUNT", "1");
        h.expect("-ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list",
                "LPOS", "l", "c", "RANK", "0");
        // Redis 7.2 (7.0.15 accepts LONG_MIN and answers a bogus match)
        h.expect("-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807",
                "LPOS", "l", "c", "RANK", "-9223372036854775808");
        h.expect("-ERR COUNT can't be negative", "LPOS", "l", "c", "COUNT", "-1");
        h.expect("-ERR COUNT can't be negative", "LPOS", "l", "c", "COUNT", "x");
        h.expect("-ERR MAXLEN can't be negative", "LPOS", "l", "c", "MAXLEN", "-1");
        h.expect("-ERR syntax error", "LPOS", "l", "c", "COUNT");
    }

    @Test
    void moveBetweenListsAndRotateOne() {
        h.run("RPUSH", "src", "a", "b", "c");
        h.expect("\"a\"", "LMOVE", "src", "dst", "LEFT", "RIGHT");
        h.expect("\"c\"", "LMOVE", "src", "dst", "RIGHT", "LEFT");
        h.expect("\"b\"", "RPOPLPUSH", "src", "dst");
        h.expect(":0", "EXISTS", "src");
        h.expect("[\"b\", \"c\", \"a\"]", "LRANGE", "dst", "0", "-1");
        h.expect("nil", "RPOPLPUSH", "src", "dst");
        h.expect("\"b\"", "LMOVE", "dst", "dst", "LEFT", "RIGHT");
        h.expect("[\"c\", \"a\", \"b\"]", "LRANGE", "dst", "0", "-1");
        h.expect("\"b\"", "RPOPLPUSH", "dst", "dst");
        h.expect("[\"b\", \"c\", \"a\"]", "LRANGE", "dst", "0", "-1");
        h.expect("\"b\"", "LMOVE", "dst", "dst", "LEFT", "LEFT");
        h.expect("[\"b\", \"c\", \"a\"]", "LRANGE", "dst", "0", "-1");
        h.run("RPUSH", "one", "x");
        h.expect("\"x\"", "LMOVE", "one", "one", "RIGHT", "LEFT");
        h.expect("[\"x\"]", "LRANGE", "one", "0", "-1");
        h.expect("-ERR syntax error", "LMOVE", "dst", "o", "UP", "LEFT");
        h.run("SET", "str", "v");
        h.expect("nil", "LMOVE", "nope", "str", "LEFT", "LEFT");
        h.expect("-" + Errors.WRONGTYPE, "LMOVE", "one", "str", "LEFT", "LEFT");
        h.expect("[\"x\"]", "LRANGE", "one", "0", "-1");
    }

    @Test
    void lmpopTakesFromTheFirstNonEmptyList() {
        h.run("RPUSH", "a", "1", "2", "3");
        h.run("RPUSH", "b", "4", "5", "6");
        h.expect("[\"a\", [\"1\"]]", "LMPOP", "2", "nope", "a", "LEFT");
        h.expect("[\"a\", [\"3\", \"2\"]]", "LMPOP", "2", "nope", "a", "RIGHT", "COUNT", "10");
        h.expect("[\"b\", [\"4\", \"5\"]]", "LMPOP", "2", "a", "b", "LEFT", "COUNT", "2");
        h.expect("nil", "LMPOP", "1", "nope", "LEFT");
        h.expect("-ERR numkeys should be greater than 0", "LMPOP", "0", "a", "LEFT");
        h.expect("-ERR numkeys should be greater than 0", "LMPOP", "x", "a", "LEFT");
        h.expect("-ERR syntax error", "LMPOP", "3", "a", "b", "LEFT");
        h.expect("-ERR count should be greater than 0", "LMPOP", "1", "b", "LEFT", "COUNT", "0");
        h.expect("-ERR syntax error", "LMPOP", "1", "b", "LEFT", "COUNT", "1", "COUNT", "1");
        h.expect("[\"a\", \"b\"]", "COMMAND", "GETKEYS", "LMPOP", "2", "a", "b", "LEFT");
        h.expect("[\"a\", \"b\"]", "COMMAND", "GETKEYS", "BLMPOP", "0", "2", "a", "b", "LEFT");
        h.expect("[\"a\", \"b\"]", "COMMAND", "GETKEYS", "BLPOP", "a", "b", "0");
    }

    @Test
    void blockingFormsAnswerAtOnceWhenTheSessionCannotBlock() {
        // TestSession.mayBlock() is false, like a connection inside MULTI/EXEC: Redis answers the timeout reply
        assertThat(h.run("BLPOP", "nope", "0")).isEqualTo(io.hyperkv.resp.Reply.NULL_ARRAY);
        assertThat(h.run("BRPOP", "nope", "other", "5")).isEqualTo(io.hyperkv.resp.Reply.NULL_ARRAY);
        assertThat(h.run("BLMPOP", "0", "1", "nope", "LEFT")).isEqualTo(io.hyperkv.resp.Reply.NULL_ARRAY);
        h.expect("nil", "BLMOVE", "nope", "d", "LEFT", "LEFT", "0");
        h.expect("nil", "BRPOPLPUSH", "nope", "d", "0");
        h.run("RPUSH", "q", "a", "b", "c");
        h.expect("[\"q\", \"a\"]", "BLPOP", "nope", "q", "0");
        h.expect("[\"q\", \"c\"]", "BRPOP", "q", "0.01");
        h.expect("\"b\"", "BLMOVE", "q", "d", "LEFT", "LEFT", "0");
        h.expect(":0", "EXISTS", "q");
    }

    @Test
    void timeoutsAreParsedAsRedisDoes() {
        h.expect("-ERR timeout is negative", "BLPOP", "l", "-1");
        h.expect("-ERR timeout is negative", "BLPOP", "l", "-0.001");
        h.expect("-ERR timeout is not a float or out of range", "BLPOP", "l", "abc");
        h.expect("-ERR timeout is not a float or out of range", "BLPOP", "l", "nan");
        h.expect("-ERR timeout is not a float or out of range", "BLPOP", "l", " 1");
        // Redis 7.2 (7.0 wraps the overflow into a negative timeout)
        h.expect("-ERR timeout is out of range", "BLPOP", "l", "1e400");
        assertThat(BlockRequest.timeoutSeconds("0".getBytes(StandardCharsets.US_ASCII))).isZero();
        assertThat(BlockRequest.timeoutSeconds("1.5".getBytes(StandardCharsets.US_ASCII))).isEqualTo(1500);
        assertThat(BlockRequest.timeoutSeconds("0.0001".getBytes(StandardCharsets.US_ASCII))).as("rounded up").isEqualTo(1);
        assertThat(BlockRequest.timeoutSeconds("1e3".getBytes(StandardCharsets.US_ASCII))).isEqualTo(1_000_000);
    }

    @Test
    void objectEncodingFollowsRedis72ListpackRules() {
        // Redis 7.2: listpack until the pushed raw bytes would take the listpack past 8 KB (list-max-listpack-size -2)
        h.run("RPUSH", "small", "a", "b", "1");
        h.expect("\"listpack\"", "OBJECT", "ENCODING", "small");
        String big = "x".repeat(8190);
        h.run("RPUSH", "big", big);
        h.expect("\"quicklist\"", "OBJECT", "ENCODING", "big");
        String half = "y".repeat(3000);
        h.run("RPUSH", "grow", half, half);
        h.expect("\"listpack\"", "OBJECT", "ENCODING", "grow");
        h.run("RPUSH", "grow", half);
        h.expect("\"quicklist\"", "OBJECT", "ENCODING", "grow");
        h.run("RPOP", "grow");
        h.expect("\"quicklist\"", "OBJECT", "ENCODING", "grow");
        h.run("RPOP", "grow");
        h.expect("\"listpack\"", "OBJECT", "ENCODING", "grow");
        List<String> many = new ArrayList<>(List.of("RPUSH", "ints"));
        for (int i = 0; i < 2000; i++) {
            many.add(Integer.toString(i % 100));
        }
        h.run(many.toArray(new String[0]));
        h.expect("\"listpack\"", "OBJECT", "ENCODING", "ints");
    }

    @Test
    void anExpiredListIsGoneAndARecreatedOneStartsEmpty() {
        h.run("RPUSH", "l", "a", "b");
        h.expect(":1", "PEXPIRE", "l", "100");
        h.expect(":3", "RPUSH", "l", "c");
        h.time.advance(200);
        h.expect(":0", "LLEN", "l");
        h.expect("[]", "LRANGE", "l", "0", "-1");
        h.expect(":1", "RPUSH", "l", "fresh");
        h.expect("[\"fresh\"]", "LRANGE", "l", "0", "-1");
        h.expect(":-1", "TTL", "l");
    }

    @Test
    void popsSeekPastTheRowsOfEarlierPopsAndAnEmptiedListLeavesNoRows() {
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 300; i++) {
                h.run("LPUSH", "q", "v" + i);
            }
            for (int i = 0; i < 300; i++) {
                h.expect("\"v" + i + "\"", "RPOP", "q");
            }
            h.expect(":0", "EXISTS", "q");
        }
        h.run("RPUSH", "q", "x");
        Metadata m = h.ks.read(0, "q".getBytes(StandardCharsets.UTF_8));
        byte[] all = KeyCodec.subPrefix(0, "q".getBytes(StandardCharsets.UTF_8), 0).clone();
        // every row of every version of q: only the one live element remains
        byte[] keyPrefix = java.util.Arrays.copyOf(all, all.length - 8);
        int rows = 0;
        try (Engine.Cursor c = h.engine.iterate(ColumnFamily.SUB, keyPrefix, KeyCodec.prefixEnd(keyPrefix))) {
            for (c.seekToFirst(); c.valid(); c.next()) {
                rows++;
            }
        }
        assertThat(rows).isEqualTo(1);
        assertThat(m.size()).isEqualTo(1);
    }

    @Test
    void keyspaceEventsAtRedisNotificationPoints() {
        List<String> events = new ArrayList<>();
        Notifier recorder = (type, event, db, key) -> events.add(type + ":" + event + ":" + db + ":" + new String(key, StandardCharsets.UTF_8));
        CommandTable table = new CommandTable();
        new ListCommands(h.ks, recorder).register(table);
        Dispatcher d = new Dispatcher(table);
        java.util.function.Consumer<String> run = line -> {
            String[] args = line.split(" ");
            byte[][] argv = new byte[args.length][];
            for (int i = 0; i < args.length; i++) {
                argv[i] = args[i].getBytes(StandardCharsets.UTF_8);
            }
            d.dispatch(h.session, argv);
        };
        String list = Notifier.LIST + ":";
        String generic = Notifier.GENERIC + ":";
        String created = Notifier.NEW + ":new:0:";
        run.accept("RPUSH l a b c");
        run.accept("LPUSH l z");
        run.accept("LPUSHX nope x");
        run.accept("LSET l 0 y");
        run.accept("LINSERT l BEFORE a q");
        run.accept("LINSERT l BEFORE nope q");
        run.accept("LREM l 0 nope");
        run.accept("LREM l 0 q");
        run.accept("LTRIM l 0 -1");
        run.accept("LMOVE l d LEFT RIGHT");
        run.accept("LPOP l 0");
        run.accept("RPOP l 5");
        run.accept("LMPOP 1 d LEFT");
        assertThat(events).containsExactly(
                created + "l", list + "rpush:0:l",
                list + "lpush:0:l",
                list + "lset:0:l",
                list + "linsert:0:l",
                list + "lrem:0:l",
                list + "ltrim:0:l",
                created + "d", list + "rpush:0:d", list + "lpop:0:l",
                list + "rpop:0:l", generic + "del:0:l",
                list + "lpop:0:d", generic + "del:0:d");
    }

    private static String quoted(List<String> values) {
        List<String> q = new ArrayList<>();
        values.forEach(v -> q.add("\"" + v + "\""));
        return "[" + String.join(", ", q) + "]";
    }
}
