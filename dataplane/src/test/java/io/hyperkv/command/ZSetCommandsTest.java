package io.hyperkv.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyperkv.crdt.Bytes;
import io.hyperkv.crdt.DotFun;
import io.hyperkv.crdt.ElementCodec;
import io.hyperkv.crdt.OrSet;
import io.hyperkv.crdt.Stamp;
import io.hyperkv.resp.Reply;
import io.hyperkv.store.ColumnFamily;
import io.hyperkv.store.Encoding;
import io.hyperkv.store.KeyCodec;
import io.hyperkv.store.Keyspace;
import io.hyperkv.store.Metadata;
import io.hyperkv.store.ValueType;
import io.hyperkv.store.ZSetStore;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The sorted-set commands on real RocksDB through the command table: replies, edge cases, errors
 * in Redis's words, WRONGTYPE, the 7.2-only forms (ZRANK WITHSCORE, shortest double printing,
 * listpack/skiplist encoding rules) that the 7.0.15 differential reference cannot check, and the
 * storage invariant (score index = member rows) after each kind of write.
 */
class ZSetCommandsTest extends CommandHarnessTest {

    private ZSetStore store() {
        return new ZSetStore(h.ks);
    }

    /** Index entries and member rows hold the same (member, score) pairs, and META counts them. */
    private void assertConsistent(String key) {
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        Metadata m = h.ks.read(0, k);
        if (m == null) {
            return;
        }
        ZSetStore s = store();
        List<ZSetStore.Member> index = s.all(0, k, m);
        List<ZSetStore.Member> rows = s.rowEntries(0, k, m);
        assertThat(new HashSet<>(index)).isEqualTo(new HashSet<>(rows));
        assertThat(index).hasSize((int) m.size());
        assertThat(index).isSortedAccordingTo(ZSetCommands.ORDER);
    }

    @Test
    void zaddCountsAddedOrChangedAndHonoursEveryOption() {
        h.expect(":3", "ZADD", "z", "1", "a", "2", "b", "3", "c");
        h.expect(":0", "ZADD", "z", "1", "a");
        h.expect(":1", "ZADD", "z", "CH", "5", "a");
        h.expect(":1", "ZADD", "z", "NX", "9", "a", "4", "d");
        h.expect("\"5\"", "ZSCORE", "z", "a");
        h.expect(":0", "ZADD", "z", "XX", "6", "a", "7", "e");
        h.expect("nil", "ZSCORE", "z", "e");
        h.expect(":1", "ZADD", "z", "GT", "CH", "1", "a", "8", "b");
        h.expect("\"8\"", "ZSCORE", "z", "b");
        h.expect(":3", "ZADD", "z", "LT", "CH", "5", "a", "1", "b", "0", "c");
        h.expect("\"5\"", "ZSCORE", "z", "a");
        h.expect("[\"1\", \"0\"]", "ZMSCORE", "z", "b", "c");
        h.expect("-ERR XX and NX options at the same time are not compatible", "ZADD", "z", "NX", "XX", "1", "a");
        h.expect("-ERR GT, LT, and/or NX options at the same time are not compatible", "ZADD", "z", "GT", "LT", "1", "a");
        h.expect("-ERR INCR option supports a single increment-element pair", "ZADD", "z", "INCR", "1", "a", "2", "b");
        h.expect("-ERR syntax error", "ZADD", "z", "1", "a", "2");
        h.expect("-ERR value is not a valid float", "ZADD", "z", "nan", "a");
        h.expect("-ERR wrong number of arguments for 'zadd' command", "ZADD", "z", "1");
        assertConsistent("z");
    }

