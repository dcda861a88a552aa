package io.hyperkv.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyperkv.cluster.ClusterNode;
import io.hyperkv.cluster.NodeId;
import io.hyperkv.cluster.NodeState;
import io.hyperkv.cluster.PeerAddress;
import io.hyperkv.cluster.SlotRange;
import io.hyperkv.cluster.Topology;
import io.hyperkv.cluster.bus.PeerReport;
import io.hyperkv.cluster.bus.PeerState;
import io.hyperkv.cluster.bus.PeerView;
import io.hyperkv.resp.ByteArrayRespOutput;
import io.hyperkv.resp.Reply;
import io.hyperkv.resp.RespEncoder;
import io.hyperkv.store.Metadata;
import io.hyperkv.store.ValueType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CLUSTER and READONLY/READWRITE over a real store and command table, against a cluster view the test controls: the
 * refusals of a node without cluster support, then Redis 7's reply shapes for a three-node topology where this node
 * leads two runs of slots, one peer is UP and one was never heard from. The expected bytes of the one-node case are
 * redis-server 7.0.15's (captured with {@code --cluster-enabled yes}, ids and ports substituted).
 */
class ClusterCommandsTest {

    private static final NodeId A = new NodeId(0xa1);
    private static final NodeId B = new NodeId(0xb2);
    private static final NodeId C = new NodeId(0xc3);
    private static final long NOW = 1_700_000_000_000L;

    @TempDir
    Path dir;
    private CommandHarness h;
    private final FakeView view = new FakeView();

    /** A cluster view whose topology and peers the test sets. */
    private static final class FakeView implements ClusterView {
        NodeId self = A;
        Topology topology;
        List<PeerView> links = List.of();
        Map<NodeId, Long> hints = Map.of();

        @Override
        public boolean clusterEnabled() {
            return true;
        }

        @Override
        public NodeId nodeId() {
            return self;
        }

        @Override
        public Optional<Topology> topologyInForce() {
            return Optional.ofNullable(topology);
        }

        @Override
        public List<PeerReport> peers() {
            return PeerReport.of(links, topologyInForce(), id -> hints.getOrDefault(id, 0L));
        }
    }

    private CommandHarness open(ClusterView cluster) {
        h = new CommandHarness(dir, Notifier.NONE, cluster);
        h.time.advance(NOW - h.time.getAsLong());
        return h;
    }

    @AfterEach
    void close() {
        if (h != null) {
            h.close();
        }
    }

    private static ClusterNode node(NodeId id, int port) {
        return new ClusterNode(id, "127.0.0.1", port, port + 10000, NodeState.UP);
    }

    /** A leads 0-99 and 8192-16383 (with B), B leads 100-8191 (with C); N=2, epoch 7. */
    private static Topology threeNodes() {
        return Topology.of(7, 2, List.of(node(A, 7001), node(B, 7002), node(C, 7003)), List.of(
                new SlotRange(0, 99, List.of(A, B)),
                new SlotRange(100, 8191, List.of(B, C)),
                new SlotRange(8192, 16383, List.of(A, B))));
    }

    private static PeerView link(int busPort, NodeId id, PeerState state, boolean connected, long silent,
            long bytes, int inFlight, int queued) {
        return new PeerView(new PeerAddress("127.0.0.1", busPort), Optional.ofNullable(id), state, connected, silent,
                7, bytes, inFlight, queued);
    }

    /** B is UP and heard from 5 ms ago with 3 frames outstanding; C's bus was never reached (no id yet). */
    private void threeNodesBUpCNeverHeard() {
        view.topology = threeNodes();
        view.links = List.of(link(17002, B, PeerState.UP, true, 5, 1200, 2, 1),
                link(17003, null, PeerState.DOWN, false, -1, 0, 0, 0));
        view.hints = Map.of(B, 4L);
        open(view);
    }

    private static String resp(Reply reply, int protocol) {
        ByteArrayRespOutput out = new ByteArrayRespOutput(64);
        RespEncoder.encode(reply, protocol, out);
        return new String(out.toByteArray(), StandardCharsets.ISO_8859_1);
    }

