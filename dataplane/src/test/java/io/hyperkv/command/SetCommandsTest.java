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
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The set commands on a real RocksDB: replies, edge cases, WRONGTYPE, encodings (Redis 7.2) and the rows they leave. */
class SetCommandsTest extends CommandHarnessTest {

    private List<String> items(Reply r) {
        List<Reply> list = r instanceof Reply.SetReply s ? s.items() : ((Reply.Array) r).items();
        List<String> out = new ArrayList<>();
        for (Reply i : list) {
            out.add(new String(((Reply.Bulk) i).bytes(), StandardCharsets.UTF_8));
        }
        return out;
    }

    private Set<String> members(String key) {
        return new TreeSet<>(items(h.run("SMEMBERS", key)));
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
    void saddSremCountOnlyRealChangesAndEmptySetsDisappear() {
        h.expect(":3", "SADD", "s", "a", "b", "c");
        h.expect(":1", "SADD", "s", "a", "d", "d");
        h.expect(":0", "SADD", "s", "a");
        h.expect(":4", "SCARD", "s");
        assertThat(rows("s")).isEqualTo(4);
        assertThat(members("s")).containsExactly("a", "b", "c", "d");
        h.expect(":1", "SREM", "s", "a", "zz");
        h.expect(":0", "SREM", "s", "zz");
        h.expect(":0", "SREM", "nope", "a");
        h.expect(":3", "SCARD", "s");
        assertThat(rows("s")).isEqualTo(3);
        h.expect(":3", "SREM", "s", "b", "c", "d");
        h.expect(":0", "EXISTS", "s");
        assertThat(h.ks.size(0)).isZero();
        h.expect(":0", "SCARD", "s");
        h.expect("[]", "SMEMBERS", "s");
    }

    @Test
    void saddOfAPresentMemberWritesNothing() {
        h.expect(":1", "SADD", "s", "a");
        Metadata before = h.ks.read(0, "s".getBytes());
        h.expect(":0", "SADD", "s", "a");
        assertThat(h.ks.read(0, "s".getBytes())).isEqualTo(before);
        h.expect(":0", "SREM", "s", "b");
        assertThat(h.ks.read(0, "s".getBytes())).isEqualTo(before);
    }

    @Test
    void membershipQueries() {
        h.run("SADD", "s", "a", "b");
        h.expect(":1", "SISMEMBER", "s", "a");
        h.expect(":0", "SISMEMBER", "s", "z");
        h.expect(":0", "SISMEMBER", "nope", "a");
        h.expect("[:1, :0, :1]", "SMISMEMBER", "s", "a", "z", "b");
        h.expect("[:0, :0]", "SMISMEMBER", "nope", "a", "b");
        h.expect("-ERR wrong number of arguments for 'smismember' command", "SMISMEMBER", "s");
    }

    @Test
    void everySetCommandRefusesAnotherType() {
        h.run("SET", "str", "v");
        h.run("SADD", "s", "a");
        String wt = "-" + Errors.WRONGTYPE;
        for (String[] c : new String[][] {
                {"SADD", "str", "a"}, {"SREM", "str", "a"}, {"SMEMBERS", "str"}, {"SISMEMBER", "str", "a"},
                {"SMISMEMBER", "str", "a"}, {"SCARD", "str"}, {"SPOP", "str"}, {"SPOP", "str", "2"},
                {"SRANDMEMBER", "str"}, {"SRANDMEMBER", "str", "-2"}, {"SMOVE", "str", "s", "a"}, {"SMOVE", "s", "str", "a"},
                {"SINTER", "s", "str"}, {"SINTERCARD", "2", "s", "str"}, {"SINTERSTORE", "d", "s", "str"},
                {"SUNION", "str"}, {"SUNIONSTORE", "d", "str"}, {"SDIFF", "s", "str"}, {"SDIFFSTORE", "d", "s", "str"},
                {"SSCAN", "str", "0"}}) {
            h.expect(wt, c);
        }
        h.expect("\"v\"", "GET", "str");
        h.expect(":1", "SISMEMBER", "s", "a");
        h.expect(":0", "EXISTS", "d");
        h.run("SADD", "x", "1");
        h.expect(wt, "SINTER", "nope", "str");
    }

    @Test
    void encodingFollowsRedis72AndNeverShrinks() {
        h.run("SADD", "i", "1", "2", "-3");
        h.expect("\"intset\"", "OBJECT", "ENCODING", "i");
        h.run("SADD", "i", "a");
        h.expect("\"listpack\"", "OBJECT", "ENCODING", "i");
        h.run("SREM", "i", "a");
        h.expect("\"listpack\"", "OBJECT", "ENCODING", "i");
        h.run("SADD", "l", "x".repeat(64));
        h.expect("\"listpack\"", "OBJECT", "ENCODING", "l");
        h.run("SADD", "l", "x".repeat(65));
        h.expect("\"hashtable\"", "OBJECT", "ENCODING", "l");
        // "-0" and "01" are not string2ll integers
        h.run("SADD", "z", "01");
        h.expect("\"listpack\"", "OBJECT", "ENCODING", "z");
        List<String> args = new ArrayList<>(List.of("SADD", "many"));
        for (int i = 0; i < 512; i++) {
            args.add(Integer.toString(i));
        }
        h.run(args.toArray(String[]::new));
        h.expect("\"intset\"", "OBJECT", "ENCODING", "many");
        h.run("SADD", "many", "512");
        h.expect("\"hashtable\"", "OBJECT", "ENCODING", "many");
        args = new ArrayList<>(List.of("SADD", "words"));
        for (int i = 0; i < 128; i++) {
            args.add("w" + i);
        }
        h.run(args.toArray(String[]::new));
        h.expect("\"listpack\"", "OBJECT", "ENCODING", "words");
        h.run("SADD", "words", "one-more");
        h.expect("\"hashtable\"", "OBJECT", "ENCODING", "words");
        // an intset over 128 members that meets a string goes straight to hashtable
        args = new ArrayList<>(List.of("SADD", "mixed"));
        for (int i = 0; i < 200; i++) {
            args.add(Integer.toString(i));
        }
        h.run(args.toArray(String[]::new));
        h.run("SADD", "mixed", "s");
        h.expect("\"hashtable\"", "OBJECT", "ENCODING", "mixed");
        h.run("SADD", "a", "1", "2");
        h.run("SADD", "b", "x");
        h.run("SUNIONSTORE", "u", "a");
        h.expect("\"intset\"", "OBJECT", "ENCODING", "u");
        h.run("SUNIONSTORE", "u", "a", "b");
        h.expect("\"listpack\"", "OBJECT", "ENCODING", "u");
        h.run("SMOVE", "b", "fresh", "x");
        h.expect("\"listpack\"", "OBJECT", "ENCODING", "fresh");
    }

    @Test
    void spopAndSrandmemberCountsAsRedis() {
        h.run("SADD", "s", "a", "b", "c", "d", "e");
        assertThat(new HashSet<>(items(h.run("SRANDMEMBER", "s", "3")))).hasSize(3);
        assertThat(items(h.run("SRANDMEMBER", "s", "10"))).containsExactlyInAnyOrder("a", "b", "c", "d", "e");
        List<String> repeats = items(h.run("SRANDMEMBER", "s", "-20"));
        assertThat(repeats).hasSize(20).allSatisfy(m -> assertThat(m).isIn("a", "b", "c", "d", "e"));
        h.expect("[]", "SRANDMEMBER", "s", "0");
        h.expect("[]", "SRANDMEMBER", "nope", "-3");
        h.expect("nil", "SRANDMEMBER", "nope");
        h.expect("-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807",
                "SRANDMEMBER", "s", "-9223372036854775808");
        h.expect("-ERR value is out of range", "SRANDMEMBER", "s", "-9223372036854775807");
        h.expect("-ERR syntax error", "SRANDMEMBER", "s", "1", "2");
        h.expect("-ERR value is out of range, must be positive", "SPOP", "s", "-1");
        h.expect("-ERR value is out of range, must be positive", "SPOP", "s", "x");
        h.expect("-ERR syntax error", "SPOP", "s", "1", "2");
        h.expect("[]", "SPOP", "s", "0");
        List<String> popped = items(h.run("SPOP", "s", "2"));
        assertThat(popped).hasSize(2).doesNotHaveDuplicates();
        h.expect(":3", "SCARD", "s");
        assertThat(members("s")).doesNotContainAnyElementsOf(popped);
        String one = new String(((Reply.Bulk) h.run("SPOP", "s")).bytes(), StandardCharsets.UTF_8);
        assertThat(popped).doesNotContain(one);
        h.expect(":2", "SCARD", "s");
        assertThat(items(h.run("SPOP", "s", "9"))).hasSize(2);
        h.expect(":0", "EXISTS", "s");
        h.expect("nil", "SPOP", "s");
        h.expect("[]", "SPOP", "s", "3");
    }

    @Test
    void randomPicksReachEveryMemberOfALargeSet() {
        List<String> args = new ArrayList<>(List.of("SADD", "big"));
        for (int i = 0; i < 2000; i++) {
            args.add("m" + i);
        }
        h.run(args.toArray(String[]::new));
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            seen.add(new String(((Reply.Bulk) h.run("SRANDMEMBER", "big")).bytes(), StandardCharsets.UTF_8));
        }
        // not uniform, but never stuck on a few members
        assertThat(seen.size()).isGreaterThan(50);
        assertThat(new HashSet<>(items(h.run("SRANDMEMBER", "big", "100")))).hasSize(100);
        List<String> popped = items(h.run("SPOP", "big", "100"));
        assertThat(new HashSet<>(popped)).hasSize(100);
        h.expect(":1900", "SCARD", "big");
        assertThat(rows("big")).isEqualTo(1900);
    }