    @Test
    void zaddIncrAndZincrbyComputeLikeRedisAndPrintShortestDoubles() {
        // Redis 7.2 prints the shortest representation; 7.0 would print 0.10000000000000001
        h.expect("\"0.1\"", "ZINCRBY", "z", "0.1", "a");
        h.expect("\"0.30000000000000004\"", "ZINCRBY", "z", "0.2", "a");
        h.expect("\"1.0000000000000001e-7\"", "ZADD", "z", "INCR", "1.0000000000000001e-7", "b");
        h.expect("\"inf\"", "ZADD", "z", "INCR", "inf", "c");
        h.expect("-ERR resulting score is not a number (NaN)", "ZINCRBY", "z", "-inf", "c");
        h.expect("\"inf\"", "ZSCORE", "z", "c");
        h.expect("nil", "ZADD", "z", "NX", "INCR", "1", "a");
        h.expect("nil", "ZADD", "z", "XX", "INCR", "1", "missing");
        h.expect("nil", "ZADD", "z", "GT", "INCR", "-1", "a");
        h.expect("-ERR value is not a valid float", "ZINCRBY", "z", "1e400", "a");
        h.expect("\"16\"", "ZINCRBY", "z", "0x10", "hex");
        assertConsistent("z");
    }

    @Test
    void sameScoreWritesNothing() {
        h.expect(":1", "ZADD", "z", "1", "a");
        Metadata before = h.ks.read(0, "z".getBytes(StandardCharsets.UTF_8));
        h.expect(":0", "ZADD", "z", "CH", "1", "a");
        h.expect(":0", "ZADD", "z", "CH", "1.0", "a");
        h.expect(":0", "ZREM", "z", "nope");
        assertThat(h.ks.read(0, "z".getBytes(StandardCharsets.UTF_8))).isEqualTo(before);
    }

    @Test
    void negativeZeroIsZeroInAListpackAndKeptInASkiplistLikeRedis() {
        h.expect(":1", "ZADD", "small", "-0", "a");
        h.expect("\"0\"", "ZSCORE", "small", "a");
        h.expect("+OK", "CONFIG", "SET", "zset-max-listpack-entries", "0");
        h.expect(":2", "ZADD", "big", "-0", "a", "0", "b");
        h.expect("\"skiplist\"", "OBJECT", "ENCODING", "big");
        h.expect("\"-0\"", "ZSCORE", "big", "a");
        // the index orders -0 and 0 as equal scores, ties by member, and prints -0 from the index too
        h.expect("[\"a\", \"-0\", \"b\", \"0\"]", "ZRANGE", "big", "0", "-1", "WITHSCORES");
        h.expect(":2", "ZCOUNT", "big", "0", "0");
        assertConsistent("big");
    }

    @Test
    void zremDeletesTheKeyWhenEmptied() {
        h.expect(":2", "ZADD", "z", "1", "a", "2", "b");
        h.expect(":1", "ZREM", "z", "a", "x", "a");
        h.expect(":1", "ZCARD", "z");
        h.expect(":1", "ZREM", "z", "b");
        h.expect(":0", "EXISTS", "z");
        h.expect(":0", "ZREM", "z", "b");
        h.expect(":0", "ZCARD", "z");
    }

    @Test
    void everyCommandRefusesAnotherType() {
        h.run("SET", "s", "v");
        String wrong = "-" + Errors.WRONGTYPE;
        String[][] commands = {
            {"ZADD", "s", "1", "a"}, {"ZINCRBY", "s", "1", "a"}, {"ZREM", "s", "a"}, {"ZSCORE", "s", "a"},
            {"ZMSCORE", "s", "a"}, {"ZCARD", "s"}, {"ZCOUNT", "s", "0", "1"}, {"ZLEXCOUNT", "s", "-", "+"},
            {"ZRANGE", "s", "0", "-1"}, {"ZRANGESTORE", "d", "s", "0", "-1"}, {"ZREVRANGE", "s", "0", "-1"},
            {"ZRANGEBYSCORE", "s", "0", "1"}, {"ZREVRANGEBYSCORE", "s", "1", "0"}, {"ZRANGEBYLEX", "s", "-", "+"},
            {"ZREVRANGEBYLEX", "s", "+", "-"}, {"ZRANK", "s", "a"}, {"ZREVRANK", "s", "a"}, {"ZPOPMIN", "s"},
            {"ZPOPMAX", "s", "2"}, {"ZMPOP", "1", "s", "MIN"}, {"ZREMRANGEBYRANK", "s", "0", "1"},
            {"ZREMRANGEBYSCORE", "s", "0", "1"}, {"ZREMRANGEBYLEX", "s", "-", "+"}, {"ZUNIONSTORE", "d", "1", "s"},
            {"ZINTERSTORE", "d", "1", "s"}, {"ZDIFFSTORE", "d", "1", "s"}, {"ZUNION", "1", "s"}, {"ZINTER", "1", "s"},
            {"ZDIFF", "1", "s"}, {"ZINTERCARD", "1", "s"}, {"ZSCAN", "s", "0"}, {"ZRANDMEMBER", "s"},
            {"BZPOPMIN", "s", "0"}, {"BZPOPMAX", "none", "s", "1"}, {"BZMPOP", "0", "2", "none", "s", "MIN"},
        };
        for (String[] c : commands) {
            h.expect(wrong, c);
        }
        h.expect("\"v\"", "GET", "s");
    }

