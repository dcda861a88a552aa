package io.hyperkv.server;

import io.hyperkv.command.ClusterView;
import io.hyperkv.command.InfoSection;
import io.hyperkv.command.ServerHooks;
import io.hyperkv.command.Settings;
import io.quarkus.runtime.Quarkus;
import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import org.jboss.logging.Logger;

/**
 * The server's side of INFO (sections Server and Clients, connection counters in Stats) and the
 * SHUTDOWN hook. Field names are Redis's, so tools that parse INFO keep working; HyperKV-only
 * facts carry a {@code hyperkv_} prefix.
 */
final class NodeHooks implements ServerHooks {

    private static final Logger LOG = Logger.getLogger(NodeHooks.class);

    private final long startMillis = System.currentTimeMillis();
    private final NodeIdentity identity;
    private final ConnectedClients clients;
    private final LongSupplier commandsProcessed;
    private final IntSupplier port;
    private final Settings settings;
    private final BlockedClients blocked;
    private final PubSubHub pubsub;
    private final ClusterView cluster;

    NodeHooks(NodeIdentity identity, ConnectedClients clients, LongSupplier commandsProcessed, IntSupplier port,
              Settings settings, BlockedClients blocked, PubSubHub pubsub, ClusterView cluster) {
        this.cluster = cluster;
        this.blocked = blocked;
        this.pubsub = pubsub;
        this.identity = identity;
        this.clients = clients;
        this.commandsProcessed = commandsProcessed;
        this.port = port;
        this.settings = settings;
    }

    @Override
    public List<InfoSection> infoSections() {
        return List.of(section("Server", this::server), section("Clients", this::clients),
                section("Stats", this::stats));
    }

    private Map<String, String> server() {
        long uptime = (System.currentTimeMillis() - startMillis) / 1000;
        Map<String, String> f = new LinkedHashMap<>();
        f.put("redis_version", ConnectionCommands.REDIS_COMPAT_VERSION);
        f.put("redis_mode", cluster.clusterEnabled() ? "cluster" : "standalone");
        f.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        f.put("arch_bits", System.getProperty("sun.arch.data.model", "64"));
        f.put("process_id", Long.toString(ProcessHandle.current().pid()));
        f.put("run_id", identity.nodeIdHex());
        f.put("tcp_port", Integer.toString(port.getAsInt()));
        f.put("uptime_in_seconds", Long.toString(uptime));
        f.put("uptime_in_days", Long.toString(uptime / 86400));
        f.put("hz", "10");
        f.put("hyperkv_version", version());
        f.put("hyperkv_node_id", identity.nodeIdHex());
        f.put("java_version", System.getProperty("java.version"));
        f.put("jvm_uptime_ms", Long.toString(ManagementFactory.getRuntimeMXBean().getUptime()));
        return f;
    }

    private Map<String, String> clients() {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("connected_clients", Integer.toString(clients.count()));
        f.put("maxclients", Long.toString(settings.maxclients()));
        f.put("blocked_clients", Integer.toString(blocked.blockedClients()));
        f.put("tracking_clients", "0");
        f.put("total_blocking_keys", Integer.toString(blocked.blockingKeys()));
        return f;
    }

    private Map<String, String> stats() {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("total_connections_received", Long.toString(clients.totalAccepted()));
        f.put("total_commands_processed", Long.toString(commandsProcessed.getAsLong()));
        f.put("rejected_connections", Long.toString(clients.rejected()));
        f.put("pubsub_channels", Integer.toString(pubsub.channelCount(PubSubHub.Kind.CHANNEL)));
        f.put("pubsub_patterns", Integer.toString(pubsub.patternCount()));
        f.put("pubsubshard_channels", Integer.toString(pubsub.channelCount(PubSubHub.Kind.SHARD)));
        f.put("client_output_buffer_limit_disconnections", Long.toString(pubsub.outputBufferDisconnections()));
        return f;
    }

    @Override
    public ClusterView cluster() {
        return cluster;
    }

    @Override
    public String shutdown(boolean save, boolean now, boolean force) {
        LOG.infof("SHUTDOWN requested by a client (save=%s): stopping the node", save);
        // Quarkus runs the ShutdownEvent observers (NodeLifecycle.stop: drain, flush, close) and exits.
        Quarkus.asyncExit(0);
        return null;
    }

    private static String version() {
        String v = NodeHooks.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    private static InfoSection section(String name, java.util.function.Supplier<Map<String, String>> fields) {
        return new InfoSection() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Map<String, String> fields() {
                return fields.get();
            }
        };
    }
}
