package io.hyperkv.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hyperkv.cluster.ClusterNode;
import io.hyperkv.cluster.NodeId;
import io.hyperkv.cluster.NodeState;
import io.hyperkv.cluster.Placement;
import io.hyperkv.cluster.SyncStatus;
import io.hyperkv.cluster.Topology;
import io.hyperkv.cluster.TopologyCodec;
import io.hyperkv.cluster.Transition;
import io.hyperkv.store.KeySlot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.commands.ProtocolCommand;

/**
 * Anti-entropy between real server processes: a node whose bus is black-holed while clients write through it and
 * through the others converges with them after the cut heals ({@code POST /v1/repair}, equal {@code DEBUG DIGEST});
 * a fourth node added to a three-node N=3 cluster by the operator's "add, sync, drop" steps receives its slots,
 * reports them in sync, and the old owners drop what they no longer own. Scheduled rounds are an hour apart, so what
 * converges here is the repair, the rounds a returning peer starts and the rounds a topology change starts.
 */
class AntiEntropyIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ProtocolCommand DEBUG = () -> "DEBUG".getBytes(StandardCharsets.US_ASCII);
    private static final Map<String, String> HOURLY_ROUNDS = Map.of("hyperkv.cluster.anti-entropy-interval", "1h");
    private static final Duration CONVERGE = Duration.ofSeconds(90);

    @Test
    void aNodeCutOffDuringWritesConvergesWithTheOthersAfterTheCutHealsAndARepair() throws Exception {
        List<Integer> busPorts = ClusterHarness.freePortList(3);
        try (BusProxy proxy = BusProxy.start(busPorts.get(2))) {
            try (ClusterHarness cluster = behindProxy(busPorts, proxy, Map.of())) {
                String seen = seenThroughProxy(cluster, proxy);

                Set<String> written = ConcurrentHashMap.newKeySet();
                AtomicBoolean writing = new AtomicBoolean(true);
                Thread writer = new Thread(() -> writeUntilStopped(cluster, writing, written), "writer");
                writer.start();
                try {
                    await().atMost(CONVERGE).until(() -> written.size() >= 50);
                    proxy.mode(BusProxy.Mode.BLACKHOLE);
                    await().atMost(CONVERGE).until(() -> cluster.node(0).log().contains(seen + "DOWN"));
                    try (Jedis c = new Jedis("127.0.0.1", cluster.respPort(0))) {
                        assertThat(c.set("cut:conflict", "written first on node 0")).isEqualTo("OK");
                    }
                    int atCut = written.size();
                    await().atMost(CONVERGE).until(() -> written.size() >= atCut + 200);
                    proxy.mode(BusProxy.Mode.PASS);
                    await().atMost(CONVERGE).until(() -> count(cluster.node(0).log(), seen + "UP") >= 2);
                    int atHeal = written.size();
                    await().atMost(CONVERGE).until(() -> written.size() >= atHeal + 50);
                } finally {
                    writing.set(false);
                    writer.join(30_000);
                }
                try (Jedis c = new Jedis("127.0.0.1", cluster.respPort(2))) {
                    assertThat(c.set("cut:conflict", "written last on node 2")).isEqualTo("OK");
                }

                await().atMost(CONVERGE).untilAsserted(() -> {
                    for (int i = 0; i < 3; i++) {
                        repair(cluster, i);
                    }
                    List<String> digests = new ArrayList<>();
                    for (int i = 0; i < 3; i++) {
                        digests.add(debugDigest(cluster, i));
                    }
                    assertThat(digests).as("DEBUG DIGEST of nodes 0, 1, 2").containsOnly(digests.get(0));
                });
                assertThat(debugDigest(cluster, 0)).isNotEqualTo("0".repeat(40));
                for (int i = 0; i < 3; i++) {
                    try (Jedis c = new Jedis("127.0.0.1", cluster.respPort(i))) {
                        assertThat(c.dbSize()).as("node " + i).isEqualTo(written.size() + 1);
                        assertThat(c.get("cut:conflict")).isEqualTo("written last on node 2");
                    }
                    JsonNode ae = node(cluster, i).get("antiEntropy");
                    assertThat(ae.get("rounds").asLong()).isPositive();
                    assertThat(ae.get("slotsOutOfSync").asInt()).isZero();
                }
            }
        }
    }

    /** The bound of one anti-entropy state message on a node (its REPAIR_ANSWER_BYTES, 4 MiB). */
    private static final long MESSAGE_BOUND = 4L * 1024 * 1024;

    @Test
    void aReplicaThatMissedABigSetAndASlotOfManyKeyPagesConvergesThroughBoundedMessages() throws Exception {
        List<Integer> busPorts = ClusterHarness.freePortList(3);
        try (BusProxy proxy = BusProxy.start(busPorts.get(2))) {
            Map<String, String> noHints = Map.of("hyperkv.cluster.hints.max-bytes", "1"); // only anti-entropy repairs
            try (ClusterHarness cluster = behindProxy(busPorts, proxy, noHints)) {
                String seen = seenThroughProxy(cluster, proxy);
                proxy.mode(BusProxy.Mode.BLACKHOLE);
                await().atMost(CONVERGE).until(() -> cluster.node(0).log().contains(seen + "DOWN")
                        && cluster.node(1).log().contains(seen + "DOWN"));

                int members = 100_000;
                int slotKeys = 2_500; // one slot, 1 000 key hashes a page
                try (Jedis c = new Jedis("127.0.0.1", cluster.respPort(0), 60_000)) {
                    var p = c.pipelined();
                    for (int m = 0; m < members; m += 1000) {
                        if (m % 20_000 == 0) {
                            p.sync(); // a few MB in flight at most: the replies of a loaded machine come slowly
                        }
                        String[] batch = new String[Math.min(1000, members - m)];
                        for (int j = 0; j < batch.length; j++) {
                            batch[j] = String.format("member:%09d", m + j);
                        }
                        p.sadd("big", batch);
                    }
                    for (int k = 0; k < slotKeys; k++) {
                        p.set("{one-slot}:" + k, "v" + k);
                    }
                    p.sync();
                    assertThat(c.scard("big")).isEqualTo(members);
                }
                try (Jedis c = new Jedis("127.0.0.1", cluster.respPort(2))) {
                    assertThat(c.exists("big")).isFalse();
                }
                proxy.mode(BusProxy.Mode.PASS);
                await().atMost(CONVERGE).until(() -> count(cluster.node(0).log(), seen + "UP") >= 2);

                await().atMost(CONVERGE).untilAsserted(() -> {
                    repair(cluster, 0);
                    List<String> digests = new ArrayList<>();
                    for (int i = 0; i < 3; i++) {
                        digests.add(debugDigest(cluster, i));
                    }
                    assertThat(digests).as("DEBUG DIGEST of nodes 0, 1, 2").containsOnly(digests.get(0));
                });
                try (Jedis c = new Jedis("127.0.0.1", cluster.respPort(2), 60_000)) {
                    assertThat(c.scard("big")).isEqualTo(members);
                    assertThat(c.sismember("big", "member:000099999")).isTrue();
                    assertThat(c.dbSize()).isEqualTo(slotKeys + 1);
                    assertThat(c.get("{one-slot}:2499")).isEqualTo("v2499");
                }
                double parts = 0;
                for (int i = 0; i < 3; i++) {
                    double largest = meter(cluster, i, "hyperkv_anti_entropy_message_bytes_max");
                    assertThat(largest).as("largest anti-entropy message of node " + i)
                            .isLessThanOrEqualTo(MESSAGE_BOUND + 64 * 1024);
                    parts += meter(cluster, i, "hyperkv_anti_entropy_parts_total");
                }
                // 100 000 rows travel in parts of at most 8 192 rows: a whole-state message would have been one
                assertThat(parts).isGreaterThanOrEqualTo(members / 8192);
            }
        }
    }

    private static double meter(ClusterHarness cluster, int i, String name) {
        HttpResponse<String> r = cluster.admin(i, "GET", "/q/metrics", null);
        assertThat(r.statusCode()).as("GET /q/metrics on node %d", i).isEqualTo(200);
        for (String line : r.body().split("\n")) {
            if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        throw new AssertionError("no " + name + " on node " + i);
    }

    /**
     * Three nodes, rounds an hour apart, plus {@code extra} settings; the others reach node 2 only through
     * {@code proxy}, where it is listed. Returns once the topology is in force everywhere.
     */
    private static ClusterHarness behindProxy(List<Integer> busPorts, BusProxy proxy, Map<String, String> extra) {
        String peers = "127.0.0.1:" + busPorts.get(0) + ",127.0.0.1:" + busPorts.get(1) + ",127.0.0.1:"
                + proxy.port();
        Map<String, String> common = new HashMap<>(HOURLY_ROUNDS);
        common.putAll(extra);
        common.put("hyperkv.cluster.peers", peers);
        ClusterHarness cluster = ClusterHarness.start(3, common,
                i -> Map.of("hyperkv.cluster.bus-port", Integer.toString(busPorts.get(i))));
        try {
            awaitEpoch(cluster, 3, 1);
            return cluster;
        } catch (RuntimeException | Error e) {
            cluster.close();
            throw e;
        }
    }

    /** The start of node 0's log line about node 2's state through the proxy, once node 0 saw it UP. */
    private static String seenThroughProxy(ClusterHarness cluster, BusProxy proxy) {
        String id2 = node(cluster, 2).get("nodeId").asText();
        String seen = "bus peer 127.0.0.1:" + proxy.port() + " (node " + id2 + ") is now ";
        await().atMost(CONVERGE).until(() -> cluster.node(0).log().contains(seen + "UP"));
        return seen;
    }

    /** Writes distinct keys round-robin through the three nodes' RESP ports (which the proxy does not touch). */
    private static void writeUntilStopped(ClusterHarness cluster, AtomicBoolean writing, Set<String> written) {
        List<Jedis> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                clients.add(new Jedis("127.0.0.1", cluster.respPort(i)));
            }
            for (int n = 0; writing.get(); n++) {
                String key = "cut:" + n;
                if ("OK".equals(clients.get(n % 3).set(key, "value " + n + " via node " + n % 3))) {
                    written.add(key);
                }
            }
        } finally {
            clients.forEach(Jedis::close);
        }
    }

    @Test
    void aFourthNodeAddedToAThreeNodeClusterReceivesItsSlotsReportsThemInSyncAndTheOldOwnersDropTheirs()
            throws Exception {
        int[] busPorts = ClusterHarness.freePortList(4).stream().mapToInt(Integer::intValue).toArray();
        String firstThree = "127.0.0.1:" + busPorts[0] + ",127.0.0.1:" + busPorts[1] + ",127.0.0.1:" + busPorts[2];
        // Nodes 0..2 form the cluster (N=3) from their list. Node 3 is not on it: it never bootstraps one of its own,
        // adopts theirs through gossip and owns nothing yet.
        try (ClusterHarness cluster = ClusterHarness.start(4, HOURLY_ROUNDS, i -> Map.of(
                "hyperkv.cluster.bus-port", Integer.toString(busPorts[i]),
                "hyperkv.cluster.peers", firstThree))) {
            awaitEpoch(cluster, 4, 1);
            List<ClusterNode> members = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                members.add(new ClusterNode(NodeId.parse(node(cluster, i).get("nodeId").asText()), "127.0.0.1",
                        cluster.respPort(i), busPorts[i], NodeState.UP));
            }
            // Epoch 1 as StaticBootstrap made it on every node.
            Topology one = Placement.standard().topology(1, members.subList(0, 3), 3);
            assertThat(node(cluster, 0).get("slots").get(0).get("end").asInt())
                    .isEqualTo(one.spansOwnedBy(members.get(0).id()).get(0).last());
            assertThat(node(cluster, 3).get("slots")).isEmpty();
            List<String> keys = new ArrayList<>();
            try (Jedis c = new Jedis("127.0.0.1", cluster.respPort(0))) {
                for (int i = 0; i < 600; i++) {
                    keys.add("join:" + i);
                    assertThat(c.set("join:" + i, "v" + i)).isEqualTo("OK");
                }
            }
            for (int i = 1; i < 3; i++) {
                repair(cluster, i);
            }

            NodeId fourth = members.get(3).id();
            Topology target = Placement.standard().topology(100, members, 3);
            Topology two = Transition.between(one, target).next(2, sync(cluster, one));
            install(cluster, two);
            assertThat(two.spansOwnedBy(fourth)).isNotEmpty();

            await().atMost(CONVERGE).untilAsserted(() -> {
                JsonNode n = node(cluster, 3);
                assertThat(n.get("epoch").asLong()).isEqualTo(2);
                assertThat(n.get("antiEntropy").get("slotsOutOfSync").asInt()).isZero();
                for (JsonNode run : n.get("slots")) {
                    assertThat(run.get("inSync").asBoolean()).as(run.toString()).isTrue();
                    assertThat(run.get("lastRound").asText()).isNotBlank();
                }
            });
            Map<String, Boolean> onFourth = new HashMap<>();
            try (Jedis c = new Jedis("127.0.0.1", cluster.respPort(3))) {
                for (String k : keys) {
                    if (target.owns(fourth, KeySlot.of(bytes(k)))) {
                        onFourth.put(k, ("v" + k.substring(5)).equals(c.get(k)));
                    }
                }
            }
            assertThat(onFourth).isNotEmpty().doesNotContainValue(false);

            // Contract once every target owner reports its slots in sync: each slot keeps exactly its target owners.
            await().atMost(CONVERGE).until(() -> Transition.between(two, target).next(3, sync(cluster, two)).ranges()
                    .equals(target.ranges()));
            SyncStatus reported = sync(cluster, two);
            Topology three = Transition.between(two, target).next(3, reported);
            Transition.requireSafe(two, three, reported);
            install(cluster, three);
            await().atMost(CONVERGE).untilAsserted(() -> {
                for (int i = 0; i < 4; i++) {
                    NodeId id = members.get(i).id();
                    long expected = keys.stream().filter(k -> three.owns(id, KeySlot.of(bytes(k)))).count();
                    try (Jedis c = new Jedis("127.0.0.1", cluster.respPort(i))) {
                        assertThat(c.dbSize()).as("keys on node " + i + " under epoch 3").isEqualTo(expected);
                    }
                }
            });
        }
    }

    // ------------------------------------------------------------------------------------------------ helpers

    /** Runs a round on node {@code i} and waits for it to finish. */
    private static void repair(ClusterHarness cluster, int i) {
        HttpResponse<String> r = cluster.admin(i, "POST", "/v1/repair?waitSeconds=8", null);
        if (r.statusCode() == 200) {
            return;
        }
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        long round = json(r.body()).get("round").asLong();
        await().atMost(CONVERGE).until(() -> {
            JsonNode last = node(cluster, i).get("antiEntropy").get("lastRound");
            return last != null && last.get("round").asLong() >= round;
        });
    }

    /** What the nodes report about their slots, as the operator reads it. */
    private static SyncStatus sync(ClusterHarness cluster, Topology t) {
        Map<NodeId, boolean[]> inSync = new HashMap<>();
        for (int i = 0; i < cluster.size(); i++) {
            JsonNode n = node(cluster, i);
            boolean[] slots = new boolean[Topology.SLOTS];
            for (JsonNode run : n.get("slots")) {
                if (run.path("inSync").asBoolean(false)) {
                    for (int s = run.get("start").asInt(); s <= run.get("end").asInt(); s++) {
                        slots[s] = true;
                    }
                }
            }
            inSync.put(NodeId.parse(n.get("nodeId").asText()), slots);
        }
        return (node, slot) -> inSync.containsKey(node) && inSync.get(node)[slot] && t.owns(node, slot);
    }

    private static void install(ClusterHarness cluster, Topology t) {
        for (int i = 0; i < cluster.size(); i++) {
            HttpResponse<String> r = cluster.admin(i, "PUT", "/v1/topology", TopologyCodec.encodeToString(t));
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        }
    }

    private static void awaitEpoch(ClusterHarness cluster, int nodes, long epoch) {
        await().atMost(CONVERGE).untilAsserted(() -> {
            for (int i = 0; i < nodes; i++) {
                assertThat(node(cluster, i).get("epoch").asLong()).as("epoch of node " + i).isEqualTo(epoch);
            }
        });
    }

    private static JsonNode node(ClusterHarness cluster, int i) {
        HttpResponse<String> r = cluster.admin(i, "GET", "/v1/node", null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return json(r.body());
    }

    private static String debugDigest(ClusterHarness cluster, int i) {
        try (Jedis c = new Jedis("127.0.0.1", cluster.respPort(i))) {
            Object reply = c.sendCommand(DEBUG, "DIGEST");
            return reply instanceof byte[] b ? new String(b, StandardCharsets.US_ASCII) : String.valueOf(reply);
        }
    }

    private static JsonNode json(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException(body, e);
        }
    }

    private static int count(String log, String line) {
        int n = 0;
        for (int at = log.indexOf(line); at >= 0; at = log.indexOf(line, at + 1)) {
            n++;
        }
        return n;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

}