    @Test
    void zrankWithScoreIsRedis72() {
        h.run("ZADD", "z", "1", "a", "2.5", "b", "3", "c");
        h.expect("[:1, \"2.5\"]", "ZRANK", "z", "b", "WITHSCORE");
        h.expect("[:0, \"3\"]", "ZREVRANK", "z", "c", "withscore");
        h.expect("nil", "ZRANK", "z", "x", "WITHSCORE");
        h.expect("nil", "ZRANK", "none", "x", "WITHSCORE");
        assertThat(h.run("ZRANK", "z", "x", "WITHSCORE")).isEqualTo(Reply.NULL_ARRAY);
        h.expect("-ERR syntax error", "ZRANK", "z", "a", "WITHSCORES");
        h.expect("-ERR wrong number of arguments for 'zrank' command", "ZRANK", "z", "a", "WITHSCORE", "x");
    }

    @Test
    void ranksWalkFromTheNearerEnd() {
        List<String> args = new ArrayList<>(List.of("ZADD", "z"));
        for (int i = 0; i < 300; i++) {
            args.add(Integer.toString(i));
            args.add(String.format("m%03d", i));
        }
        h.run(args.toArray(String[]::new));
        h.expect(":0", "ZRANK", "z", "m000");
        h.expect(":299", "ZRANK", "z", "m299");
        h.expect(":150", "ZRANK", "z", "m150");
        h.expect(":149", "ZREVRANK", "z", "m150");
        h.expect("[\"m297\", \"m298\"]", "ZRANGE", "z", "297", "298");
        h.expect("[\"m002\", \"m001\"]", "ZRANGE", "z", "297", "298", "REV");
        h.expect("[\"m001\", \"m002\"]", "ZRANGE", "z", "1", "2");
        h.expect("[\"m298\", \"m297\"]", "ZREVRANGE", "z", "1", "2");
        h.expect("[\"m299\"]", "ZRANGE", "z", "-1", "1000");
        h.expect(":5", "ZREMRANGEBYRANK", "z", "-5", "-1");
        h.expect("[\"m294\"]", "ZRANGE", "z", "-1", "-1");
        assertConsistent("z");
    }