    @Test
    void spopDrainsEveryMemberOnceEvenWithWritesBetweenPops() {
        List<String> args = new ArrayList<>(List.of("SADD", "q"));
        for (int i = 0; i < 500; i++) {
            args.add(String.format("m%04d", i));
        }
        h.run(args.toArray(String[]::new));
        Set<String> expected = new TreeSet<>(args.subList(2, args.size()));
        List<String> popped = new ArrayList<>();
        for (int i = 0; i < 250; i++) {
            popped.add(new String(((Reply.Bulk) h.run("SPOP", "q")).bytes(), StandardCharsets.UTF_8));
        }
        // a member added (before every other name in byte order) and one removed between pops:
        // the next pops must see both changes, not continue from a stale position
        h.expect(":1", "SADD", "q", "a-first");
        expected.add("a-first");
        String removed = members("q").stream().filter(m -> !m.equals("a-first")).findFirst().orElseThrow();
        h.expect(":1", "SREM", "q", removed);
        expected.remove(removed);
        for (int i = 0; i < 250; i++) {
            popped.add(new String(((Reply.Bulk) h.run("SPOP", "q")).bytes(), StandardCharsets.UTF_8));
        }
        h.expect("nil", "SPOP", "q");
        h.expect(":0", "EXISTS", "q");
        assertThat(popped).doesNotHaveDuplicates().doesNotContain(removed);
        assertThat(new TreeSet<>(popped)).isEqualTo(expected);
    }