    @Test
    void withoutClusterSupportEveryClusterCommandIsRefusedInRedisWords() {
        open(ClusterView.DISABLED);
        String disabled = "-ERR This instance has cluster support disabled";
        for (String[] c : new String[][] {{"CLUSTER", "KEYSLOT", "foo"}, {"CLUSTER", "INFO"}, {"CLUSTER", "HELP"},
            {"CLUSTER", "SLOTS"}, {"CLUSTER", "SHARDS"}, {"CLUSTER", "NODES"}, {"CLUSTER", "MYID"},
            {"CLUSTER", "COUNTKEYSINSLOT", "1"}, {"CLUSTER", "GETKEYSINSLOT", "1", "1"}, {"READONLY"}, {"READWRITE"}}) {
            h.expect(disabled, c);
        }
        h.expect("-ERR unknown subcommand 'FOO'. Try CLUSTER HELP.", "CLUSTER", "FOO");
        h.expect("-ERR wrong number of arguments for 'cluster' command", "CLUSTER");
        h.expect("-ERR wrong number of arguments for 'cluster|keyslot' command", "CLUSTER", "KEYSLOT");
        h.expect("-ERR wrong number of arguments for 'readonly' command", "READONLY", "x");
        assertThat(h.show("INFO", "cluster")).isEqualTo("\"# Cluster\r\ncluster_enabled:0\r\n\"");
        assertThat(h.show("INFO", "replication")).isEqualTo("\"# Replication\r\nrole:master\r\nconnected_slaves:0\r\n\"");
    }

    @Test
    void keyslotIsRedisClusterHashSlotWithHashTags() {
        open(view);
        h.expect(":12182", "CLUSTER", "KEYSLOT", "foo");
        h.expect(":12182", "CLUSTER", "KEYSLOT", "{foo}bar");
        h.expect(":12182", "CLUSTER", "keyslot", "x{foo}{bar}");
        h.expect(":0", "CLUSTER", "KEYSLOT", "");
        h.expect(":9500", "CLUSTER", "KEYSLOT", "{}foo"); // redis-server 7.0.15 says 9500
        h.expect("+OK", "READONLY");
        h.expect("+OK", "READWRITE");
    }

    @Test
    void slotsListEachRunWithItsFirstOwnerAsMasterAndLeaveOutReplicasThatAreDown() {
        threeNodesBUpCNeverHeard();
        String a = "[\"127.0.0.1\", :7001, \"" + A.hex() + "\", []]";
        String b = "[\"127.0.0.1\", :7002, \"" + B.hex() + "\", []]";
        h.expect("[[:0, :99, " + a + ", " + b + "], [:100, :8191, " + b + "], [:8192, :16383, " + a + ", " + b + "]]",
                "CLUSTER", "SLOTS");
    }

    @Test
    void shardsGroupRunsByOwnerListWithRolesAndHealth() {
        threeNodesBUpCNeverHeard();
        h.expect("[[\"slots\", [:0, :99, :8192, :16383], \"nodes\", ["
                + shardNode(A, 7001, "master", "online") + ", " + shardNode(B, 7002, "replica", "online") + "]], "
                + "[\"slots\", [:100, :8191], \"nodes\", ["
                + shardNode(B, 7002, "master", "online") + ", " + shardNode(C, 7003, "replica", "failed") + "]]]",
                "CLUSTER", "SHARDS");
    }

    private static String shardNode(NodeId id, int port, String role, String health) {
        return "[\"id\", \"" + id.hex() + "\", \"port\", :" + port + ", \"ip\", \"127.0.0.1\", \"endpoint\", "
                + "\"127.0.0.1\", \"role\", \"" + role + "\", \"replication-offset\", :0, \"health\", \"" + health + "\"]";
    }

    @Test
    void nodesHasOneLinePerMemberWithTheSlotsItLeads() {
        threeNodesBUpCNeverHeard();
        h.expect("\"" + A.hex() + " 127.0.0.1:7001@17001 myself,master - 0 0 7 connected 0-99 8192-16383\n"
                + B.hex() + " 127.0.0.1:7002@17002 master - 0 " + (NOW - 5) + " 7 connected 100-8191\n"
                + C.hex() + " 127.0.0.1:7003@17003 master,fail - 0 0 7 disconnected\n\"", "CLUSTER", "NODES");
        h.expect("\"" + A.hex() + "\"", "CLUSTER", "MYID");
        view.links = List.of(link(17002, B, PeerState.SUSPECT, false, 3000, 0, 0, 0));
        assertThat(h.show("CLUSTER", "NODES")).contains(B.hex() + " 127.0.0.1:7002@17002 master,fail? - 0 "
                + (NOW - 3000) + " 7 disconnected 100-8191\n");
    }