    @Test
    void encodingFollowsRedis72Rules() {
        List<String> args = new ArrayList<>(List.of("ZADD", "z"));
        for (int i = 0; i < 128; i++) {
            args.add(Integer.toString(i));
            args.add("m" + i);
        }
        h.run(args.toArray(String[]::new));
        h.expect("\"listpack\"", "OBJECT", "ENCODING", "z");
        h.run("ZADD", "z", "1", "one-more");
        h.expect("\"skiplist\"", "OBJECT", "ENCODING", "z");
        h.run("ZREMRANGEBYRANK", "z", "0", "100");
        h.expect("\"skiplist\"", "OBJECT", "ENCODING", "z"); // never converted back
        // a stored result gets the encoding that fits it
        h.run("ZUNIONSTORE", "u", "1", "z");
        h.expect("\"listpack\"", "OBJECT", "ENCODING", "u");
        h.run("ZADD", "long", "1", "x".repeat(65));
        h.expect("\"skiplist\"", "OBJECT", "ENCODING", "long");
        h.run("ZADD", "edge", "1", "x".repeat(64));
        h.expect("\"listpack\"", "OBJECT", "ENCODING", "edge");
        // a ZADD naming more elements than the limit creates a skiplist even if they collapse
        args = new ArrayList<>(List.of("ZADD", "dup"));
        for (int i = 0; i < 129; i++) {
            args.add(Integer.toString(i));
            args.add("same");
        }
        h.run(args.toArray(String[]::new));
        h.expect(":1", "ZCARD", "dup");
        h.expect("\"skiplist\"", "OBJECT", "ENCODING", "dup");
        h.expect("+OK", "CONFIG", "SET", "zset-max-listpack-value", "3");
        h.run("ZADD", "cfg", "1", "abcd");
        h.expect("\"skiplist\"", "OBJECT", "ENCODING", "cfg");
    }

    @Test
    void rangesByScoreAndLexWithLimits() {
        h.run("ZADD", "z", "1", "a", "2", "b", "2", "c", "3", "d", "-inf", "m", "inf", "p");
        h.expect("[\"b\", \"c\"]", "ZRANGEBYSCORE", "z", "(1", "(3");
        h.expect("[\"d\", \"c\"]", "ZREVRANGEBYSCORE", "z", "3", "(1", "LIMIT", "0", "2");
        h.expect("[\"m\", \"a\"]", "ZRANGE", "z", "-inf", "1", "BYSCORE");
        h.expect("[\"p\", \"inf\"]", "ZRANGE", "z", "+inf", "1e400", "BYSCORE", "WITHSCORES");
        h.expect(":6", "ZCOUNT", "z", "-inf", "+inf");
        h.expect("-ERR min or max is not a float", "ZCOUNT", "z", "1", "x");
        h.run("ZADD", "l", "0", "alpha", "0", "beta", "0", "gamma", "0", "");
        h.expect("[\"\", \"alpha\"]", "ZRANGEBYLEX", "l", "-", "(b");
        h.expect("[\"gamma\", \"beta\"]", "ZREVRANGEBYLEX", "l", "+", "[b");
        h.expect(":1", "ZLEXCOUNT", "l", "[", "[");
        h.expect("-ERR min or max not valid string range item", "ZLEXCOUNT", "l", "a", "+");
        h.expect(":2", "ZREMRANGEBYLEX", "l", "(alpha", "+");
        h.expect("[\"\", \"alpha\"]", "ZRANGE", "l", "0", "-1");
        assertConsistent("z");
        assertConsistent("l");
    }

    @Test
    void popsTakeFromTheRightEnd() {
        h.run("ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d");
        h.expect("[\"a\", \"1\"]", "ZPOPMIN", "z");
        h.expect("[\"d\", \"4\", \"c\", \"3\"]", "ZPOPMAX", "z", "2");
        h.expect("[]", "ZPOPMIN", "z", "0");
        h.expect("-ERR value is out of range, must be positive", "ZPOPMIN", "z", "-2");
        h.expect("[\"z\", [[\"b\", \"2\"]]]", "ZMPOP", "2", "none", "z", "MIN", "COUNT", "10");
        h.expect(":0", "EXISTS", "z");
        h.expect("nil", "ZMPOP", "1", "z", "MIN");
        h.expect("[]", "ZPOPMIN", "z");
    }

