package io.hyperkv.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.hyperkv.cluster.ClusterNode;
import io.hyperkv.cluster.NodeId;
import io.hyperkv.cluster.NodeState;
import io.hyperkv.cluster.Placement;
import io.hyperkv.cluster.SyncStatus;
import io.hyperkv.cluster.Topology;
import io.hyperkv.cluster.TopologyCodec;
import io.hyperkv.cluster.Transition;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * Five real nodes with N = 3 scale out to six and back to five while writers keep writing through the five, the
 * topology driven as the operator drives it: the target from {@link Placement}, each step from {@link Transition}
 * (add owners, wait until they report the slot in sync in {@code GET /v1/node}, then drop the old owners) installed
 * with {@code PUT /v1/topology} on every node. Slots move to the sixth node and back; at the end no acknowledged
 * write is lost ({@link Workload}'s checks through every node).
 */
class ClusterScaleIT {

    private static final int FIRST = 5;
    private static final int N = 3;
    private static final Duration STEP_TIMEOUT = Duration.ofSeconds(120);
    private static final long PROGRESS = 100;

    @Test
    void fiveNodesScaleOutToSixAndBackUnderLoadWithoutLosingAcknowledgedWrites() {
        List<Integer> busPorts = ClusterHarness.freePortList(FIRST + 1);
        String firstFive = String.join(",", busPorts.subList(0, FIRST).stream().map(p -> "127.0.0.1:" + p).toList());
        // The sixth node is started with the first five as its static peers: it adopts their topology, owning nothing.
        try (ClusterHarness cluster = ClusterHarness.start(FIRST + 1,
                Map.of("hyperkv.cluster.peers", firstFive, "hyperkv.cluster.replication-factor", Integer.toString(N),
                        "hyperkv.cluster.write-consistency", "quorum", "hyperkv.cluster.anti-entropy-interval", "5s"),
                i -> Map.of("hyperkv.cluster.bus-port", Integer.toString(busPorts.get(i))))) {
            List<ClusterNode> nodes = new ArrayList<>();
            for (int i = 0; i <= FIRST; i++) {
                String id = report(cluster, i).get("nodeId").asText();
                nodes.add(new ClusterNode(NodeId.parse(id), "127.0.0.1", cluster.respPort(i), busPorts.get(i),
                        NodeState.UP));
            }
            List<ClusterNode> five = sorted(nodes.subList(0, FIRST));
            List<ClusterNode> six = sorted(nodes);
            // Epoch 1 as the static bootstrap computes it from the five's peer list.
            Topology current = Placement.standard().topology(1, five, N);
            await("all six nodes to hold epoch 1").atMost(STEP_TIMEOUT).untilAsserted(() -> {
                for (int i = 0; i <= FIRST; i++) {
                    assertThat(report(cluster, i).get("epoch").asLong()).as("epoch on node %d", i).isEqualTo(1);
                }
            });
            install(cluster, current);
            assertThat(report(cluster, FIRST).get("slots")).as("the sixth node before scaling out").isEmpty();

            Workload load = Workload.start("scale", Workload.Shape.standard(),
                    IntStream.range(0, FIRST).mapToObj(cluster::respPort).toList());
            try (load) {
                awaitProgress(load);
                Topology out = Placement.standard().topology(current.epoch() + 1, six, N);
                int moved = Transition.between(current, out).replicasToAdd();
                assertThat(moved).as("slot replicas the sixth node takes").isPositive();
                current = drive(cluster, current, out);
                awaitProgress(load);
                JsonNode sixth = report(cluster, FIRST);
                assertThat(sixth.get("slots")).as("slots of the sixth node after scaling out").isNotEmpty();
                assertThat(sixth.get("keys").asLong()).as("keys streamed to the sixth node").isPositive();
                System.out.printf("scale: 5 -> 6 at epoch %d, %d slot replicas added; the sixth node holds %d keys%n",
                        current.epoch(), moved, sixth.get("keys").asLong());

                Topology back = Placement.standard().topology(current.epoch() + 1, five, N);
                current = drive(cluster, current, back);
                awaitProgress(load);
                assertThat(current.hasNode(nodes.get(FIRST).id())).as("the sixth node is still a member").isFalse();
                System.out.printf("scale: 6 -> 5 at epoch %d; the sixth node now reports %s keys%n", current.epoch(),
                        report(cluster, FIRST).get("keys"));
            }
            System.out.println("scale: workload " + load.summary());
            awaitInSync(cluster, current);
            Map<Integer, List<String>> violations = new TreeMap<>();
            for (int i = 0; i < FIRST; i++) {
                try (Jedis jedis = new Jedis("127.0.0.1", cluster.respPort(i), 10_000)) {
                    List<String> found = load.violations(jedis);
                    if (!found.isEmpty()) {
                        violations.put(i, found);
                    }
                }
            }
            assertThat(violations).as("what contradicts the acknowledged writes, read through each node").isEmpty();
        }
    }

    /**
     * Steps from {@code current} to {@code target} as the operator does: each {@link Transition#next} that changes
     * something is checked with {@link Transition#requireSafe} and installed on every node; between steps it waits
     * until the nodes' reported sync state lets the next step change something. Returns the topology in force at the
     * end, whose content is the target's.
     */
    private static Topology drive(ClusterHarness cluster, Topology current, Topology target) {
        Topology inForce = current;
        while (!Transition.between(inForce, target).isComplete()) {
            Topology from = inForce;
            Topology[] next = new Topology[1];
            await("a step from epoch " + from.epoch() + " towards the target").atMost(STEP_TIMEOUT)
                    .pollInterval(Duration.ofMillis(500)).until(() -> {
                        SyncStatus sync = syncStatus(cluster);
                        Topology candidate = Transition.between(from, target).next(from.epoch() + 1, sync);
                        if (candidate.sameContent(from)) {
                            return false;
                        }
                        Transition.requireSafe(from, candidate, sync);
                        next[0] = candidate;
                        return true;
                    });
            install(cluster, next[0]);
            inForce = next[0];
        }
        return inForce;
    }

    /** PUT on every node (the new node too, so it learns at once); each must take it or already hold it. */
    private static void install(ClusterHarness cluster, Topology topology) {
        String document = TopologyCodec.encodeToString(topology);
        for (int i = 0; i < cluster.size(); i++) {
            JsonNode answer = FaultCluster.json(cluster.admin(i, "PUT", "/v1/topology", document));
            assertThat(answer.get("outcome").asText()).as("install epoch %d on node %d", topology.epoch(), i)
                    .isIn("installed", "already-in-force");
        }
    }

    /**
     * What the nodes report about their slots ({@code slots[].inSync} of {@code GET /v1/node}): a node is in sync for
     * a slot only when a range it owns says {@code "inSync": true}. A report without the field fails the test: the
     * scale-in would otherwise drop owners on an unknown state.
     */
    private static SyncStatus syncStatus(ClusterHarness cluster) {
        Map<NodeId, JsonNode> reports = new HashMap<>();
        for (int i = 0; i < cluster.size(); i++) {
            JsonNode r = report(cluster, i);
            for (JsonNode range : r.get("slots")) {
                assertThat(range.has("inSync")).as("node %d reports inSync for its slot range %s (GET /v1/node's"
                        + " anti-entropy state)", i, range).isTrue();
            }
            reports.put(NodeId.parse(r.get("nodeId").asText()), r);
        }
        return (node, slot) -> {
            JsonNode r = reports.get(node);
            if (r == null) {
                return false;
            }
            for (JsonNode range : r.get("slots")) {
                if (range.get("start").asInt() <= slot && slot <= range.get("end").asInt()) {
                    return range.get("inSync").asBoolean();
                }
            }
            return false;
        };
    }

    private static void awaitInSync(ClusterHarness cluster, Topology topology) {
        await("every owner to report its slots in sync").atMost(STEP_TIMEOUT).pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    SyncStatus sync = syncStatus(cluster);
                    return IntStream.range(0, Topology.SLOTS).allMatch(
                            slot -> topology.ownersOf(slot).stream().allMatch(n -> sync.inSync(n, slot)));
                });
    }

    /**
     * Node {@code i}'s {@code GET /v1/node}, asked again while it does not answer in time (six JVMs starting or
     * streaming slots on a small machine can be slow to serve it).
     */
    private static JsonNode report(ClusterHarness cluster, int i) {
        JsonNode[] report = new JsonNode[1];
        await("GET /v1/node on node " + i).atMost(Duration.ofSeconds(60)).ignoreException(UncheckedIOException.class)
                .until(() -> {
                    report[0] = FaultCluster.json(cluster.admin(i, "GET", "/v1/node", null));
                    return true;
                });
        return report[0];
    }

    private static void awaitProgress(Workload load) {
        long[] before = IntStream.range(0, FIRST).mapToLong(load::ackedThrough).toArray();
        await("writes through every node to be acknowledged").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
                    for (int i = 0; i < FIRST; i++) {
                        assertThat(load.ackedThrough(i)).as("acknowledged through node %d", i)
                                .isGreaterThanOrEqualTo(before[i] + PROGRESS);
                    }
                });
    }

    private static List<ClusterNode> sorted(List<ClusterNode> nodes) {
        return nodes.stream().sorted(Comparator.comparing(ClusterNode::id)).toList();
    }
}