    @Test
    void smoveMovesAtomicallyAndKeepsRedisRules() {
        h.run("SADD", "src", "a", "b");
        h.run("SADD", "dst", "c");
        h.expect(":1", "SMOVE", "src", "dst", "a");
        h.expect(":0", "SMOVE", "src", "dst", "a");
        h.expect(":0", "SMOVE", "nope", "dst", "a");
        assertThat(members("src")).containsExactly("b");
        assertThat(members("dst")).containsExactly("a", "c");
        h.expect(":1", "SMOVE", "src", "src", "b");
        h.expect(":0", "SMOVE", "src", "src", "zz");
        h.run("SADD", "dst", "b");
        h.expect(":1", "SMOVE", "src", "dst", "b");
        h.expect(":0", "EXISTS", "src");
        assertThat(members("dst")).containsExactly("a", "b", "c");
        h.expect(":3", "SCARD", "dst");
        h.run("SET", "str", "v");
        h.expect(":0", "SMOVE", "nope", "str", "a");
        h.expect("-" + Errors.WRONGTYPE, "SMOVE", "dst", "str", "a");
        h.expect(":3", "SCARD", "dst");
    }

    @Test
    void setAlgebraAndStores() {
        h.run("SADD", "a", "1", "2", "3", "4", "x");
        h.run("SADD", "b", "2", "3", "x", "y");
        h.run("SADD", "c", "3", "x", "z");
        assertThat(items(h.run("SINTER", "a", "b", "c"))).containsExactlyInAnyOrder("3", "x");
        h.expect("[]", "SINTER", "a", "nope");
        assertThat(items(h.run("SUNION", "a", "nope", "c"))).containsExactlyInAnyOrder("1", "2", "3", "4", "x", "z");
        assertThat(items(h.run("SDIFF", "a", "b", "c"))).containsExactlyInAnyOrder("1", "4");
        h.expect("[]", "SDIFF", "a", "a");
        h.expect(":2", "SINTERCARD", "3", "a", "b", "c");
        h.expect(":1", "SINTERCARD", "2", "a", "b", "LIMIT", "1");
        h.expect(":3", "SINTERCARD", "2", "a", "b", "LIMIT", "0");
        h.expect("-ERR numkeys should be greater than 0", "SINTERCARD", "0", "a");
        h.expect("-ERR numkeys should be greater than 0", "SINTERCARD", "x", "a");
        h.expect("-ERR Number of keys can't be greater than number of args", "SINTERCARD", "3", "a", "b");
        h.expect("-ERR LIMIT can't be negative", "SINTERCARD", "1", "a", "LIMIT", "-1");
        h.expect("-ERR syntax error", "SINTERCARD", "1", "a", "LIMIT");
        h.expect(":2", "SINTERSTORE", "d", "a", "b", "c");
        assertThat(members("d")).containsExactly("3", "x");
        h.expect(":0", "SINTERSTORE", "d", "a", "nope");
        h.expect(":0", "EXISTS", "d");
        h.run("SET", "d", "string", "EX", "100");
        h.expect(":6", "SUNIONSTORE", "d", "a", "c");
        h.expect(":-1", "TTL", "d");
        h.expect("+set", "TYPE", "d");
        assertThat(h.ks.expiresCount(0)).isZero();
        assertThat(rows("d")).isEqualTo(6);
        h.expect(":2", "SDIFFSTORE", "d", "a", "b");
        assertThat(members("d")).containsExactly("1", "4");
        assertThat(rows("d")).isEqualTo(2);
        // a destination that is also a source
        h.expect(":6", "SUNIONSTORE", "a", "a", "b");
        h.expect(":2", "SINTERSTORE", "a", "a", "c");
        assertThat(members("a")).containsExactly("3", "x");
        h.expect(":0", "SDIFFSTORE", "a", "a", "a");
        h.expect(":0", "EXISTS", "a");
    }

