package io.hyperkv.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hyperkv.server.RespListener;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.List;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.args.ListDirection;
import redis.clients.jedis.args.ListPosition;
import redis.clients.jedis.params.LPosParams;
import redis.clients.jedis.util.KeyValue;

/**
 * The list commands through Jedis's typed API: a mainstream client parses every reply shape the
 * list family produces (exact texts are compared with redis-server in differential/lists.txt).
 */
@QuarkusTest
class JedisListTest {

    @Inject
    RespListener listener;

    @Test
    void everyListCommandThroughTheTypedApi() {
        try (Jedis j = new Jedis("127.0.0.1", listener.port())) {
            j.select(13);
            j.flushDB();
            assertThat(j.lpush("l", "b", "a")).isEqualTo(2);
            assertThat(j.rpush("l", "c", "d", "c")).isEqualTo(5);
            assertThat(j.lpushx("nope", "x")).isZero();
            assertThat(j.rpushx("l", "e")).isEqualTo(6);
            assertThat(j.llen("l")).isEqualTo(6);
            assertThat(j.lrange("l", 0, -1)).containsExactly("a", "b", "c", "d", "c", "e");
            assertThat(j.lindex("l", -2)).isEqualTo("c");
            assertThat(j.lset("l", 1, "B")).isEqualTo("OK");
            assertThat(j.linsert("l", ListPosition.AFTER, "d", "d2")).isEqualTo(7);
            assertThat(j.lpos("l", "c")).isEqualTo(2);
            assertThat(j.lpos("l", "c", LPosParams.lPosParams().rank(-1))).isEqualTo(5);
            assertThat(j.lpos("l", "c", LPosParams.lPosParams(), 0)).containsExactly(2L, 5L);
            assertThat(j.lrem("l", -1, "c")).isEqualTo(1);
            assertThat(j.ltrim("l", 0, 4)).isEqualTo("OK");
            assertThat(j.lrange("l", 0, -1)).containsExactly("a", "B", "c", "d", "d2");
            assertThat(j.lpop("l")).isEqualTo("a");
            assertThat(j.rpop("l", 2)).containsExactly("d2", "d");
            assertThat(j.lpop("nope", 2)).isNull();
            assertThat(j.lmove("l", "m", ListDirection.LEFT, ListDirection.RIGHT)).isEqualTo("B");
            assertThat(j.rpoplpush("l", "m")).isEqualTo("c");
            assertThat(j.exists("l")).isFalse();
            assertThat(j.lrange("m", 0, -1)).containsExactly("c", "B");
            KeyValue<String, List<String>> popped = j.lmpop(ListDirection.RIGHT, 5, "nope", "m");
            assertThat(popped.getKey()).isEqualTo("m");
            assertThat(popped.getValue()).containsExactly("B", "c");
            assertThat(j.lmpop(ListDirection.LEFT, "nope", "m")).isNull();
            j.rpush("q", "1", "2");
            assertThat(j.blpop(1, "nope", "q")).containsExactly("q", "1");
            assertThat(j.brpop(1, "q")).containsExactly("q", "2");
            assertThat(j.blpop(0.05, "q")).as("timed out").isNull();
            j.rpush("q", "3");
            assertThat(j.blmove("q", "r", ListDirection.RIGHT, ListDirection.LEFT, 1)).isEqualTo("3");
            assertThat(j.brpoplpush("r", "q", 1)).isEqualTo("3");
            assertThat(j.blmpop(1, ListDirection.LEFT, "nope", "q").getValue()).containsExactly("3");
            assertThat(j.type("r")).isEqualTo("none");
            j.set("s", "v");
            assertThatThrownBy(() -> j.lpush("s", "x")).hasMessage(Errors.WRONGTYPE);
            assertThatThrownBy(() -> j.lset("nope", 0, "x")).hasMessage("ERR no such key");
            assertThatThrownBy(() -> j.blpop(-1, "q")).hasMessage("ERR timeout is negative");
        }
    }
}
