package io.hyperkv.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hyperkv.server.RespListener;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.args.ExpiryOption;
import redis.clients.jedis.args.FlushMode;
import redis.clients.jedis.params.GetExParams;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.params.SetParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * The store's commands through Jedis's typed API (not raw sends): proves a mainstream client
 * parses every reply shape HyperKV produces for them. Exact texts are in {@link RedisDifferentialTest}.
 */
@QuarkusTest
class JedisTypedApiTest {

    @Inject
    RespListener listener;

    @Test
    void stringCommands() {
        try (Jedis j = new Jedis("127.0.0.1", listener.port())) {
            j.select(11);
            j.flushDB(FlushMode.SYNC);
            assertThat(j.set("s", "v", SetParams.setParams().nx().ex(100))).isEqualTo("OK");
            assertThat(j.set("s", "w", SetParams.setParams().nx())).isNull();
            assertThat(j.setGet("s", "w")).isEqualTo("v");
            assertThat(j.ttl("s")).isEqualTo(-1);
            assertThat(j.setnx("n", "1")).isEqualTo(1);
            assertThat(j.setex("e", 50, "v")).isEqualTo("OK");
            assertThat(j.psetex("p", 50_000, "v")).isEqualTo("OK");
            assertThat(j.getSet("n", "5")).isEqualTo("1");
            assertThat(j.getEx("e", GetExParams.getExParams().persist())).isEqualTo("v");
            assertThat(j.getDel("e")).isEqualTo("v");
            assertThat(j.mset("a", "1", "b", "2")).isEqualTo("OK");
            assertThat(j.msetnx("a", "x", "c", "3")).isZero();
            assertThat(j.mget("a", "b", "c")).containsExactly("1", "2", null);
            assertThat(j.append("a", "23")).isEqualTo(3);
            assertThat(j.strlen("a")).isEqualTo(3);
            assertThat(j.getrange("a", 1, -1)).isEqualTo("23");
            assertThat(j.setrange("a", 3, "4")).isEqualTo(4);
            assertThat(j.incr("n")).isEqualTo(6);
            assertThat(j.incrBy("n", 4)).isEqualTo(10);
            assertThat(j.decr("n")).isEqualTo(9);
            assertThat(j.decrBy("n", 9)).isZero();
            assertThat(j.incrByFloat("f", 1.5)).isEqualTo(1.5);
            assertThatThrownBy(() -> j.incr("s")).hasMessage("ERR value is not an integer or out of range");
        }
    }

    @Test
    void keyAndServerCommands() {
        try (Jedis j = new Jedis("127.0.0.1", listener.port())) {
            j.select(12);
            j.flushDB();
            j.mset("k1", "a", "k2", "b", "k3", "c");
            assertThat(j.exists("k1", "k2", "nope")).isEqualTo(2);
            assertThat(j.type("k1")).isEqualTo("string");
            assertThat(j.rename("k1", "r1")).isEqualTo("OK");
            assertThat(j.renamenx("r1", "k2")).isZero();
            assertThat(j.copy("r1", "c1", true)).isTrue();
            assertThat(j.keys("*")).containsExactlyInAnyOrder("r1", "k2", "k3", "c1");
            ScanResult<String> page = j.scan(ScanParams.SCAN_POINTER_START, new ScanParams().match("k*").count(100));
            assertThat(page.getCursor()).isEqualTo("0");
            assertThat(page.getResult()).containsExactlyInAnyOrder("k2", "k3");
            assertThat(j.randomKey()).isIn("r1", "k2", "k3", "c1");
            assertThat(j.expire("k2", 100, ExpiryOption.NX)).isEqualTo(1);
            assertThat(j.pexpire("k2", 50_000, ExpiryOption.LT)).isEqualTo(1);
            assertThat(j.pttl("k2")).isBetween(1L, 50_000L);
            assertThat(j.expireTime("k2")).isPositive();
            assertThat(j.pexpireTime("k2")).isPositive();
            assertThat(j.persist("k2")).isEqualTo(1);
            assertThat(j.touch("k2", "k3")).isEqualTo(2);
            assertThat(j.objectEncoding("k3")).isEqualTo("embstr");
            assertThat(j.objectIdletime("k3")).isNotNegative();
            assertThat(j.del("k2", "k3")).isEqualTo(2);
            assertThat(j.unlink("c1")).isEqualTo(1);
            assertThat(j.dbSize()).isEqualTo(1);
            Map<String, String> config = j.configGet("maxclients", "appendfsync");
            assertThat(config).containsKeys("maxclients", "appendfsync");
            assertThat(j.info("keyspace")).contains("db12:keys=1,expires=0");
            List<String> time = j.time();
            assertThat(Long.parseLong(time.get(0))).isPositive();
            assertThat(j.commandCount()).isGreaterThan(50);
            assertThat(j.commandGetKeys("MSET", "a", "1", "b", "2")).containsExactly("a", "b");
            assertThat(j.lastsave()).isPositive();
            assertThat(j.flushAll()).isEqualTo("OK");
            assertThat(j.dbSize()).isZero();
        }
    }
}
