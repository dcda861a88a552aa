package io.hyperkv.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.hyperkv.server.RespListener;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.args.FlushMode;
import redis.clients.jedis.args.SortedSetOption;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.params.ZAddParams;
import redis.clients.jedis.params.ZIncrByParams;
import redis.clients.jedis.params.ZParams;
import redis.clients.jedis.params.ZRangeParams;
import redis.clients.jedis.resps.ScanResult;
import redis.clients.jedis.resps.Tuple;
import redis.clients.jedis.util.KeyValue;

/**
 * The sorted-set commands through Jedis's typed API against the real server, in RESP2 and RESP3:
 * proves a mainstream client parses every reply shape (doubles, pairs, nested pops) HyperKV sends.
 */
@QuarkusTest
class JedisZSetTest {

    @Inject
    RespListener listener;

    @Test
    void sortedSetCommandsThroughJedis() {
        try (Jedis j = new Jedis("127.0.0.1", listener.port())) {
            j.select(12);
            j.flushDB(FlushMode.SYNC);
            assertThat(j.zadd("z", Map.of("a", 1.0, "b", 2.0, "c", 3.0))).isEqualTo(3);
            assertThat(j.zadd("z", 5.0, "a", ZAddParams.zAddParams().xx().ch())).isEqualTo(1);
            assertThat(j.zaddIncr("z", 0.5, "b", ZAddParams.zAddParams())).isEqualTo(2.5);
            assertThat(j.zincrby("z", 0.25, "b")).isEqualTo(2.75);
            assertThat(j.zincrby("z", 1, "b", ZIncrByParams.zIncrByParams().nx())).isNull();
            assertThat(j.zscore("z", "a")).isEqualTo(5.0);
            assertThat(j.zmscore("z", "a", "nope")).containsExactly(5.0, null);
            assertThat(j.zcard("z")).isEqualTo(3);
            assertThat(j.zcount("z", "(2", "+inf")).isEqualTo(3);
            assertThat(j.zrange("z", 0, -1)).containsExactly("b", "c", "a");
            assertThat(j.zrangeWithScores("z", 0, 0)).containsExactly(new Tuple("b", 2.75));
            assertThat(j.zrevrange("z", 0, 0)).containsExactly("a");
            assertThat(j.zrangeByScore("z", 3, 5)).containsExactly("c", "a");
            assertThat(j.zrevrangeByScoreWithScores("z", 5, 3)).containsExactly(new Tuple("a", 5.0), new Tuple("c", 3.0));
            assertThat(j.zrange("z", ZRangeParams.zrangeByScoreParams(0, 10).rev().limit(0, 2))).isEmpty();
            assertThat(j.zrange("z", ZRangeParams.zrangeByScoreParams(10, 0).rev().limit(0, 2))).containsExactly("a", "c");
            assertThat(j.zrank("z", "c")).isEqualTo(1);
            assertThat(j.zrevrank("z", "c")).isEqualTo(1);
            assertThat(j.zrankWithScore("z", "a")).isEqualTo(new KeyValue<>(2L, 5.0));
            assertThat(j.zrangestore("dst", "z", ZRangeParams.zrangeParams(0, 1))).isEqualTo(2);
            assertThat(j.zunionstore("u", new ZParams().weights(2, 1).aggregate(ZParams.Aggregate.MAX), "z", "dst")).isEqualTo(3);
            assertThat(j.zunionWithScores(new ZParams(), "z", "dst")).containsExactly(
                    new Tuple("a", 5.0), new Tuple("b", 5.5), new Tuple("c", 6.0));
            assertThat(j.zinter(new ZParams(), "z", "dst")).containsExactly("b", "c");
            assertThat(j.zdiff("z", "dst")).containsExactly("a");
            assertThat(j.zdiffStore("d", "z", "dst")).isEqualTo(1);
            assertThat(j.zintercard("z", "dst")).isEqualTo(2);
            assertThat(j.zintercard(1, "z", "dst")).isEqualTo(1);
            ScanResult<Tuple> scan = j.zscan("z", ScanParams.SCAN_POINTER_START);
            assertThat(scan.getCursor()).isEqualTo("0");
            assertThat(scan.getResult()).hasSize(3);
            assertThat(j.zrandmember("z")).isIn("a", "b", "c");
            assertThat(j.zrandmemberWithScores("z", 2)).hasSize(2);
            j.zadd("l", Map.of("p", 0.0, "q", 0.0, "r", 0.0));
            assertThat(j.zrangeByLex("l", "[q", "+")).containsExactly("q", "r");
            assertThat(j.zrevrangeByLex("l", "+", "(p")).containsExactly("r", "q");
            assertThat(j.zlexcount("l", "-", "+")).isEqualTo(3);
            assertThat(j.zremrangeByLex("l", "-", "[p")).isEqualTo(1);
            assertThat(j.zremrangeByRank("l", 0, 0)).isEqualTo(1);
            assertThat(j.zremrangeByScore("l", "-inf", "+inf")).isEqualTo(1);
            assertThat(j.exists("l")).isFalse();
            assertThat(j.zpopmin("z")).isEqualTo(new Tuple("b", 2.75));
            assertThat(j.zpopmax("z", 5)).containsExactly(new Tuple("a", 5.0), new Tuple("c", 3.0));
            assertThat(j.zmpop(SortedSetOption.MIN, "nope", "u")).isEqualTo(new KeyValue<>("u", List.of(new Tuple("b", 5.5))));
            assertThat(j.zrem("u", "a", "x")).isEqualTo(1);
            j.set("s", "v");
            assertThatThrownBy(() -> j.zadd("s", 1, "a")).hasMessageStartingWith("WRONGTYPE");
            assertThatThrownBy(() -> j.sendCommand(redis.clients.jedis.Protocol.Command.ZADD, "z", "abc", "a"))
                    .hasMessage("ERR value is not a valid float");
        }
    }

