package io.hyperkv.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * Three real nodes, N = 3, W = quorum, under concurrent writers through every node ({@link Workload}) while one node
 * suffers a fault: SIGKILL and restart, SIGSTOP for 20 s, or a complete cut of its bus for 30 s. During the fault the
 * two others keep acknowledging writes (a quorum of 2 is still there) and see the victim DOWN; a node cut off
 * acknowledges nothing once it sees its peers DOWN (it has no quorum). After healing, the victim serves again, every
 * replica's {@code DEBUG DIGEST} becomes equal (the time it took is printed: the measured bound), and on every replica
 * no acknowledged write is lost: each counter is its acknowledged INCRs plus at most the unacknowledged ones, every
 * acknowledged SADD member is there, every writer's own key holds its last acknowledged value or a later one sent,
 * and each shared key holds the same value on every replica, one of those written.
 */
class ClusterFaultIT {

    private static final int VICTIM = 2;
    /** W = quorum, writes durable before their reply, and anti-entropy rounds every 5 s instead of 30 s. */
    private static final Map<String, String> SETTINGS = Map.of(
            "hyperkv.cluster.write-consistency", "quorum",
            "hyperkv.appendfsync", "always",
            "hyperkv.cluster.anti-entropy-interval", "5s");
    /** Acknowledged writes each node must add before the fault, the survivors during it, every node after healing. */
    private static final long PROGRESS = 100;
    private static final Duration PROGRESS_TIMEOUT = Duration.ofSeconds(60);
    /** The failure detector's DOWN delay (BusConfig.defaults) plus room for a loaded machine. */
    private static final Duration DOWN_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration CONVERGENCE_BOUND = Duration.ofSeconds(120);
    /** HintedHandoff's per-peer counter of hints a peer acknowledged, as Prometheus names it. */
    private static final String HINTS_DELIVERED = "hyperkv_hints_delivered_total";
    /** Anti-entropy's counter of differing keys whose state it exchanged with a co-owner. */
    private static final String KEYS_REPAIRED = "hyperkv_anti_entropy_keys_repaired_total";

    @Test
    void aKilledAndRestartedNodeCatchesUpAndNoAcknowledgedWriteIsLost() {
        underLoad("kill", (cluster, load) -> {
            cluster.harness().kill(VICTIM);
            survivorsKeepWriting(cluster, load, Duration.ofSeconds(10));
            cluster.harness().restart(VICTIM);
        });
    }

    @Test
    void aNodeStoppedFor20SecondsCatchesUpAndNoAcknowledgedWriteIsLost() {
        underLoad("pause", (cluster, load) -> {
            cluster.harness().pause(VICTIM);
            survivorsKeepWriting(cluster, load, Duration.ofSeconds(20));
            cluster.harness().resume(VICTIM);
        });
    }

    @Test
    void aNodeCutOffFor30SecondsCatchesUpAndNoAcknowledgedWriteIsLost() {
        underLoad("partition", (cluster, load) -> {
            int[] downs = {cluster.downsSeen(VICTIM, 0), cluster.downsSeen(VICTIM, 1)};
            long start = System.nanoTime();
            cluster.isolate(VICTIM);
            await("the cut-off node to see both peers DOWN").atMost(DOWN_TIMEOUT).until(() ->
                    cluster.downsSeen(VICTIM, 0) > downs[0] && cluster.downsSeen(VICTIM, 1) > downs[1]);
            long ackedAlone = load.ackedThrough(VICTIM);
            survivorsKeepWriting(cluster, load, Duration.ofSeconds(30).minusNanos(System.nanoTime() - start));
            assertThat(load.ackedThrough(VICTIM)).as("writes acknowledged by a node without a quorum")
                    .isEqualTo(ackedAlone);
            cluster.heal();
        });
    }

    /** What happens to the victim under load, from the fault to the end of the healing action. */
    @FunctionalInterface
    private interface Fault {
        void inject(FaultCluster cluster, Workload load);
    }

    /**
     * The common choreography: form, load, fault, heal, progress through every node, stop the load, repair, converge,
     * check every replica.
     */
    private static void underLoad(String name, Fault fault) {
        try (FaultCluster cluster = FaultCluster.start(3, SETTINGS);
                CounterRate hints = CounterRate.start(cluster, HINTS_DELIVERED);
                CounterRate repairs = CounterRate.start(cluster, KEYS_REPAIRED)) {
            Workload load = Workload.start(name, Workload.Shape.standard(), cluster.respPorts());
            long healedAt;
            try (load) {
                awaitProgressThroughEveryNode(load);
                fault.inject(cluster, load);
                healedAt = System.nanoTime();
                awaitProgressThroughEveryNode(load);
            }
            long stoppedAt = System.nanoTime();
            System.out.printf("fault %s: workload %s%n", name, load.summary());
            boolean asked = cluster.repair();
            Duration polled = cluster.awaitEqualDigests(CONVERGENCE_BOUND);
            long now = System.nanoTime();
            System.out.printf("fault %s: every DEBUG DIGEST equal %d ms after the writers stopped (%d ms of polling),"
                    + " %d ms after healing; POST /v1/repair %s%n", name, (now - stoppedAt) / 1_000_000,
                    polled.toMillis(), (now - healedAt) / 1_000_000,
                    asked ? "asked on every node" : "absent: hints and scheduled anti-entropy only");
            System.out.printf("fault %s: %s; %s%n", name, hints.describe(), repairs.describe());
            for (int i = 0; i < cluster.size(); i++) {
                for (String line : cluster.logLines(i, "handed off")) {
                    System.out.printf("fault %s: node %d %s%n", name, i, line.substring(line.indexOf("handed off")));
                }
            }
            List<Map<String, String>> shared = new ArrayList<>();
            for (int i = 0; i < cluster.size(); i++) {
                try (Jedis jedis = cluster.jedis(i)) {
                    assertThat(load.violations(jedis)).as("node %d after %s", i, name).isEmpty();
                    shared.add(load.sharedValues(jedis));
                }
            }
            assertThat(shared).as("shared keys on every replica").allMatch(shared.get(0)::equals);
        }
    }

    /**
     * Holds the fault for at least {@code duration}, while the two other nodes keep acknowledging writes, and, once it
     * lasted past the failure detector's DOWN delay, until both see the victim DOWN.
     */
    private static void survivorsKeepWriting(FaultCluster cluster, Workload load, Duration duration) {
        long start = System.nanoTime();
        long[] before = {load.ackedThrough(0), load.ackedThrough(1)};
        await("the survivors to keep writing for " + duration).atMost(duration.plus(PROGRESS_TIMEOUT))
                .pollInterval(Duration.ofMillis(250)).until(() ->
                        System.nanoTime() - start >= duration.toNanos()
                                && load.ackedThrough(0) >= before[0] + PROGRESS
                                && load.ackedThrough(1) >= before[1] + PROGRESS);
        await("the survivors to see node " + VICTIM + " DOWN").atMost(DOWN_TIMEOUT)
                .until(() -> cluster.downsSeen(0, VICTIM) > 0 && cluster.downsSeen(1, VICTIM) > 0);
    }

    private static void awaitProgressThroughEveryNode(Workload load) {
        long[] before = {load.ackedThrough(0), load.ackedThrough(1), load.ackedThrough(2)};
        await("writes through every node to be acknowledged").atMost(PROGRESS_TIMEOUT)
                .pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
                    for (int i = 0; i < before.length; i++) {
                        assertThat(load.ackedThrough(i)).as("acknowledged through node %d", i)
                                .isGreaterThanOrEqualTo(before[i] + PROGRESS);
                    }
                });
    }
}
