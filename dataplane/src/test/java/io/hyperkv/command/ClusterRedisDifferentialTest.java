package io.hyperkv.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyperkv.cluster.ClusterNode;
import io.hyperkv.cluster.NodeId;
import io.hyperkv.cluster.NodeState;
import io.hyperkv.cluster.SlotRange;
import io.hyperkv.cluster.Topology;
import io.hyperkv.store.KeySlot;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same CLUSTER commands to a one-node redis-server 7 cluster (all slots on itself, config epoch bumped to 1) and
 * to HyperKV holding the equivalent one-node topology, over the same keys: KEYSLOT of keys with and without hash tags
 * (odd braces included), COUNTKEYSINSLOT of every slot written and of empty ones, GETKEYSINSLOT (as sets: Redis's
 * order is its hash table's), the error words, and the SLOTS/SHARDS/NODES replies once Redis's node id is replaced by
 * HyperKV's (Redis ids are 160 random bits, HyperKV's 64).
 */
class ClusterRedisDifferentialTest {

    @TempDir
    Path dir;

    @Test
    void clusterCommandsAnswerAsAOneNodeRedisCluster() throws Exception {
        try (RedisServerProcess redis = new RedisServerProcess(List.of("--cluster-enabled", "yes",
                "--cluster-config-file", "nodes.conf", "--cluster-announce-ip", "127.0.0.1"));
                RespClient reference = new RespClient(redis.port)) {
            assertThat(reference.call(List.of("CLUSTER", "ADDSLOTSRANGE", "0", "16383"))).isEqualTo("+OK");
            assertThat(reference.call(List.of("CLUSTER", "BUMPEPOCH"))).isEqualTo("+BUMPED 1");
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() ->
                    reference.call(List.of("CLUSTER", "INFO")).contains("cluster_state:ok"));
            String redisId = reference.call(List.of("CLUSTER", "MYID")).replace("\"", "");
            NodeId self = new NodeId(0x5eed);
            Topology one = Topology.of(1, 1, List.of(new ClusterNode(self, "127.0.0.1", redis.port, redis.port + 10000,
                    NodeState.UP)), List.of(new SlotRange(0, Topology.SLOTS - 1, List.of(self))));
            try (CommandHarness h = new CommandHarness(dir, Notifier.NONE, new TestClusterView(self, one))) {
                List<String> keys = keys(new Random(5));
                for (String key : keys) {
                    List<String> cmd = List.of("CLUSTER", "KEYSLOT", key);
                    assertThat(h.show(cmd.toArray(String[]::new))).as(key).isEqualTo(reference.call(cmd));
                    List<String> set = List.of("SET", key, "v");
                    assertThat(h.show(set.toArray(String[]::new))).isEqualTo(reference.call(set));
                }
                Set<Integer> slots = new TreeSet<>(List.of(0, 1, 16383));
                keys.forEach(k -> slots.add(KeySlot.of(k.getBytes(StandardCharsets.UTF_8))));
                for (int slot : slots) {
                    same(h, reference, "CLUSTER", "COUNTKEYSINSLOT", Integer.toString(slot));
                    List<String> get = List.of("CLUSTER", "GETKEYSINSLOT", Integer.toString(slot), "1000");
                    assertThat(members(h.show(get.toArray(String[]::new)))).as(get.toString())
                            .isEqualTo(members(reference.call(get)));
                }
                for (String[] c : new String[][] {{"CLUSTER", "COUNTKEYSINSLOT", "16384"},
                    {"CLUSTER", "COUNTKEYSINSLOT", "-1"}, {"CLUSTER", "COUNTKEYSINSLOT", "abc"},
                    {"CLUSTER", "GETKEYSINSLOT", "1", "-1"}, {"CLUSTER", "GETKEYSINSLOT", "16384", "1"},
                    {"CLUSTER", "GETKEYSINSLOT", "x", "1"}, {"CLUSTER", "GETKEYSINSLOT", "1", "y"},
                    {"CLUSTER", "KEYSLOT"}, {"CLUSTER", "KEYSLOT", "a", "b"}, {"CLUSTER", "MYID", "x"},
                    {"CLUSTER", "INFO", "x"}, {"CLUSTER", "NOSUCH"}, {"CLUSTER"}, {"READONLY"}, {"READWRITE"},
                    {"READONLY", "x"}}) {
                    same(h, reference, c);
                }
                for (String sub : List.of("SLOTS", "SHARDS", "NODES")) {
                    assertThat(h.show("CLUSTER", sub)).as("CLUSTER " + sub)
                            .isEqualTo(reference.call(List.of("CLUSTER", sub)).replace(redisId, self.hex()));
                }
                String info = h.show("CLUSTER", "INFO");
                for (String field : reference.call(List.of("CLUSTER", "INFO")).replace("\"", "").split("\r\n")) {
                    if (!field.startsWith("cluster_stats_") && !field.startsWith("total_cluster_links")) {
                        assertThat(info).as("CLUSTER INFO has Redis's " + field).contains(field + "\r\n");
                    }
                }
            }
        }
    }

    private static void same(CommandHarness h, RespClient reference, String... command) throws Exception {
        assertThat(h.show(command)).as(String.join(" ", command)).isEqualTo(reference.call(List.of(command)));
    }

    /** The items of a rendered flat array of bulk strings (none of the test keys contains ", "). */
    private static Set<String> members(String rendered) {
        String inner = rendered.substring(1, rendered.length() - 1);
        return inner.isEmpty() ? Set.of() : new HashSet<>(List.of(inner.split(", ")));
    }

    /** Plain keys, keys sharing hash tags, and keys whose braces do or do not make a tag. */
    private static List<String> keys(Random random) {
        List<String> keys = new ArrayList<>(List.of("foo", "{foo}bar", "x{foo}{bar}", "{}foo", "{{x}}", "}{x}",
                "a{}b{c}", "{", "}", "{a", "tag{}", "{user1000}.following", "{user1000}.followers", "\u00e9t\u00e9"));
        for (int i = 0; i < 300; i++) {
            keys.add(switch (random.nextInt(3)) {
                case 0 -> "key:" + random.nextInt(1_000_000);
                case 1 -> "{tag" + random.nextInt(7) + "}:" + i;
                default -> Long.toHexString(random.nextLong()) + "{" + random.nextInt(3) + "}";
            });
        }
        return keys;
    }
}