    @Test
    void infoCountsSlotsByTheBestStateOfTheirOwners() {
        threeNodesBUpCNeverHeard();
        assertThat(h.show("CLUSTER", "INFO")).isEqualTo("\"cluster_state:ok\r\ncluster_slots_assigned:16384\r\n"
                + "cluster_slots_ok:16384\r\ncluster_slots_pfail:0\r\ncluster_slots_fail:0\r\ncluster_known_nodes:3\r\n"
                + "cluster_size:2\r\ncluster_current_epoch:7\r\ncluster_my_epoch:7\r\nhyperkv_replication_factor:2\r\n\"");
        // Seen from C, which owns only 100-8191: first with A and B never heard, then with A suspect.
        view.self = C;
        view.links = List.of();
        assertThat(h.show("CLUSTER", "INFO")).contains("cluster_state:fail\r\n")
                .contains("cluster_slots_ok:8092\r\ncluster_slots_pfail:0\r\ncluster_slots_fail:8292\r\n");
        view.links = List.of(link(17001, A, PeerState.SUSPECT, true, 2500, 0, 0, 0));
        assertThat(h.show("CLUSTER", "INFO")).contains("cluster_state:ok\r\n")
                .contains("cluster_slots_ok:8092\r\ncluster_slots_pfail:8292\r\ncluster_slots_fail:0\r\n");
    }

    @Test
    void beforeATopologyIsInForceTheNodeKnowsNoSlots() {
        open(view);
        h.expect("[]", "CLUSTER", "SLOTS");
        h.expect("[]", "CLUSTER", "SHARDS");
        h.expect("\"\"", "CLUSTER", "NODES");
        assertThat(h.show("CLUSTER", "INFO")).startsWith("\"cluster_state:fail\r\ncluster_slots_assigned:0\r\n");
    }

    @Test
    void infoReplicationListsEachPeerWithStateLagAndHints() {
        threeNodesBUpCNeverHeard();
        assertThat(h.show("INFO", "cluster")).isEqualTo("\"# Cluster\r\ncluster_enabled:1\r\n\"");
        assertThat(h.show("INFO", "replication")).isEqualTo("\"# Replication\r\nrole:master\r\nconnected_slaves:0\r\n"
                + "hyperkv_replication_factor:2\r\nhyperkv_peers:2\r\n"
                + "hyperkv_peer0:id=" + B.hex() + ",addr=127.0.0.1:7002,bus=127.0.0.1:17002,state=up,link=up,"
                + "silent_ms=5,lag_frames=3,lag_bytes=1200,hints_pending=4\r\n"
                + "hyperkv_peer1:id=-,addr=-,bus=127.0.0.1:17003,state=down,link=down,silent_ms=-1,lag_frames=0,"
                + "lag_bytes=0,hints_pending=0\r\n\"");
    }

    @Test
    void oneNodeRepliesAreByteForByteRedisInBothProtocols() {
        view.topology = Topology.of(1, 1, List.of(node(A, 36112)), List.of(new SlotRange(0, 16383, List.of(A))));
        open(view);
        String id = "$40\r\n" + A.hex() + "\r\n";
        String ip = "$9\r\n127.0.0.1\r\n";
        Reply slots = h.run("CLUSTER", "SLOTS");
        assertThat(resp(slots, 2)).isEqualTo("*1\r\n*3\r\n:0\r\n:16383\r\n*4\r\n" + ip + ":36112\r\n" + id + "*0\r\n");
        assertThat(resp(slots, 3)).isEqualTo("*1\r\n*3\r\n:0\r\n:16383\r\n*4\r\n" + ip + ":36112\r\n" + id + "%0\r\n");
        String node = "$2\r\nid\r\n" + id + "$4\r\nport\r\n:36112\r\n$2\r\nip\r\n" + ip + "$8\r\nendpoint\r\n" + ip
                + "$4\r\nrole\r\n$6\r\nmaster\r\n$18\r\nreplication-offset\r\n:0\r\n$6\r\nhealth\r\n$6\r\nonline\r\n";
        Reply shards = h.run("CLUSTER", "SHARDS");
        assertThat(resp(shards, 2)).isEqualTo("*1\r\n*4\r\n$5\r\nslots\r\n*2\r\n:0\r\n:16383\r\n$5\r\nnodes\r\n*1\r\n*14\r\n"
                + node);
        assertThat(resp(shards, 3)).isEqualTo("*1\r\n%2\r\n$5\r\nslots\r\n*2\r\n:0\r\n:16383\r\n$5\r\nnodes\r\n*1\r\n%7\r\n"
                + node);
        String line = A.hex() + " 127.0.0.1:36112@46112 myself,master - 0 0 1 connected 0-16383\n";
        Reply nodes = h.run("CLUSTER", "NODES");
        assertThat(resp(nodes, 2)).isEqualTo("$" + line.length() + "\r\n" + line + "\r\n");
        assertThat(resp(nodes, 3)).isEqualTo("=" + (line.length() + 4) + "\r\ntxt:" + line + "\r\n");
        assertThat(resp(h.run("CLUSTER", "INFO"), 3)).startsWith("=").contains("\r\ntxt:cluster_state:ok\r\n");
    }

