package io.hyperkv.e2e.kind;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

/**
 * Scale out 3 -> 5 and back 5 -> 3 under continuous writes: data written before the change is all still
 * readable after each step (slots moved, not dropped), and no acknowledged write is lost.
 */
@KindTest
class ScalingE2ETest extends KindSuiteBase {

    private static final int SEEDED_KEYS = 500;

    static final String SEED = """
            set -eu
            i=1
            while [ "$i" -le "$COUNT" ]; do echo "SET $PREFIX:$i v$i"; i=$(( i + 1 )); done | redis-cli -h "$HOST" -p "${PORT:-6379}" > out
            echo "ok $(grep -c '^OK$' out)"
            """;

    static final String CHECK = """
            set -eu
            i=1
            while [ "$i" -le "$COUNT" ]; do echo "GET $PREFIX:$i"; i=$(( i + 1 )); done | redis-cli -h "$HOST" -p "${PORT:-6379}" > out
            i=1
            wrong=0
            while read -r v; do
              [ "$v" = "v$i" ] || { wrong=$(( wrong + 1 )); [ "$wrong" -le 5 ] && echo "mismatch $PREFIX:$i '$v'"; }
              i=$(( i + 1 ))
            done < out
            echo "read $(( i - 1 )) wrong $wrong"
            """;

    @Test
    void scalingOutAndBackInKeepsEveryKeyAndEveryAcknowledgedWrite() {
        String image = cluster.specImage();
        String prefix = "e2e:scale:" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, String> env = Map.of("HOST", cluster.clientServiceHost(), "PREFIX", prefix,
                "COUNT", Integer.toString(SEEDED_KEYS));
        assertThat(ClientJob.run(client, settings, cluster, "seed", SEED, env)).contains("ok " + SEEDED_KEYS);

        try (CounterLoad load = CounterLoad.start(client, settings, cluster, "scale", 8, Duration.ofMinutes(25))) {
            cluster.scaleTo(baselineReplicas + 2);
            cluster.awaitReady(baselineReplicas + 2, image);
            assertThat(ClientJob.run(client, settings, cluster, "check-out", CHECK, env))
                    .contains("read " + SEEDED_KEYS + " wrong 0");

            cluster.scaleTo(baselineReplicas);
            cluster.awaitReady(baselineReplicas, image);
            assertThat(ClientJob.run(client, settings, cluster, "check-in", CHECK, env))
                    .contains("read " + SEEDED_KEYS + " wrong 0");

            load.assertNoAcknowledgedWriteLost(load.stop());
        } finally {
            if (cluster.specReplicas() != baselineReplicas) {
                cluster.scaleTo(baselineReplicas);
            }
        }
    }
}