    @Test
    void blockingPopsServeAtOnceOrAnswerTheirTimeoutWhenTheSessionCannotBlock() {
        h.run("ZADD", "z", "1", "a", "2", "b", "3", "c");
        h.expect("[\"z\", \"a\", \"1\"]", "BZPOPMIN", "none", "z", "0");
        h.expect("[\"z\", \"c\", \"3\"]", "BZPOPMAX", "z", "0");
        h.expect("[\"z\", [[\"b\", \"2\"]]]", "BZMPOP", "1", "1", "z", "MAX", "COUNT", "9");
        // the test session cannot park (as inside MULTI): the timeout reply at once
        assertThat(h.run("BZPOPMIN", "z", "0")).isEqualTo(Reply.NULL_ARRAY);
        assertThat(h.run("BZMPOP", "0", "1", "z", "MIN")).isEqualTo(Reply.NULL_ARRAY);
        h.expect("-ERR timeout is not a float or out of range", "BZPOPMIN", "z", "x");
        h.expect("-ERR timeout is negative", "BZPOPMAX", "z", "-1");
        h.expect("-ERR numkeys should be greater than 0", "BZMPOP", "0", "0", "z", "MIN");
        assertThat(h.table.lookup("bzmpop").keyPositions(argv("bzmpop", "0", "2", "a", "b", "MIN"))).containsExactly(3, 4);
        assertThat(h.table.lookup("bzpopmin").keyPositions(argv("bzpopmin", "a", "b", "0"))).containsExactly(1, 2);
    }

    @Test
    void storeCommandsReplaceTheDestinationAndDropItsTtl() {
        h.run("ZADD", "a", "1", "x", "2", "y");
        h.run("ZADD", "b", "10", "y", "20", "w");
        h.run("SET", "d", "old");
        h.run("EXPIRE", "d", "100");
        h.expect(":3", "ZUNIONSTORE", "d", "2", "a", "b", "WEIGHTS", "1", "0.5");
        h.expect(":-1", "TTL", "d");
        h.expect("[\"x\", \"1\", \"y\", \"7\", \"w\", \"10\"]", "ZRANGE", "d", "0", "-1", "WITHSCORES");
        h.expect(":1", "ZINTERSTORE", "d", "2", "a", "b", "AGGREGATE", "MAX");
        h.expect("[\"y\", \"10\"]", "ZRANGE", "d", "0", "-1", "WITHSCORES");
        h.expect(":0", "ZDIFFSTORE", "d", "2", "a", "a");
        h.expect(":0", "EXISTS", "d");
        h.expect(":1", "ZRANGESTORE", "d", "b", "0", "0", "REV");
        h.expect("[\"w\", \"20\"]", "ZRANGE", "d", "0", "-1", "WITHSCORES");
        assertConsistent("d");
    }

    @Test
    void aPlainSetIsAnInputWithScoresOfOne() {
        // written as the set family stores it (sub rows of member dots), so this needs no SADD
        byte[] key = "s".getBytes(StandardCharsets.UTF_8);
        OrSet set = OrSet.EMPTY.add(List.of(Bytes.of("y"), Bytes.of("v")), h.ks.clock());
        Stamp stamp = h.ks.stamp();
        try (Keyspace.Changes ch = h.ks.changes()) {
            for (Map.Entry<Bytes, DotFun<Boolean>> e : set.store()) {
                ch.putSub(ColumnFamily.SUB, KeyCodec.sub(0, key, stamp.time(), e.getKey().toByteArray()),
                        ElementCodec.encodeMember(e.getValue()));
            }
            ch.put(0, key, null, new Metadata(ValueType.SET, Encoding.HASHTABLE, stamp.time(), stamp, 0, null, 2,
                    ElementCodec.encodeContext(set.context()), null)).commit();
        }
        h.run("ZADD", "a", "1", "x", "2", "y");
        h.expect("[\"v\", \"1\", \"x\", \"1\", \"y\", \"3\"]", "ZUNION", "2", "a", "s", "WITHSCORES");
        h.expect("[\"y\", \"102\"]", "ZINTER", "2", "a", "s", "WEIGHTS", "1", "100", "WITHSCORES");
        h.expect("[\"x\"]", "ZDIFF", "2", "a", "s");
        h.expect(":1", "ZINTERCARD", "2", "s", "a");
        h.expect("-" + Errors.WRONGTYPE, "ZADD", "s", "1", "a");
    }

