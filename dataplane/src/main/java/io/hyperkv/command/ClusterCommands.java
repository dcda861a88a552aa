package io.hyperkv.command;

import static io.hyperkv.command.CommandFlag.FAST;
import static io.hyperkv.command.CommandFlag.LOADING;
import static io.hyperkv.command.CommandFlag.SLOW_PATH;
import static io.hyperkv.command.CommandFlag.STALE;

import io.hyperkv.cluster.Topology;
import io.hyperkv.resp.Reply;
import io.hyperkv.store.KeySlot;
import io.hyperkv.store.Keyspace;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The commands cluster-aware clients send: {@code CLUSTER SHARDS|SLOTS|NODES|MYID|INFO|KEYSLOT|COUNTKEYSINSLOT|
 * GETKEYSINSLOT|HELP} and {@code READONLY}/{@code READWRITE}, with Redis 7's arities, flags, error words and reply
 * shapes (RESP2 and RESP3; INFO and NODES are verbatim text in RESP3). How HyperKV's many-writer ownership is shown in
 * Redis's master/replica shapes is {@link ClusterDescription}'s business.
 *
 * <p>With cluster support disabled (the default) every one of them answers
 * {@code -ERR This instance has cluster support disabled}, KEYSLOT and HELP included: redis-server 7 checks
 * {@code cluster_enabled} before it looks at the subcommand. READONLY and READWRITE are accepted and change nothing
 * in cluster mode: any owner of a slot serves reads and writes, so there is no replica to opt into reading from.
 *
 * <p>COUNTKEYSINSLOT and GETKEYSINSLOT count live keys of the connection's database (tombstones and expired keys are
 * not keys) and run on a worker, since a slot may hold many keys. The others read memory only.
 */
final class ClusterCommands extends Family {

    static final String DISABLED = "ERR This instance has cluster support disabled";

    private static final List<String> HELP = List.of(
            "CLUSTER <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "COUNTKEYSINSLOT <slot>",
            "    Return the number of keys in <slot>.",
            "GETKEYSINSLOT <slot> <count>",
            "    Return key names stored by current node in a slot.",
            "INFO",
            "    Return information about the cluster.",
            "KEYSLOT <key>",
            "    Return the hash slot for <key>.",
            "MYID",
            "    Return the node id.",
            "NODES",
            "    Return cluster configuration seen by node. Output format:",
            "    <id> <ip:port> <flags> <master> <pings> <pongs> <epoch> <link> <slot> ...",
            "SLOTS",
            "    Return information about slots range mappings. Each range is made of:",
            "    start, end, master and replicas IP addresses, ports and ids",
            "SHARDS",
            "    Return information about slot range mappings and the nodes associated with them.",
            "HELP",
            "    Prints this help.");

    private final Keyspace ks;
    private final ClusterView view;
    private final LongSupplier wallClock;

    ClusterCommands(Keyspace ks, ClusterView view, LongSupplier wallClock) {
        this.ks = ks;
        this.view = view;
        this.wallClock = wallClock;
    }

    @Override
    void register(CommandTable t) {
        t.register(cmd("cluster", -2).acl("slow")
                .sub(sub("cluster|shards", 2, (s, a) -> describe().shards()))
                .sub(sub("cluster|slots", 2, (s, a) -> describe().slots()))
                .sub(sub("cluster|nodes", 2, (s, a) -> new Reply.Verbatim("txt", utf8(describe().nodes()))))
                .sub(sub("cluster|myid", 2, (s, a) -> Reply.bulk(view.nodeId().hex())))
                .sub(sub("cluster|info", 2, (s, a) -> new Reply.Verbatim("txt", utf8(lines(describe().info())))))
                .sub(sub("cluster|keyslot", 3, (s, a) -> Reply.integer(KeySlot.of(a[2]))))
                .sub(cmd("cluster|countkeysinslot", 3).flags(STALE, SLOW_PATH).acl("slow")
                        .handler(enabledOnly(this::countKeysInSlot)).build())
                .sub(cmd("cluster|getkeysinslot", 4).flags(STALE, SLOW_PATH).acl("slow")
                        .handler(enabledOnly(this::getKeysInSlot)).build())
                .sub(cmd("cluster|help", 2).flags(LOADING, STALE).acl("slow")
                        .handler(enabledOnly((s, a) -> KeyCommands.help(HELP))).build())
                .build());
        t.register(cmd("readonly", 1).flags(FAST, LOADING, STALE).acl("fast", "connection")
                .handler(enabledOnly((s, a) -> Reply.OK)).build());
        t.register(cmd("readwrite", 1).flags(FAST, LOADING, STALE).acl("fast", "connection")
                .handler(enabledOnly((s, a) -> Reply.OK)).build());
    }

    /** A CLUSTER subcommand as Redis 7 flags most of them: {@code stale}, {@code @slow}. */
    private CommandSpec sub(String name, int arity, CommandHandler handler) {
        return cmd(name, arity).flags(STALE).acl("slow").handler(enabledOnly(handler)).build();
    }

    private CommandHandler enabledOnly(CommandHandler handler) {
        CommandHandler guarded = guarded(handler);
        return (session, argv) -> view.clusterEnabled() ? guarded.handle(session, argv) : Reply.error(DISABLED);
    }

    private ClusterDescription describe() {
        return new ClusterDescription(view, wallClock.getAsLong());
    }

    private Reply countKeysInSlot(ClientSession s, byte[][] a) {
        long slot = Args.integer(a[2]);
        if (slot < 0 || slot >= Topology.SLOTS) {
            return Reply.error("ERR Invalid slot");
        }
        return Reply.integer(ks.countInSlot(s.db(), (int) slot));
    }

    private Reply getKeysInSlot(ClientSession s, byte[][] a) {
        long slot = Args.integer(a[2]);
        long count = Args.integer(a[3]);
        if (slot < 0 || slot >= Topology.SLOTS || count < 0) {
            return Reply.error("ERR Invalid slot or number of keys");
        }
        List<Reply> keys = new ArrayList<>();
        for (byte[] key : ks.keysInSlot(s.db(), (int) slot, (int) Math.min(count, Integer.MAX_VALUE))) {
            keys.add(Reply.bulk(key));
        }
        return Reply.array(keys);
    }

    /** {@code field:value} lines, CRLF-terminated, as CLUSTER INFO prints them. */
    private static String lines(Map<String, String> fields) {
        StringBuilder out = new StringBuilder();
        fields.forEach((k, v) -> out.append(k).append(':').append(v).append("\r\n"));
        return out.toString();
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
