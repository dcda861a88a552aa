package io.hyperkv.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * WAIT on a single node, which has no replicas, as a Redis master without replicas: 0 at once when no replica is
 * asked for, 0 after the timeout otherwise, the replies of pipelined commands around it in order, Redis's errors for
 * bad arguments.
 */
@QuarkusTest
class WaitCommandTest {

    @Inject
    RespListener listener;

    private Jedis jedis() {
        return new Jedis("127.0.0.1", listener.port());
    }

    @Test
    void withoutReplicasWaitAnswersZeroAtOnceOrAfterItsTimeout() {
        try (Jedis j = jedis()) {
            j.set("wait:k", "v");
            assertThat(j.waitReplicas(0, 0)).isZero();
            long start = System.nanoTime();
            assertThat(j.waitReplicas(1, 200)).isZero();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(190));
        }
    }

    @Test
    void pipelinedRepliesAroundAWaitingWaitKeepTheirOrder() {
        try (Jedis j = jedis()) {
            Pipeline p = j.pipelined();
            Response<String> set = p.set("wait:p", "1");
            Response<Long> waited = p.waitReplicas(1, 100);
            Response<Long> incr = p.incr("wait:p");
            Response<String> get = p.get("wait:p");
            p.sync();
            assertThat(List.of(set.get(), waited.get(), incr.get(), get.get())).containsExactly("OK", 0L, 2L, "2");
        }
    }

    @Test
    void badArgumentsGetRedisErrors() {
        try (Jedis j = jedis()) {
            assertThatThrownBy(() -> j.sendCommand(() -> "WAIT".getBytes(), "x", "0"))
                    .isInstanceOf(JedisDataException.class).hasMessage("ERR value is not an integer or out of range");
            assertThatThrownBy(() -> j.sendCommand(() -> "WAIT".getBytes(), "0", "x"))
                    .hasMessage("ERR timeout is not an integer or out of range");
            assertThatThrownBy(() -> j.sendCommand(() -> "WAIT".getBytes(), "0", "-1"))
                    .hasMessage("ERR timeout is negative");
            assertThatThrownBy(() -> j.sendCommand(() -> "WAIT".getBytes(), "0"))
                    .hasMessage("ERR wrong number of arguments for 'wait' command");
        }
    }
}