    @Test
    void keysOfSintercardComeFromNumkeys() {
        h.expect("[\"a\", \"b\"]", "COMMAND", "GETKEYS", "SINTERCARD", "2", "a", "b", "LIMIT", "1");
        h.expect("[\"d\", \"a\", \"b\"]", "COMMAND", "GETKEYS", "SDIFFSTORE", "d", "a", "b");
        h.expect("[\"s\", \"d\"]", "COMMAND", "GETKEYS", "SMOVE", "s", "d", "m");
        assertThat(SetCommands.numkeysPositions(new byte[][] {"sintercard".getBytes(), "5".getBytes(), "a".getBytes()})).isEmpty();
        assertThat(SetCommands.numkeysPositions(new byte[][] {"sintercard".getBytes(), "-1".getBytes(), "a".getBytes()})).isEmpty();
    }

    @Test
    void commandInfoMatchesRedisKeyPositionsAndFlags() {
        // first, last, step and flags as redis-server 7.0.15 / 7.2 print them
        assertThat(info("sintercard")).isEqualTo("[\"sintercard\", :-3, [+readonly, +movablekeys], :0, :0, :0]");
        assertThat(info("sadd")).isEqualTo("[\"sadd\", :-3, [+write, +denyoom, +fast], :1, :1, :1]");
        assertThat(info("srem")).isEqualTo("[\"srem\", :-3, [+write, +fast], :1, :1, :1]");
        assertThat(info("smembers")).isEqualTo("[\"smembers\", :2, [+readonly], :1, :1, :1]");
        assertThat(info("sismember")).isEqualTo("[\"sismember\", :3, [+readonly, +fast], :1, :1, :1]");
        assertThat(info("smismember")).isEqualTo("[\"smismember\", :-3, [+readonly, +fast], :1, :1, :1]");
        assertThat(info("scard")).isEqualTo("[\"scard\", :2, [+readonly, +fast], :1, :1, :1]");
        assertThat(info("spop")).isEqualTo("[\"spop\", :-2, [+write, +fast], :1, :1, :1]");
        assertThat(info("srandmember")).isEqualTo("[\"srandmember\", :-2, [+readonly], :1, :1, :1]");
        assertThat(info("smove")).isEqualTo("[\"smove\", :4, [+write, +fast], :1, :2, :1]");
        assertThat(info("sinter")).isEqualTo("[\"sinter\", :-2, [+readonly], :1, :-1, :1]");
        assertThat(info("sinterstore")).isEqualTo("[\"sinterstore\", :-3, [+write, +denyoom], :1, :-1, :1]");
        assertThat(info("sunion")).isEqualTo("[\"sunion\", :-2, [+readonly], :1, :-1, :1]");
        assertThat(info("sunionstore")).isEqualTo("[\"sunionstore\", :-3, [+write, +denyoom], :1, :-1, :1]");
        assertThat(info("sdiff")).isEqualTo("[\"sdiff\", :-2, [+readonly], :1, :-1, :1]");
        assertThat(info("sdiffstore")).isEqualTo("[\"sdiffstore\", :-3, [+write, +denyoom], :1, :-1, :1]");
        assertThat(info("sscan")).isEqualTo("[\"sscan\", :-3, [+readonly], :1, :1, :1]");
    }

