package io.hyperkv.e2e.kind;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Map;

import org.junit.jupiter.api.Test;

@KindTest
class RedisClientsInTheClusterE2ETest extends KindSuiteBase {

    @Test
    void redisCliThroughTheClientServiceReadsItsOwnWrites() {
        String out = ClientJob.run(client, settings, cluster, "cli", """
                set -eu
                redis-cli -h "$HOST" PING
                redis-cli -h "$HOST" SET e2e:greeting "hello from the cluster"
                redis-cli -h "$HOST" GET e2e:greeting
                redis-cli -h "$HOST" DEL e2e:greeting
                """, Map.of("HOST", cluster.clientServiceHost()));

        assertThat(out.lines().toList()).containsExactly("PONG", "OK", "hello from the cluster", "1");
    }

    @Test
    void unauthenticatedClientsAreRefused() {
        String out = ClientJob.run(client, settings, cluster, "noauth", """
                unset REDISCLI_AUTH
                redis-cli -h "$HOST" GET e2e:anything
                """, Map.of("HOST", cluster.clientServiceHost()));

        assertThat(out).startsWith("NOAUTH");
    }

    @Test
    void redisBenchmarkRunsToCompletionAndItsKeysAreReadable() {
        String out = ClientJob.run(client, settings, cluster, "bench", """
                set -eu
                redis-benchmark -h "$HOST" -a "$REDIS_PASSWORD" -t set,get,incr,lpush,lpop -n 20000 -c 20 -q --csv 2>/dev/null
                echo "readback $(redis-cli -h "$HOST" GET key:__rand_int__)"
                """, Map.of("HOST", cluster.clientServiceHost()));

        // No throughput threshold (performance is measured by benchmarks, not asserted); every test must have run.
        for (String command : new String[] {"SET", "GET", "INCR", "LPUSH", "LPOP"}) {
            assertThat(out.lines())
                    .as("redis-benchmark row for %s in:\n%s", command, out)
                    .anySatisfy(line -> {
                        String[] cells = Arrays.stream(line.split(",")).map(c -> c.replace("\"", "")).toArray(String[]::new);
                        assertThat(cells[0]).startsWith(command);
                        assertThat(Double.parseDouble(cells[1])).isPositive();
                    });
        }
        // redis-benchmark's SET writes 3 random bytes to "key:__rand_int__" (no -r): the data must be there.
        assertThat(out.lines().filter(l -> l.startsWith("readback ")).findFirst().orElseThrow())
                .hasSize("readback ".length() + 3);
    }
}
