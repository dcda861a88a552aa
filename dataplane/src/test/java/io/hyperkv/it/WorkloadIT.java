package io.hyperkv.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * The fault tests' {@link Workload} against one real node: its accounts match what the node holds across a SIGKILL and
 * restart ({@code appendfsync always}), and its checks do catch a lost or altered write, so that a clean verdict in
 * a cluster test means something.
 */
class WorkloadIT {

    @Test
    void theAccountsMatchANodeKilledAndRestartedUnderLoadAndCatchWhatIsLost() {
        try (ServerProcess node = ServerProcess.start(Map.of("hyperkv.appendfsync", "always"))) {
            Workload.Shape shape = new Workload.Shape(3, 2, 2, 4, 200, Duration.ofSeconds(2));
            Workload workload = Workload.start("wl", shape, List.of(node.respPort()));
            try (workload) {
                await().atMost(Duration.ofSeconds(60)).until(() -> workload.ackedThrough(0) >= 500);
                node.kill();
                node.restart();
                long before = workload.ackedThrough(0);
                await().atMost(Duration.ofSeconds(60)).until(() -> workload.ackedThrough(0) >= before + 500);
            }
            System.out.println("workload against one node: " + workload.summary());
            try (Jedis jedis = new Jedis("127.0.0.1", node.respPort())) {
                assertThat(workload.violations(jedis)).isEmpty();
                assertThat(workload.failures().keySet()).as("only the kill may fail writes")
                        .allMatch(why -> why.endsWith("Exception"));

                // Each check fails when the data contradicts it.
                jedis.set(workload.counterKey(0), "-1");
                jedis.srem(workload.setKey(), "w0:1"); // writer 0's first SADD, acknowledged in the first second
                jedis.sadd(workload.setKey(), "never-added");
                jedis.set(workload.ownKey(0, 1), "0");
                jedis.set(workload.sharedKey(0), "never-written");
                List<String> caught = workload.violations(jedis);
                assertThat(caught).hasSize(5);
                assertThat(caught.get(0)).startsWith("wl:counter:0 = ");
                assertThat(caught).anyMatch(v -> v.contains("lacks 1 of"))
                        .anyMatch(v -> v.contains("holds 1 members nobody added"))
                        .anyMatch(v -> v.startsWith("wl:seq:0:1 = 0; expected"))
                        .anyMatch(v -> v.startsWith("wl:shared:0 = never-written"));
            }
        }
    }
}