    /** COMMAND INFO of one command cut to name, arity, flags, first, last, step. */
    private String info(String name) {
        Reply.Array all = (Reply.Array) h.run("COMMAND", "INFO", name);
        Reply.Array one = (Reply.Array) all.items().get(0);
        return CommandHarness.render(Reply.array(one.items().subList(0, 6)));
    }

    @Test
    void sscanPagesThroughAHashtableSetAndAnswersSmallOnesWhole() {
        h.run("SADD", "small", "1", "2", "3");
        h.expect("[\"0\", [\"1\", \"2\", \"3\"]]", "SSCAN", "small", "0", "COUNT", "1");
        h.expect("[\"0\", [\"2\"]]", "SSCAN", "small", "0", "MATCH", "2");
        h.expect("[\"0\", []]", "SSCAN", "nope", "0");
        h.expect("-ERR invalid cursor", "SSCAN", "small", "-1");
        h.expect("-ERR invalid cursor", "SSCAN", "small", "x");
        h.expect("-ERR syntax error", "SSCAN", "small", "0", "COUNT", "0");
        h.expect("-ERR syntax error", "SSCAN", "small", "0", "NOVALUES");
        List<String> args = new ArrayList<>(List.of("SADD", "big"));
        for (int i = 0; i < 1000; i++) {
            args.add("m" + i);
        }
        h.run(args.toArray(String[]::new));
        List<String> seen = new ArrayList<>();
        String cursor = "0";
        int pages = 0;
        do {
            Reply.Array page = (Reply.Array) h.run("SSCAN", "big", cursor, "COUNT", "100", "MATCH", "m1*");
            cursor = new String(((Reply.Bulk) page.items().get(0)).bytes(), StandardCharsets.UTF_8);
            seen.addAll(items(page.items().get(1)));
            pages++;
        } while (!cursor.equals("0"));
        assertThat(pages).isGreaterThan(5);
        assertThat(seen).doesNotHaveDuplicates().hasSize(111).allSatisfy(m -> assertThat(m).startsWith("m1"));
    }

    @Test
    void saddKeepsTheTtlAndExpiredSetsAreGone() {
        h.run("SADD", "s", "a");
        h.run("EXPIRE", "s", "10");
        h.run("SADD", "s", "b");
        h.expect(":10", "TTL", "s");
        h.time.advance(10_001);
        h.expect(":0", "SCARD", "s");
        h.expect(":1", "SADD", "s", "c");
        h.expect("[\"c\"]", "SMEMBERS", "s");
        h.expect(":-1", "TTL", "s");
        // the old version's rows are gone with it
        assertThat(rows("s")).isEqualTo(1);
    }

    @Test
    void renameAndCopyCarryTheMembers() {
        h.run("SADD", "s", "a", "b");
        h.expect("+OK", "RENAME", "s", "t");
        assertThat(members("t")).containsExactly("a", "b");
        h.expect(":1", "COPY", "t", "u");
        h.expect(":1", "SADD", "u", "c");
        assertThat(members("t")).containsExactly("a", "b");
        assertThat(members("u")).containsExactly("a", "b", "c");
        h.expect(":1", "DEL", "t");
        assertThat(rows("t")).isZero();
        h.expect(":3", "SCARD", "u");
    }
}