    @Test
    void zscanPagesASkiplistAndReturnsEveryMemberOnce() {
        List<String> args = new ArrayList<>(List.of("ZADD", "z"));
        for (int i = 0; i < 300; i++) {
            args.add(Integer.toString(i % 7));
            args.add("m" + i);
        }
        h.run(args.toArray(String[]::new));
        h.expect("\"skiplist\"", "OBJECT", "ENCODING", "z");
        Set<String> seen = new HashSet<>();
        String cursor = "0";
        int pages = 0;
        do {
            Reply.Array r = (Reply.Array) h.run("ZSCAN", "z", cursor, "COUNT", "40");
            cursor = new String(((Reply.Bulk) r.items().get(0)).bytes(), StandardCharsets.UTF_8);
            List<Reply> items = ((Reply.Array) r.items().get(1)).items();
            for (int i = 0; i < items.size(); i += 2) {
                String m = new String(((Reply.Bulk) items.get(i)).bytes(), StandardCharsets.UTF_8);
                assertThat(seen.add(m)).as("returned twice: " + m).isTrue();
                int n = Integer.parseInt(m.substring(1));
                assertThat(new String(((Reply.Bulk) items.get(i + 1)).bytes(), StandardCharsets.UTF_8)).isEqualTo(Integer.toString(n % 7));
            }
            pages++;
        } while (!cursor.equals("0"));
        assertThat(seen).hasSize(300);
        assertThat(pages).isGreaterThan(5);
        Reply.Array matched = (Reply.Array) h.run("ZSCAN", "z", "0", "MATCH", "m29?", "COUNT", "1000");
        assertThat(((Reply.Array) matched.items().get(1)).items()).hasSize(20);
    }

    @Test
    void zrandmemberHonoursCountSemantics() {
        h.run("ZADD", "z", "1", "a", "2", "b", "3", "c");
        for (int i = 0; i < 20; i++) {
            List<Reply> distinct = ((Reply.Array) h.run("ZRANDMEMBER", "z", "2")).items();
            assertThat(distinct).hasSize(2);
            assertThat(CommandHarness.render(distinct.get(0))).isNotEqualTo(CommandHarness.render(distinct.get(1)));
        }
        assertThat(((Reply.Array) h.run("ZRANDMEMBER", "z", "-10")).items()).hasSize(10);
        assertThat(((Reply.Array) h.run("ZRANDMEMBER", "z", "10", "WITHSCORES")).items()).hasSize(6);
        // a big set: distinct picks by random seeks, all members real, none twice
        List<String> args = new ArrayList<>(List.of("ZADD", "big"));
        for (int i = 0; i < 3000; i++) {
            args.add(Integer.toString(i));
            args.add("m" + i);
        }
        h.run(args.toArray(String[]::new));
        List<Reply> picks = ((Reply.Array) h.run("ZRANDMEMBER", "big", "100", "WITHSCORES")).items();
        assertThat(picks).hasSize(200);
        Set<String> names = new HashSet<>();
        for (int i = 0; i < picks.size(); i += 2) {
            String m = CommandHarness.render(picks.get(i)).replace("\"", "");
            assertThat(names.add(m)).isTrue();
            assertThat(CommandHarness.render(picks.get(i + 1))).isEqualTo("\"" + m.substring(1) + "\"");
        }
    }

    @Test
    void expiredZsetIsGoneForEveryCommand() {
        h.run("ZADD", "z", "1", "a");
        h.run("PEXPIRE", "z", "100");
        h.time.advance(200);
        h.expect(":0", "ZCARD", "z");
        h.expect(":1", "ZADD", "z", "2", "b");
        h.expect("[\"b\"]", "ZRANGE", "z", "0", "-1");
        h.expect(":-1", "TTL", "z");
        assertConsistent("z");
    }

