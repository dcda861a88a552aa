package io.hyperkv.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hyperkv.server.RespListener;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.args.FlushMode;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * The hash and set commands through Jedis's typed API against the running server, and the same
 * calls against redis-server: a mainstream client parses every reply shape (RESP2 and RESP3), and
 * the results, errors included, are Redis's. Order-free replies are compared as sets.
 */
@QuarkusTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JedisHashSetTest {

    @Inject
    RespListener listener;

    private RedisServerProcess reference;

    @BeforeAll
    void startReference() throws Exception {
        reference = new RedisServerProcess();
    }

    @AfterAll
    void stopReference() throws Exception {
        if (reference != null) {
            reference.close();
        }
    }

    /** Runs one call, turning a Redis error into its message so both servers' errors compare. */
    private static Object call(Supplier<Object> c) {
        try {
            return c.get();
        } catch (redis.clients.jedis.exceptions.JedisDataException e) {
            return "error: " + e.getMessage();
        }
    }

    @SuppressWarnings("unchecked")
    private static Set<String> set(Object o) {
        return new TreeSet<>((java.util.Collection<String>) o);
    }

    private List<Object> hashScenario(Jedis j) {
        j.flushDB(FlushMode.SYNC);
        List<Object> out = new ArrayList<>();
        out.add(call(() -> j.hset("h", Map.of("a", "1", "b", "2"))));
        out.add(call(() -> j.hset("h", "a", "10")));
        out.add(call(() -> j.hget("h", "a")));
        out.add(call(() -> j.hget("h", "nope")));
        out.add(call(() -> j.hmset("h", Map.of("c", "3"))));
        out.add(call(() -> j.hmget("h", "a", "nope", "c")));
        out.add(call(() -> j.hgetAll("h")));
        out.add(call(() -> set(j.hkeys("h"))));
        out.add(call(() -> new TreeSet<>(j.hvals("h"))));
        out.add(call(() -> j.hlen("h")));
        out.add(call(() -> j.hexists("h", "a")));
        out.add(call(() -> j.hstrlen("h", "a")));
        out.add(call(() -> j.hsetnx("h", "a", "x")));
        out.add(call(() -> j.hsetnx("h", "d", "4")));
        out.add(call(() -> j.hincrBy("h", "n", 5)));
        out.add(call(() -> j.hincrBy("h", "n", -7)));
        out.add(call(() -> j.hincrBy("h", "d", Long.MAX_VALUE)));
        out.add(call(() -> j.hincrByFloat("h", "f", 10.5)));
        out.add(call(() -> j.hincrByFloat("h", "f", 0.25)));
        out.add(call(() -> j.hset("h", "s", "abc")));
        out.add(call(() -> j.hincrBy("h", "s", 1)));
        out.add(call(() -> j.hincrByFloat("h", "s", 1)));
        out.add(call(() -> j.hdel("h", "a", "b", "nope")));
        out.add(call(() -> set(j.hrandfield("h", 100))));
        out.add(call(() -> j.hrandfieldWithValues("h", 100).size()));
        out.add(call(() -> j.hrandfield("h", -5).size()));
        out.add(call(() -> j.hrandfield("nope")));
        ScanResult<Map.Entry<String, String>> page = j.hscan("h", ScanParams.SCAN_POINTER_START, new ScanParams().match("n*"));
        out.add(page.getCursor());
        out.add(page.getResult().toString());
        out.add(call(() -> j.set("str", "v")));
        out.add(call(() -> j.hget("str", "a")));
        out.add(call(() -> j.hgetAll("h")));
        return out;
    }

    private List<Object> setScenario(Jedis j) {
        j.flushDB(FlushMode.SYNC);
        List<Object> out = new ArrayList<>();
        out.add(call(() -> j.sadd("s", "a", "b", "c")));
        out.add(call(() -> j.sadd("s", "a", "d")));
        out.add(call(() -> j.srem("s", "d", "zz")));
        out.add(call(() -> set(j.smembers("s"))));
        out.add(call(() -> j.sismember("s", "a")));
        out.add(call(() -> j.smismember("s", "a", "zz", "c")));
        out.add(call(() -> j.scard("s")));
        out.add(call(() -> j.sadd("t", "b", "c", "e")));
        out.add(call(() -> set(j.sinter("s", "t"))));
        out.add(call(() -> j.sintercard("s", "t")));
        out.add(call(() -> j.sintercard(1, "s", "t")));
        out.add(call(() -> set(j.sunion("s", "t"))));
        out.add(call(() -> set(j.sdiff("s", "t"))));
        out.add(call(() -> j.sinterstore("i", "s", "t")));
        out.add(call(() -> j.sunionstore("u", "s", "t")));
        out.add(call(() -> j.sdiffstore("d", "s", "t")));
        out.add(call(() -> set(j.smembers("u"))));
        out.add(call(() -> j.smove("s", "t", "a")));
        out.add(call(() -> j.smove("s", "t", "a")));
        out.add(call(() -> set(j.smembers("t"))));
        out.add(call(() -> j.srandmember("s", 10).size()));
        out.add(call(() -> j.srandmember("s", -10).size()));
        out.add(call(() -> j.srandmember("nope")));
        out.add(call(() -> j.spop("s", 10).size()));
        out.add(call(() -> j.exists("s")));
        out.add(call(() -> j.spop("nope")));
        out.add(call(() -> j.sadd("n", "1", "2", "3")));
        ScanResult<String> page = j.sscan("n", ScanParams.SCAN_POINTER_START);
        out.add(page.getCursor());
        out.add(page.getResult());
        out.add(call(() -> j.set("str", "v")));
        out.add(call(() -> j.sadd("str", "a")));
        out.add(call(() -> j.sendCommand(Protocol.Command.SINTERCARD, "0", "s")));
        return out;
    }

    private Jedis hyperkv(RedisProtocol protocol) {
        return new Jedis(new HostAndPort("127.0.0.1", listener.port()),
                DefaultJedisClientConfig.builder().protocol(protocol).build());
    }

    @Test
    void hashesAnswerJedisLikeRedisServer() {
        try (Jedis ours = hyperkv(RedisProtocol.RESP2); Jedis ref = new Jedis("127.0.0.1", reference.port)) {
            ours.select(12);
            ref.select(12);
            List<Object> expected = hashScenario(ref);
            assertThat(hashScenario(ours)).isEqualTo(expected);
            assertThat(expected).contains("error: ERR hash value is not an integer", "error: ERR hash value is not a float",
                    "error: ERR increment or decrement would overflow",
                    "error: WRONGTYPE Operation against a key holding the wrong kind of value");
        }
    }

    @Test
    void setsAnswerJedisLikeRedisServer() {
        try (Jedis ours = hyperkv(RedisProtocol.RESP2); Jedis ref = new Jedis("127.0.0.1", reference.port)) {
            ours.select(12);
            ref.select(12);
            List<Object> expected = setScenario(ref);
            assertThat(setScenario(ours)).isEqualTo(expected);
            assertThat(expected).contains("error: ERR numkeys should be greater than 0",
                    "error: WRONGTYPE Operation against a key holding the wrong kind of value");
        }
    }

    @Test
    void resp3RepliesHaveMapAndSetShapes() {
        try (Jedis j = hyperkv(RedisProtocol.RESP3)) {
            j.select(13);
            j.flushDB(FlushMode.SYNC);
            j.hset("h", Map.of("a", "1", "b", "2"));
            assertThat(j.hgetAll("h")).isEqualTo(Map.of("a", "1", "b", "2"));
            List<Map.Entry<String, String>> pairs = j.hrandfieldWithValues("h", -4);
            assertThat(pairs).hasSize(4).allSatisfy(e -> assertThat(e.getValue()).isEqualTo(e.getKey().equals("a") ? "1" : "2"));
            j.sadd("s", "x", "y");
            assertThat(j.smembers("s")).isEqualTo(Set.of("x", "y"));
            assertThat(new HashSet<>(j.spop("s", 5))).isEqualTo(Set.of("x", "y"));
            assertThatThrownBy(() -> j.sendCommand(Protocol.Command.SINTERCARD, "0", "s"))
                    .hasMessage("ERR numkeys should be greater than 0");
        }
    }
}