    @Test
    void countAndGetKeysInSlotSeeLiveKeysOnlyAndCheckArgumentsAsRedis() {
        open(view);
        h.run("SET", "foo", "1");
        h.run("SET", "{foo}a", "1");
        h.run("SADD", "{foo}set", "m");
        h.run("SET", "{foo}short", "1", "PX", "100");
        h.run("SET", "bar", "1");
        h.ks.write(0, "{foo}gone".getBytes(StandardCharsets.UTF_8),
                Metadata.tombstone(ValueType.STRING, 1, h.ks.stamp(), new byte[0]));
        h.expect(":4", "CLUSTER", "COUNTKEYSINSLOT", "12182");
        h.time.advance(200);
        h.expect(":3", "CLUSTER", "COUNTKEYSINSLOT", "12182");
        h.expect("[\"foo\", \"{foo}a\", \"{foo}set\"]", "CLUSTER", "GETKEYSINSLOT", "12182", "10");
        h.expect("[\"foo\", \"{foo}a\"]", "CLUSTER", "GETKEYSINSLOT", "12182", "2");
        h.expect("[]", "CLUSTER", "GETKEYSINSLOT", "12182", "0");
        h.expect(":0", "CLUSTER", "COUNTKEYSINSLOT", "0");
        h.expect(":0", "CLUSTER", "COUNTKEYSINSLOT", "16383");
        h.session.selectDb(1);
        h.expect(":0", "CLUSTER", "COUNTKEYSINSLOT", "12182");
        h.session.selectDb(0);
        h.expect("-ERR Invalid slot", "CLUSTER", "COUNTKEYSINSLOT", "16384");
        h.expect("-ERR Invalid slot", "CLUSTER", "COUNTKEYSINSLOT", "-1");
        h.expect("-ERR value is not an integer or out of range", "CLUSTER", "COUNTKEYSINSLOT", "abc");
        h.expect("-ERR Invalid slot or number of keys", "CLUSTER", "GETKEYSINSLOT", "12182", "-1");
        h.expect("-ERR Invalid slot or number of keys", "CLUSTER", "GETKEYSINSLOT", "16384", "1");
        h.expect("-ERR value is not an integer or out of range", "CLUSTER", "GETKEYSINSLOT", "x", "1");
        h.expect("-ERR value is not an integer or out of range", "CLUSTER", "GETKEYSINSLOT", "1", "x");
        assertThat(h.dispatcher.resolve(argv("CLUSTER", "COUNTKEYSINSLOT", "1")).has(CommandFlag.SLOW_PATH))
                .as("a slot may hold many keys: counted on a worker").isTrue();
    }

    @Test
    void helpListsTheSupportedSubcommandsAndCommandIntrospectionKnowsThem() {
        open(view);
        String help = h.show("CLUSTER", "HELP");
        assertThat(help).startsWith("[+CLUSTER <subcommand> [<arg> [value] [opt] ...]. Subcommands are:, ")
                .contains("+KEYSLOT <key>").contains("+SHARDS").endsWith("+HELP, +    Prints this help.]");
        List<String> subs = new ArrayList<>();
        for (CommandSpec sub : h.table.lookup("cluster").subcommands()) {
            subs.add(sub.name());
        }
        assertThat(subs).containsExactlyInAnyOrder("cluster|shards", "cluster|slots", "cluster|nodes", "cluster|myid",
                "cluster|info", "cluster|keyslot", "cluster|countkeysinslot", "cluster|getkeysinslot", "cluster|help");
        h.expect("[\"cluster|keyslot\", [\"group\", \"cluster\"]]", "COMMAND", "DOCS", "cluster|keyslot");
        assertThat(h.show("COMMAND", "INFO", "readonly"))
                .isEqualTo("[[\"readonly\", :1, [+loading, +stale, +fast], :0, :0, :0, [+@fast, +@connection], [], [], []]]");
    }

    private static byte[][] argv(String... args) {
        byte[][] out = new byte[args.length][];
        for (int i = 0; i < args.length; i++) {
            out[i] = args[i].getBytes(StandardCharsets.UTF_8);
        }
        return out;
    }
}