    @Test
    void movableKeysAreFoundForCommandGetkeysAndLocking() {
        CommandSpec union = h.table.lookup("zunionstore");
        assertThat(union.movableKeys()).isTrue();
        assertThat(union.keyPositions(argv("zunionstore", "d", "2", "a", "b", "WEIGHTS", "1", "2"))).containsExactly(1, 3, 4);
        assertThat(h.table.lookup("zinter").keyPositions(argv("zinter", "3", "a", "b", "c"))).containsExactly(2, 3, 4);
        assertThat(h.table.lookup("zmpop").keyPositions(argv("zmpop", "2", "a", "b", "MIN"))).containsExactly(2, 3);
        assertThat(h.table.lookup("zintercard").keyPositions(argv("zintercard", "9", "a"))).isEmpty();
        assertThat(h.table.lookup("zrangestore").keyPositions(argv("zrangestore", "d", "s", "0", "1"))).containsExactly(1, 2);
    }

    @Test
    void notificationsUseRedisEventNames() {
        List<String> events = new ArrayList<>();
        CommandTable table = new CommandTable();
        new ZSetCommands(h.ks, h.settings, (type, event, db, key) -> events.add(event + ":" + new String(key, StandardCharsets.UTF_8)))
                .register(table);
        Dispatcher d = new Dispatcher(table);
        java.util.function.Consumer<String> run = line -> d.dispatch(h.session, argv(line.split(" ")));
        run.accept("ZADD z 1 a 2 b 3 c");
        run.accept("ZADD z 1 a");
        run.accept("ZINCRBY z 1 a");
        run.accept("ZREM z nope");
        run.accept("ZREM z a");
        run.accept("ZPOPMIN z");
        run.accept("ZREMRANGEBYSCORE z 0 10");
        run.accept("ZADD y 1 a");
        run.accept("ZUNIONSTORE u 1 y");
        run.accept("ZRANGESTORE r y 0 -1");
        run.accept("ZPOPMAX y");
        assertThat(events).containsExactly("zadd:z", "zincr:z", "zrem:z", "zpopmin:z", "zremrangebyscore:z", "del:z",
                "zadd:y", "zunionstore:u", "zrangestore:r", "zpopmax:y", "del:y");
    }

    @Test
    void resp3RepliesUseDoublesAndPairs() {
        ClientSession resp3 = new ClientSession() {
            @Override
            public long id() {
                return 2;
            }

            @Override
            public int db() {
                return 0;
            }

            @Override
            public void selectDb(int db) {
            }

            @Override
            public int protocol() {
                return 3;
            }

            @Override
            public boolean authenticated() {
                return true;
            }

            @Override
            public <T> T unwrap(Class<T> type) {
                throw new IllegalStateException();
            }
        };
        h.run("ZADD", "z", "1.5", "a", "2", "b");
        byte[][] range = argv("ZRANGE", "z", "0", "-1", "WITHSCORES");
        Reply r = h.dispatcher.dispatch(resp3, range);
        assertThat(CommandHarness.render(r)).isEqualTo("[[\"a\", \"1.5\"], [\"b\", \"2\"]]");
        assertThat(((Reply.Array) ((Reply.Array) r).items().get(0)).items().get(1)).isEqualTo(new Reply.DoubleReply(1.5));
        assertThat(h.dispatcher.dispatch(resp3, argv("ZSCORE", "z", "a"))).isEqualTo(new Reply.DoubleReply(1.5));
        Reply popped = h.dispatcher.dispatch(resp3, argv("ZPOPMIN", "z"));
        assertThat(CommandHarness.render(popped)).isEqualTo("[\"a\", \"1.5\"]");
        Reply nested = h.dispatcher.dispatch(resp3, argv("ZPOPMIN", "z", "1"));
        assertThat(CommandHarness.render(nested)).isEqualTo("[[\"b\", \"2\"]]");
    }

    private static byte[][] argv(String... args) {
        byte[][] out = new byte[args.length][];
        for (int i = 0; i < args.length; i++) {
            out[i] = args[i].getBytes(StandardCharsets.UTF_8);
        }
        return out;
    }
}