    @Test
    void resp3RepliesParseAsDoublesAndPairs() {
        try (Jedis j = new Jedis("127.0.0.1", listener.port(),
                redis.clients.jedis.DefaultJedisClientConfig.builder().protocol(redis.clients.jedis.RedisProtocol.RESP3).build())) {
            j.select(13);
            j.flushDB(FlushMode.SYNC);
            j.zadd("z", Map.of("a", 0.1, "b", 2.0));
            assertThat(j.zscore("z", "a")).isEqualTo(0.1);
            assertThat(j.zincrby("z", 0.2, "a")).isEqualTo(0.30000000000000004);
            assertThat(j.zrangeWithScores("z", 0, -1)).containsExactly(new Tuple("a", 0.30000000000000004), new Tuple("b", 2.0));
            assertThat(j.zpopmax("z", 1)).containsExactly(new Tuple("b", 2.0));
            assertThat(j.zrandmemberWithScores("z", 1)).containsExactly(new Tuple("a", 0.30000000000000004));
        }
    }

    private static long blockedClients(Jedis j) {
        for (String line : j.info("clients").split("\r\n")) {
            if (line.startsWith("blocked_clients:")) {
                return Long.parseLong(line.substring("blocked_clients:".length()).trim());
            }
        }
        return -1;
    }

    @Test
    void blockingPopsAreWokenByAnotherClientsZadd() throws Exception {
        ExecutorService waiterThread = Executors.newSingleThreadExecutor();
        try (Jedis waiter = new Jedis("127.0.0.1", listener.port()); Jedis writer = new Jedis("127.0.0.1", listener.port())) {
            waiter.select(14);
            writer.select(14);
            writer.flushDB(FlushMode.SYNC);
            Future<KeyValue<String, Tuple>> min = waiterThread.submit(() -> waiter.bzpopmin(10, "q1", "q2"));
            await().atMost(Duration.ofSeconds(10)).until(() -> blockedClients(writer) == 1);
            writer.zadd("q2", Map.of("m", 3.0, "n", 4.0));
            assertThat(min.get(10, TimeUnit.SECONDS)).isEqualTo(new KeyValue<>("q2", new Tuple("m", 3.0)));
            assertThat(writer.zrange("q2", 0, -1)).containsExactly("n");

            Future<KeyValue<String, List<Tuple>>> mpop = waiterThread.submit(() -> waiter.bzmpop(10, SortedSetOption.MAX, 5, "q1"));
            await().atMost(Duration.ofSeconds(10)).until(() -> blockedClients(writer) == 1);
            writer.zadd("q1", Map.of("x", 1.0, "y", 2.0));
            assertThat(mpop.get(10, TimeUnit.SECONDS)).isEqualTo(new KeyValue<>("q1", List.of(new Tuple("y", 2.0), new Tuple("x", 1.0))));
            assertThat(writer.exists("q1")).isFalse();

            // a key of another type does not end the wait; a zset pushed afterwards does
            Future<KeyValue<String, Tuple>> max = waiterThread.submit(() -> waiter.bzpopmax(10, "q3"));
            await().atMost(Duration.ofSeconds(10)).until(() -> blockedClients(writer) == 1);
            writer.set("q3", "string");
            writer.del("q3");
            writer.zadd("q3", 7, "z");
            assertThat(max.get(10, TimeUnit.SECONDS)).isEqualTo(new KeyValue<>("q3", new Tuple("z", 7.0)));

            assertThat(waiter.bzpopmin(0.05, "empty")).isNull();
        } finally {
            waiterThread.shutdownNow();
        }
    }
}
