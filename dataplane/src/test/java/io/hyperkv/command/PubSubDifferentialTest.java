package io.hyperkv.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyperkv.server.RespListener;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Pub/sub and keyspace notifications compared with redis-server over several raw connections at
 * once: the same script runs against both servers and the transcripts (every frame every client
 * received, step by step) must be identical.
 *
 * <p>Script lines are {@code name: COMMAND args}, sent by client {@code name} (opened on first use).
 * After each step every client sends a PING and everything it received before the pong is recorded:
 * a message published before the barrier must have arrived by then on both servers. Prefixes:
 * {@code ~} compares the acting client's frames of this step with array items sorted (hash order
 * differs); {@code ?} records only how many frames came (HELLO's id and version differ);
 * {@code +} skips the barrier, so what arrives asynchronously (an expiry) is recorded with the next
 * step on both servers. {@code await name: COMMAND == reply} repeats the command until it answers
 * {@code reply} (bounded), recording only that it did.
 */
@QuarkusTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PubSubDifferentialTest {

    static final Map<String, String> SCRIPTS = new TreeMap<>(Map.of(
            "channels and patterns fan out with Redis's counts", """
                    a: SUBSCRIBE ch other
                    b: PSUBSCRIBE c* o*
                    ?c: HELLO 3
                    c: SUBSCRIBE ch
                    c: PSUBSCRIBE c*
                    c: SUBSCRIBE ch
                    d: PUBLISH ch hello
                    d: PUBLISH other x
                    d: PUBLISH cx "with space"
                    d: PUBLISH nobody x
                    d: PUBSUB NUMSUB ch other cx
                    d: PUBSUB NUMPAT
                    ~d: PUBSUB CHANNELS
                    d: PUBSUB CHANNELS o*
                    c: GET k
                    c: PUBLISH ch self
                    a: UNSUBSCRIBE ch
                    a: UNSUBSCRIBE nosuch
                    b: PUNSUBSCRIBE c*
                    d: PUBLISH ch again
                    a: UNSUBSCRIBE
                    b: PUNSUBSCRIBE
                    c: UNSUBSCRIBE ch
                    c: PUNSUBSCRIBE
                    d: PUBSUB NUMPAT
                    d: PUBSUB NUMSUB ch
                    d: PUBLISH ch nobody
                    """,
            "shard channels are their own namespace", """
                    a: SSUBSCRIBE s1 s2
                    b: PSUBSCRIBE *
                    b: SUBSCRIBE s1
                    c: SPUBLISH s1 m
                    c: PUBLISH s1 n
                    c: PUBSUB SHARDNUMSUB s1 s3
                    ~c: PUBSUB SHARDCHANNELS
                    c: PUBSUB SHARDCHANNELS s1
                    c: PUBSUB NUMSUB s1
                    a: SUNSUBSCRIBE s1
                    a: GET k
                    a: SUNSUBSCRIBE
                    a: GET k
                    b: RESET
                    c: PUBLISH s1 gone
                    """,
            "string and key commands notify as Redis", """
                    a: CONFIG SET notify-keyspace-events KEA
                    b: PSUBSCRIBE __key*__:*
                    a: SET k v
                    a: SET k v2 EX 100
                    a: SET k v3 KEEPTTL
                    a: SET k v4 NX
                    a: SET k v5 XX GET
                    a: SETNX k x
                    a: SETNX n 1
                    a: SETEX e 100 v
                    a: PSETEX e 100000 v
                    a: GETSET k v3
                    a: GETDEL k
                    a: GETDEL k
                    a: SET c 10
                    a: INCR c
                    a: DECRBY c 3
                    a: INCRBY c x
                    a: INCRBYFLOAT c 1.5
                    a: APPEND s hello
                    a: APPEND s world
                    a: SETRANGE s 0 J
                    a: SETRANGE s 0 ""
                    a: SETRANGE r 5 x
                    a: MSET m1 1 m2 2
                    a: MSETNX m1 1 m3 3
                    a: MSETNX m3 3 m4 4
                    a: GETEX m1 EX 100
                    a: GETEX m1 PERSIST
                    a: GETEX m1 PERSIST
                    a: GETEX m1 PXAT 1
                    a: EXPIRE m2 100
                    a: EXPIRE m2 50 GT
                    a: PERSIST m2
                    a: PERSIST m2
                    a: PEXPIREAT m2 1
                    a: RENAME m3 m5
                    a: RENAMENX m4 m5
                    a: RENAME m4 m4
                    a: COPY m5 m6
                    a: COPY m5 m6 REPLACE
                    a: COPY m5 m6 DB 1
                    a: DEL m5 m6 nope
                    a: UNLINK m4
                    a: SELECT 2
                    a: SET other-db v
                    a: SELECT 0
                    a: FLUSHALL
                    a: SET big 1 PX 100000
                    +a: SET past v EXAT 1
                    await a: EXISTS past == :0
                    a: CONFIG SET notify-keyspace-events ""
                    a: SET quiet v
                    """,
            "event classes select what is published", """
                    b: PSUBSCRIBE __key*__:*
                    a: CONFIG SET notify-keyspace-events E$
                    a: SET k v
                    a: DEL k
                    a: CONFIG SET notify-keyspace-events Kg
                    a: SET k v
                    a: EXPIRE k 100
                    a: DEL k
                    a: CONFIG SET notify-keyspace-events A
                    a: SET k v
                    a: CONFIG SET notify-keyspace-events KEnm
                    a: GET nope
                    a: SET n1 v
                    a: SET n1 v2
                    a: MGET n1 nope2
                    a: GETEX nope3
                    a: STRLEN nope4
                    a: INCR cnt
                    a: APPEND ap x
                    a: SETRANGE sr 1 x
                    a: INCRBYFLOAT f 1
                    a: MSET n1 1 fresh 2 fresh 3
                    a: RENAME n1 n2
                    a: COPY n2 n3
                    a: SET n2 x GET
                    a: SET n9 x GET
                    a: GETSET n10 x
                    a: CONFIG SET notify-keyspace-events ""
                    """,
            "expiry notifies expired, passive and active", """
                    a: CONFIG SET notify-keyspace-events Ex
                    b: SUBSCRIBE __keyevent@0__:expired
                    c: PSUBSCRIBE __keyspace@0__:*
                    +a: SET t v PX 20
                    await a: EXISTS t == :0
                    +a: SET u v PX 20
                    await a: DBSIZE == :0
                    a: CONFIG SET notify-keyspace-events KEx
                    +a: PSETEX w 20 v
                    await a: DBSIZE == :0
                    a: CONFIG SET notify-keyspace-events ""
                    """));

    @Inject
    RespListener listener;

    private RedisServerProcess redis;

    @BeforeAll
    void start() throws IOException {
        redis = new RedisServerProcess();
    }

    @AfterAll
    void stop() throws IOException {
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void transcriptsMatchRedisServer() throws IOException {
        List<String> mismatches = new ArrayList<>();
        StringBuilder transcripts = new StringBuilder();
        int steps = 0;
        for (Map.Entry<String, String> script : SCRIPTS.entrySet()) {
            List<String> expected = run(redis.port, script.getValue());
            List<String> actual = run(listener.port(), script.getValue());
            transcripts.append("# ").append(script.getKey()).append("\n").append(String.join("\n", actual)).append("\n");
            steps += expected.size();
            for (int i = 0; i < Math.max(expected.size(), actual.size()); i++) {
                String e = i < expected.size() ? expected.get(i) : "(nothing)";
                String a = i < actual.size() ? actual.get(i) : "(nothing)";
                if (!e.equals(a)) {
                    mismatches.add("[" + script.getKey() + "]\n    redis:   " + e + "\n    hyperkv: " + a);
                    break; // later steps of this script differ as a consequence
                }
            }
        }
        // The HyperKV transcript, for a human to read what was compared.
        java.nio.file.Files.writeString(java.nio.file.Path.of("target", "pubsub-differential-transcript.txt"),
                transcripts.toString());
        System.out.println("pub/sub differential: " + steps + " steps in " + SCRIPTS.size() + " scripts compared with redis-server");
        assertThat(mismatches).as(String.join("\n", mismatches)).isEmpty();
    }

    /** Runs one script on the server at {@code port}; returns the transcript, one entry per step. */
    private static List<String> run(int port, String script) throws IOException {
        Map<String, RespClient> clients = new TreeMap<>();
        List<String> transcript = new ArrayList<>();
        try (RespClient admin = new RespClient(port)) {
            admin.call(List.of("FLUSHALL"));
            admin.call(List.of("CONFIG", "SET", "notify-keyspace-events", ""));
            Map<String, List<String>> pending = new TreeMap<>();
            for (String raw : script.split("\n")) {
                String line = raw.strip();
                if (line.isEmpty()) {
                    continue;
                }
                if (line.startsWith("await ")) {
                    String[] parts = line.substring(6).split(" == ");
                    String name = parts[0].substring(0, parts[0].indexOf(':'));
                    List<String> args = RedisDifferentialTest.split(parts[0].substring(parts[0].indexOf(':') + 1));
                    RespClient c = client(clients, name, port);
                    Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                            .until(() -> c.call(args).equals(parts[1]));
                    transcript.add(line + barrier(clients, pending));
                    continue;
                }
                char mode = "~?+".indexOf(line.charAt(0)) >= 0 ? line.charAt(0) : '=';
                String body = mode == '=' ? line : line.substring(1);
                String name = body.substring(0, body.indexOf(':'));
                List<String> args = RedisDifferentialTest.split(body.substring(body.indexOf(':') + 1));
                RespClient c = client(clients, name, port);
                c.send(args);
                c.send(List.of("PING"));
                List<Object> frames = untilPong(c);
                String own = switch (mode) {
                    case '~' -> render(sortedItems(frames));
                    case '?' -> frames.size() + " frame(s)";
                    default -> render(frames);
                };
                pending.computeIfAbsent(name, k -> new ArrayList<>()).add("reply " + own);
                if (mode == '+') {
                    continue;
                }
                transcript.add(line + barrier(clients, pending));
            }
        } finally {
            for (RespClient c : clients.values()) {
                c.close();
            }
            try (RespClient admin = new RespClient(port)) {
                admin.call(List.of("CONFIG", "SET", "notify-keyspace-events", ""));
            }
        }
        return transcript;
    }

    private static RespClient client(Map<String, RespClient> clients, String name, int port) throws IOException {
        RespClient c = clients.get(name);
        if (c == null) {
            c = new RespClient(port);
            clients.put(name, c);
        }
        return c;
    }

    /** Every client pings; what each received before its pong joins the step's record. */
    private static String barrier(Map<String, RespClient> clients, Map<String, List<String>> pending) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, RespClient> e : clients.entrySet()) {
            e.getValue().send(List.of("PING"));
            List<Object> frames = untilPong(e.getValue());
            List<String> got = pending.computeIfAbsent(e.getKey(), k -> new ArrayList<>());
            if (!frames.isEmpty()) {
                got.add(render(frames));
            }
        }
        for (Map.Entry<String, List<String>> e : pending.entrySet()) {
            if (!e.getValue().isEmpty()) {
                sb.append("\n      ").append(e.getKey()).append(" < ").append(String.join(" ", e.getValue()));
            }
        }
        pending.clear();
        return sb.toString();
    }

    /** Reads frames until the reply to a PING: {@code +PONG}, or {@code [pong, ""]} in RESP2 subscriber mode. */
    private static List<Object> untilPong(RespClient c) throws IOException {
        List<Object> frames = new ArrayList<>();
        while (true) {
            Object f = c.readTree();
            String r = RespClient.render(f);
            if (r.equals("+PONG") || r.equals("[\"pong\", \"\"]")) {
                return frames;
            }
            frames.add(f);
        }
    }

    private static List<Object> sortedItems(List<Object> frames) {
        List<Object> out = new ArrayList<>();
        for (Object f : frames) {
            if (f instanceof List<?> l) {
                List<String> items = new ArrayList<>();
                for (Object o : l) {
                    items.add(RespClient.render(o));
                }
                items.sort(null);
                out.add(new ArrayList<Object>(items));
            } else {
                out.add(f);
            }
        }
        return out;
    }

    private static String render(List<Object> frames) {
        List<String> parts = new ArrayList<>();
        for (Object f : frames) {
            parts.add(RespClient.render(f));
        }
        return String.join(" ", parts);
    }
}
