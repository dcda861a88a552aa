package io.hyperkv.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyperkv.server.RespListener;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Sends the same command sequences to redis-server and to HyperKV and compares the replies, error
 * texts included. The table below is the specification: one case per block, the databases are
 * flushed before each case. A line may start with a comparison mode:
 * <ul>
 * <li>(none) the replies must be identical;</li>
 * <li>{@code ~} arrays compared as sets (KEYS order is Redis's hash order, ours is storage order);</li>
 * <li>{@code ?} only the kind of reply must match (INFO, TIME, LASTSAVE: values differ by nature);</li>
 * <li>{@code @} a {@code SCAN 0 ...} iterated to the end on each server, the keys compared as sets.</li>
 * </ul>
 * Arguments are separated by spaces; {@code "..."} quotes an argument with spaces, {@code ""} is empty.
 * Each command family keeps its own table in {@code src/test/resources/differential/<family>.txt},
 * same syntax; every file there is run after the table below. A case that switches to RESP3
 * ({@code ?HELLO 3}) should switch back at its end, as the cases share one connection.
 */
@QuarkusTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RedisDifferentialTest {

    static final String CASES = """
            # strings: SET and its options
            SET k v
            GET k
            SET k w NX
            SET k w XX
            SET missing w XX
            SET k x GET
            SET fresh 1 NX GET
            SET fresh 2 GET NX
            SET k v EX 100
            TTL k
            SET k v2 KEEPTTL
            TTL k
            SET k v3
            TTL k
            SET k v PXAT 4102444800000
            PEXPIRETIME k
            SET k v EXAT 4102444800
            EXPIRETIME k
            SET gone v EXAT 1
            GET gone
            EXISTS gone

            # strings: SET errors
            SET k v NX XX
            SET k v EX 10 PX 10
            SET k v EX
            SET k v KEEPTTL EX 10
            SET k v FOO
            SET k v EX ten
            SET k v EX 0
            SET k v PX -5
            SET k v EX 9223372036854775807
            SET k v PX 9223372036854775807
            SET k
            GET
            GET a b
            GET k

            # strings: SETNX SETEX PSETEX GETSET GETDEL GETEX
            SETNX n 1
            SETNX n 2
            GET n
            SETEX se 100 v
            TTL se
            SETEX se 0 v
            SETEX se x v
            PSETEX pse 100000 v
            TTL pse
            PSETEX pse -1 v
            GETSET gs 1
            GETSET gs 2
            GET gs
            GETDEL gs
            GETDEL gs
            SET e v
            GETEX e EX 50
            TTL e
            GETEX e PERSIST
            TTL e
            GETEX e PXAT 4102444800000
            PEXPIRETIME e
            GETEX e PERSIST EX 10
            GETEX e EX 0
            GETEX e FOO
            GETEX nothing EX 10
            GETEX e EXAT 1
            EXISTS e

            # strings: multi-key
            MSET a 1 b 2 c 3
            MGET a b c nope
            MSET a 1 b
            MSETNX c 3 d 4
            MSETNX d 4 e 5
            MGET d e
            MSETNX f
            DBSIZE
            MSET dup 1 dup 2 dup 3
            GET dup
            DBSIZE
            SET t v EX 100
            MSET t 1 t 2
            TTL t
            MSETNX n1 1 n1 2
            GET n1
            DBSIZE

            # strings: APPEND STRLEN GETRANGE SETRANGE SUBSTR
            APPEND s Hello
            APPEND s " World"
            STRLEN s
            STRLEN nope
            GETRANGE s 0 3
            GETRANGE s -3 -1
            GETRANGE s 0 -1
            GETRANGE s -1 -5
            GETRANGE s -100 100
            GETRANGE s 5 3
            GETRANGE nope 0 -1
            GETRANGE s a 1
            SUBSTR s 0 4
            SETRANGE s 6 Redis
            GET s
            SETRANGE pad 5 abc
            STRLEN pad
            SETRANGE empty 3 ""
            EXISTS empty
            SETRANGE s 3 ""
            SETRANGE s -1 x
            SETRANGE s 536870912 x
            SET n 12345
            APPEND n 6
            GET n
            OBJECT ENCODING n

            # strings: counters
            INCR c
            INCRBY c 10
            DECR c
            DECRBY c 15
            INCRBY c 1.5
            INCRBY c x
            SET max 9223372036854775807
            INCR max
            SET min -9223372036854775808
            DECR min
            DECRBY min -9223372036854775808
            DECRBY c -9223372036854775808
            SET s abc
            INCR s
            SET lz 01
            INCR lz
            SET sp " 1"
            INCR sp
            INCRBYFLOAT f 10.5
            INCRBYFLOAT f 0.1
            INCRBYFLOAT f 5.0e3
            INCRBYFLOAT f -5010.6
            INCRBYFLOAT f 1e300
            INCRBYFLOAT f -1e300
            INCRBYFLOAT h 3.0
            INCRBYFLOAT h -3
            INCRBYFLOAT h 1.23456789012345678901234
            INCRBYFLOAT h 0.000000000000000001
            INCRBYFLOAT h 123456789012345678901234567890
            INCRBYFLOAT g 0.1
            INCRBYFLOAT g 0.2
            INCRBYFLOAT g 2.7
            INCRBYFLOAT g abc
            INCRBYFLOAT g " 1"
            INCRBYFLOAT g 1e5000
            INCRBYFLOAT s 1
            INCRBYFLOAT i 3
            OBJECT ENCODING i
            INCR i
            OBJECT ENCODING c
            GET c

            # keys: DEL UNLINK EXISTS TOUCH TYPE
            MSET a 1 b 2
            EXISTS a a b nope
            TOUCH a b c
            TYPE a
            TYPE nope
            DEL a c
            UNLINK b b
            DBSIZE
            DEL
            EXISTS

            # keys: RENAME RENAMENX
            RENAME nope x
            RENAMENX nope x
            SET src v EX 100
            RENAME src dst
            EXISTS src
            TTL dst
            RENAME dst dst
            SET other o
            RENAMENX dst other
            RENAMENX dst dst
            RENAMENX dst fresh
            GET fresh
            RENAME other fresh
            TTL fresh
            GET fresh
            DBSIZE

            # keys: COPY
            SET s v EX 100
            COPY s d
            COPY s d
            COPY s d REPLACE
            TTL d
            COPY s s DB 3
            COPY s s
            COPY s x DB 16
            COPY s x DB -1
            COPY s x DB x
            COPY s x FOO
            COPY missing x
            SELECT 3
            GET s
            TTL s
            SELECT 0

            # keys: KEYS SCAN RANDOMKEY DBSIZE
            MSET user:1 a user:2 b user:10 c other d "with space" e
            ~KEYS *
            ~KEYS user:?
            ~KEYS user:[12]*
            ~KEYS *space*
            KEYS nomatch*
            @SCAN 0
            @SCAN 0 MATCH user:* COUNT 2
            @SCAN 0 TYPE string
            @SCAN 0 TYPE hash
            @SCAN 0 TYPE nosuchtype
            SCAN abc
            SCAN 0 COUNT 0
            SCAN 0 COUNT x
            SCAN 0 MATCH
            SCAN 0 FOO bar
            DBSIZE
            FLUSHDB
            RANDOMKEY
            SET only v
            RANDOMKEY

            # keys: FLUSHDB FLUSHALL
            SET a 1
            SELECT 1
            SET b 1
            FLUSHDB LATER
            FLUSHDB ASYNC
            DBSIZE
            SELECT 0
            DBSIZE
            FLUSHALL SYNC
            DBSIZE
            FLUSHALL ASYNC
            FLUSHALL SYNC ASYNC

            # keys: EXPIRE family with NX XX GT LT
            SET k v
            EXPIRE k 100 XX
            EXPIRE k 100 GT
            EXPIRE k 100 LT
            EXPIRE k 50 NX
            EXPIRE k 50 GT
            EXPIRE k 200 GT
            EXPIRE k 50 XX
            TTL k
            PEXPIRE k 100000 nx
            EXPIREAT k 4102444800
            EXPIRETIME k
            PEXPIRETIME k
            PEXPIREAT k 4102444801000 GT
            EXPIRETIME k
            PERSIST k
            PERSIST k
            TTL k
            PTTL k
            EXPIRETIME k
            TTL missing
            PTTL missing
            EXPIRETIME missing
            PEXPIRETIME missing
            EXPIRE missing 10
            PERSIST missing
            PEXPIREAT k 1
            EXISTS k
            SET k v
            EXPIRE k -1
            EXISTS k
            SET k v
            EXPIRE k 10 NX XX
            EXPIRE k 10 GT LT
            EXPIRE k 10 foo
            EXPIRE k 9223372036854775807
            PEXPIRE k 9223372036854775807
            EXPIREAT k 9223372036854775807
            EXPIRE k 1.5
            EXPIRE k
            TTL k

            # keys: OBJECT
            SET n 1
            SET s text
            SET r xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
            OBJECT ENCODING n
            OBJECT ENCODING s
            OBJECT ENCODING r
            OBJECT ENCODING missing
            OBJECT REFCOUNT n
            OBJECT REFCOUNT s
            ?OBJECT IDLETIME s
            OBJECT IDLETIME missing
            OBJECT FREQ s
            OBJECT FREQ missing
            OBJECT foo
            OBJECT ENCODING
            OBJECT
            OBJECT HELP

            # server: CONFIG
            CONFIG GET maxclients
            CONFIG GET proto-max-bulk-len
            CONFIG GET appendfsync
            CONFIG GET requirepass
            CONFIG GET databases
            CONFIG GET nosuch
            CONFIG SET foo bar
            CONFIG SET maxclients abc
            CONFIG SET maxclients 0
            CONFIG SET appendfsync sometimes
            CONFIG SET databases 3
            CONFIG SET maxclients 1 maxclients 2
            CONFIG SET maxclients 1 port
            CONFIG SET proto-max-bulk-len 10
            CONFIG SET proto-max-bulk-len abc
            CONFIG SET maxclients 5000
            CONFIG GET maxclients
            CONFIG SET maxclients 10000 proto-max-bulk-len 512mb
            CONFIG GET proto-max-bulk-len
            CONFIG GET
            CONFIG SET requirepass
            CONFIG RESETSTAT
            CONFIG RESETSTAT x
            CONFIG nope
            CONFIG

            # server: INFO TIME SAVE LASTSAVE DBSIZE COMMAND SHUTDOWN
            SET a 1
            ?INFO
            ?INFO keyspace
            ?INFO memory stats
            INFO nosuchsection
            ?TIME
            TIME x
            SAVE
            ?LASTSAVE
            BGSAVE NOW
            DBSIZE
            DBSIZE x
            ?COMMAND COUNT
            COMMAND INFO get
            COMMAND INFO nosuchcommand
            COMMAND GETKEYS MSET a b c d
            COMMAND GETKEYS nosuch x
            COMMAND GETKEYS get a b
            COMMAND GETKEYS time
            COMMAND GETKEYS ping x
            COMMAND LIST FILTERBY PATTERN getr*
            COMMAND LIST FILTERBY foo x
            COMMAND foo
            SHUTDOWN SAVE NOSAVE
            SHUTDOWN ABORT
            SHUTDOWN FOO

            # RESP3 reply shapes after HELLO 3
            ?HELLO 3
            SET a 1
            GET nope
            MGET a nope
            CONFIG GET maxclients
            CONFIG GET nosuch
            COMMAND INFO get
            COMMAND DOCS nosuchcommand
            INFO nosuchsection
            OBJECT ENCODING nope
            INCRBYFLOAT f 1.5
            SET a 2 GET
            TTL a
            @SCAN 0
            ?TIME
            GETEX nope
            ?HELLO 2

            # unknown commands and arity are answered like Redis
            NOSUCHCOMMAND a b
            MGET
            INCR
            """;

    @Inject
    RespListener listener;

    private RedisServerProcess redis;
    private RespClient reference;
    private RespClient hyperkv;

    @BeforeAll
    void start() throws IOException {
        redis = new RedisServerProcess();
        reference = new RespClient(redis.port);
        hyperkv = new RespClient(listener.port());
    }

    @AfterAll
    void stop() throws IOException {
        if (reference != null) {
            reference.close();
        }
        if (hyperkv != null) {
            hyperkv.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    record Line(char mode, List<String> args) {}

    record Case(String name, List<Line> lines) {}

    static List<Case> cases() {
        List<Case> out = parse(CASES, "");
        for (java.util.Map.Entry<String, String> table : familyTables().entrySet()) {
            out.addAll(parse(table.getValue(), table.getKey() + ": "));
        }
        return out;
    }

    /** The per-family tables under {@code differential/} on the test class path, by file name. */
    static java.util.SortedMap<String, String> familyTables() {
        java.util.SortedMap<String, String> tables = new java.util.TreeMap<>();
        java.net.URL dir = RedisDifferentialTest.class.getClassLoader().getResource("differential");
        if (dir == null) {
            return tables;
        }
        try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.list(java.nio.file.Path.of(dir.toURI()))) {
            for (java.nio.file.Path f : (Iterable<java.nio.file.Path>) files::iterator) {
                if (f.getFileName().toString().endsWith(".txt")) {
                    tables.put(f.getFileName().toString(), java.nio.file.Files.readString(f));
                }
            }
        } catch (IOException | java.net.URISyntaxException e) {
            throw new IllegalStateException("cannot read the differential tables in " + dir, e);
        }
        return tables;
    }

    static List<Case> parse(String text, String prefix) {
        List<Case> out = new ArrayList<>();
        String name = null;
        List<Line> lines = null;
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            if (line.startsWith("#")) {
                name = prefix + line.substring(1).strip();
                lines = new ArrayList<>();
                out.add(new Case(name, lines));
            } else if (!line.isEmpty()) {
                if (lines == null) {
                    throw new IllegalStateException(prefix + "a command before the first '# case' line: " + line);
                }
                char mode = "~?@".indexOf(line.charAt(0)) >= 0 ? line.charAt(0) : '=';
                lines.add(new Line(mode, split(mode == '=' ? line : line.substring(1))));
            }
        }
        return out;
    }

    static List<String> split(String line) {
        List<String> args = new ArrayList<>();
        StringBuilder cur = null;
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"') {
                    quoted = false;
                } else {
                    cur.append(c);
                }
            } else if (c == '"') {
                quoted = true;
                if (cur == null) {
                    cur = new StringBuilder();
                }
            } else if (c == ' ') {
                if (cur != null) {
                    args.add(cur.toString());
                    cur = null;
                }
            } else {
                if (cur == null) {
                    cur = new StringBuilder();
                }
                cur.append(c);
            }
        }
        if (cur != null) {
            args.add(cur.toString());
        }
        return args;
    }

    @Test
    void everyCommandAnswersLikeRedisServer() throws IOException {
        List<String> mismatches = new ArrayList<>();
        int compared = 0;
        for (Case c : cases()) {
            for (RespClient client : List.of(reference, hyperkv)) {
                client.call(List.of("SELECT", "0"));
                client.call(List.of("FLUSHALL"));
            }
            for (Line line : c.lines()) {
                String expected = run(reference, line);
                String actual = run(hyperkv, line);
                compared++;
                if (!expected.equals(actual)) {
                    mismatches.add("[" + c.name() + "] " + String.join(" ", line.args()) + "\n    redis:   " + expected
                            + "\n    hyperkv: " + actual);
                }
            }
        }
        System.out.printf("differential: %d commands in %d cases compared with redis-server%n", compared, cases().size());
        assertThat(mismatches).as("replies that differ from redis-server").isEmpty();
    }

    private static String run(RespClient client, Line line) throws IOException {
        switch (line.mode()) {
            case '~': {
                Object tree = client.callTree(line.args());
                return tree instanceof List<?> list ? sortedRender(list) : RespClient.render(tree);
            }
            case '?': {
                String reply = client.call(line.args());
                return reply.isEmpty() ? "" : reply.substring(0, 1);
            }
            case '@': {
                TreeSet<String> keys = new TreeSet<>();
                List<String> args = new ArrayList<>(line.args());
                for (int page = 0; page < 10_000; page++) {
                    Object tree = client.callTree(args);
                    if (!(tree instanceof List<?> reply)) {
                        return RespClient.render(tree);
                    }
                    for (Object k : (List<?>) reply.get(1)) {
                        keys.add((String) k);
                    }
                    String cursor = ((String) reply.get(0)).replace("\"", "");
                    if (cursor.equals("0")) {
                        return keys.toString();
                    }
                    args.set(1, cursor);
                }
                return "scan did not finish";
            }
            default:
                return client.call(line.args());
        }
    }

    private static String sortedRender(List<?> list) {
        List<String> parts = new ArrayList<>();
        for (Object o : list) {
            parts.add(RespClient.render(o));
        }
        parts.sort(null);
        return parts.toString();
    }
}
