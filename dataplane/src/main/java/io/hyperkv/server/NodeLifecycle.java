package io.hyperkv.server;

import io.hyperkv.cluster.ClusterSettings;
import io.hyperkv.cluster.CurrentTopology;
import io.hyperkv.cluster.TopologyStore;
import io.hyperkv.cluster.repair.AntiEntropy;
import io.hyperkv.cluster.repair.StateExchange;
import io.hyperkv.command.CommandTable;
import io.hyperkv.command.Commands;
import io.hyperkv.command.Dispatcher;
import io.hyperkv.command.KeyspaceEvents;
import io.hyperkv.command.OutputBufferLimits;
import io.hyperkv.command.Settings;
import io.hyperkv.crdt.HybridLogicalClock;
import io.hyperkv.store.Engine;
import io.hyperkv.store.EngineOptions;
import io.hyperkv.store.Engines;
import io.hyperkv.store.Fsync;
import io.hyperkv.store.Keyspace;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * Brings one node up and down in a fixed order. Start: validate the configuration (cluster keys
 * included), open the store, restore the node id, clock and topology, build the command table, register metrics, schedule active expiry,
 * bind the RESP listener. Stop (SIGTERM, SHUTDOWN, or
 * the end of a test): become unready, stop accepting, let in-flight commands and fsync waits
 * finish (bounded), close every connection, fsync and close the store. The store is never closed
 * while a connection could still run a command against it.
 */
@ApplicationScoped
public class NodeLifecycle {

    private static final Logger LOG = Logger.getLogger(NodeLifecycle.class);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration REPAIR_CALL_TIMEOUT = Duration.ofSeconds(10);
    /** Bytes of key state one anti-entropy fetch answer carries (more only for a single larger key). */
    private static final int REPAIR_ANSWER_BYTES = 4 * 1024 * 1024;

    @Inject
    HyperKvConfig config;
    @Inject
    Vertx vertx;
    @Inject
    RespListener listener;
    @Inject
    MeterRegistry registry;

    private volatile Engine engine;
    private volatile Keyspace keyspace;
    private volatile ServerWiring wiring;
    private volatile LocalNode node;
    private volatile ClusterBus bus;
    private volatile HintedHandoff hints;
    private volatile StateExchange exchange;
    private volatile AntiEntropy antiEntropy;
    private volatile boolean stopping;
    private ScheduledExecutorService expiry;

    void onStart(@Observes @Priority(100) StartupEvent event) throws Exception {
        if (config.engine() == HyperKvConfig.Engine.MEMORY) {
            throw new IllegalStateException("hyperkv.engine=memory is not available in this version;"
                    + " use hyperkv.engine=rocksdb (the default)");
        }
        Settings settings = settings();
        ClusterSettings cluster = ClusterConfig.settings(config);
        HintStore.Bounds hintBounds = ClusterConfig.hintBounds(config);
        Path dataDir = Path.of(config.dataDir()).toAbsolutePath().normalize();
        Files.createDirectories(dataDir);
        Fsync fsync = Fsync.parse(config.appendfsync().name());
        engine = Engines.open(config.engine().name().toLowerCase(Locale.ROOT), EngineOptions.of(dataDir, fsync));
        NodeIdentity identity = NodeIdentity.load(engine, cluster.nodeId());
        TopologyStore topologyStore = new TopologyStore(engine);
        CurrentTopology topology = new CurrentTopology(topologyStore.load().orElse(null));
        HybridLogicalClock clock = HybridLogicalClock.onSystemTime(identity.nodeId().value(), identity.highWaterMark(),
                identity::persistHighWaterMark);
        keyspace = new Keyspace(engine, clock, ConnectionCommands.DATABASES, System::currentTimeMillis);
        keyspace.tombstoneGrace(config.cluster().tombstoneGrace());
        LOG.infof("HyperKV node %s opened its store: engine=%s data-dir=%s appendfsync=%s",
                identity.nodeIdHex(), config.engine().name().toLowerCase(Locale.ROOT), dataDir, fsync.redisName());

        ConnectedClients clients = new ConnectedClients();
        PubSubHub pubsub = new PubSubHub();
        pubsub.limits(settings.outputBufferLimits());
        settings.onChange((name, value) -> {
            if (name.equals(Settings.CLIENT_OUTPUT_BUFFER_LIMIT)) {
                pubsub.limits(OutputBufferLimits.parse(value));
            }
        });
        KeyspaceEvents notifier = new KeyspaceEvents(pubsub::publish).following(settings);
        BlockedClients blocked = new BlockedClients(vertx);
        keyspace.listen(blocked);
        // CLUSTER and INFO read the node (topology, peers, hints); the admin API sees it once start-up is complete.
        LocalNode local = new LocalNode(identity, cluster, engine, keyspace, topology, topologyStore,
                new NodeDrain(drainSteps(), identity.nodeIdHex()));
        // The meters need the finished table and INFO needs the meters: the hooks see them through a holder.
        CommandMeters[] meters = new CommandMeters[1];
        NodeHooks hooks = new NodeHooks(identity, clients, () -> meters[0].totalCommands(), listener::port, settings,
                blocked, pubsub, local);
        CommandTable table = Commands.standard(keyspace, settings, hooks, notifier);
        new ConnectionCommands(clients, settings, cluster.enabled()).registerInto(table);
        new TransactionCommands(keyspace).registerInto(table);
        ClusterPubSub clusterPubSub = cluster.enabled() ? new ClusterPubSub(pubsub, identity.nodeId(), topology) : null;
        new PubSubCommands(pubsub, clusterPubSub != null ? clusterPubSub : PubSubRoute.local(pubsub))
                .registerInto(table);
        WaitCommand.registerInto(table);
        WatchedKeys watchedKeys = new WatchedKeys();
        keyspace.listen(watchedKeys);
        meters[0] = new CommandMeters(registry, table);
        // Cluster mode only: with no coordinator the keyspace has no delta sink and builds no delta at all.
        Coordinator coordinator = null;
        if (cluster.enabled()) {
            Forwarder forwarder = new Forwarder(vertx.createNetClient(new NetClientOptions()
                    .setConnectTimeout(2_000).setTcpNoDelay(true).setTcpKeepAlive(true)), settings);
            Duration replicaWait = cluster.timings().replicaWait();
            coordinator = new Coordinator(identity.nodeId(), topology, cluster.writeConsistency(), replicaWait,
                    forwarder, new QuorumReads(identity.nodeId(), cluster.readConsistency(), keyspace, this::onWorker,
                            replicaWait));
            keyspace.deltaSink(coordinator.replicator());
            // a client blocked on a key of a slot taken from this node is told MOVED rather than waiting in vain
            topology.onInstalled(t -> blocked.recheck(slot -> !t.owns(identity.nodeId(), slot)));
        }
        wiring = new ServerWiring(vertx, new Dispatcher(table, keyspace), keyspace, clients, meters[0], settings,
                new AtomicInteger(), watchedKeys, blocked, pubsub, coordinator);
        NodeMetrics.register(registry, this);
        node = local;
        logCluster(identity, cluster, topology);

        expiry = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "hyperkv-active-expiry");
            t.setDaemon(true);
            return t;
        });
        // Redis's hz 10: ten bounded cycles a second, off the event loops (each cycle touches RocksDB).
        expiry.scheduleWithFixedDelay(this::expireCycle, 100, 100, TimeUnit.MILLISECONDS);

        int loops = Math.max(1, Runtime.getRuntime().availableProcessors());
        listener.start(wiring, config.bind(), config.port(), loops, START_TIMEOUT);
        if (cluster.enabled()) {
            bus = ClusterBus.start(vertx, cluster, identity, config.bind(), listener.port(), topology, topologyStore,
                    new DeltaApplier(keyspace, this::onWorker), START_TIMEOUT);
            node.bus(bus.node());
            clusterPubSub.attach(bus.node());
            FlushCutRelay.attach(bus.node(), keyspace);
            hints = HintedHandoff.start(engine, hintBounds, bus.node(), registry);
            node.hints(hints);
            exchange = new StateExchange(bus.rpc(), keyspace,
                    slot -> topology.get().map(t -> t.owns(identity.nodeId(), slot)).orElse(false),
                    REPAIR_CALL_TIMEOUT, REPAIR_ANSWER_BYTES);
            AntiEntropy ae = new AntiEntropy(identity.nodeId(), topology, keyspace, exchange, bus.node(),
                    AntiEntropy.Settings.withInterval(config.cluster().antiEntropyInterval()), Clock.systemUTC());
            RepairMetrics.register(registry, ae);
            antiEntropy = ae.start(bus.node());
            node.antiEntropy(ae);
            coordinator.attach(bus.node(), hints, exchange::fetch);
        }
    }

    /** Runs {@code task} on a Vert.x worker (replicated deltas are merged there, off the bus and event loops). */
    private void onWorker(Runnable task) {
        vertx.executeBlocking(() -> {
            task.run();
            return null;
        }, false);
    }

    private void logCluster(NodeIdentity identity, ClusterSettings cluster, CurrentTopology topology) {
        if (cluster.enabled()) {
            ClusterSettings.Timings timings = cluster.timings();
            LOG.infof("node %s in cluster mode: bus port %d, %d static peer%s, N=%d, W=%s, R=%s, topology %s;"
                    + " replica wait %d ms, heartbeat %d ms, suspect after %d ms, down after %d ms",
                    identity.nodeIdHex(), cluster.busPort(), cluster.peers().size(),
                    cluster.peers().size() == 1 ? "" : "s", cluster.replicationFactor(),
                    cluster.writeConsistency().word(), cluster.readConsistency().word(),
                    topology.get().map(t -> "epoch " + t.epoch()).orElse("not known yet (not ready until one is"
                            + " installed)"), timings.replicaWait().toMillis(), timings.heartbeatInterval().toMillis(),
                    timings.suspectAfter().toMillis(), timings.downAfter().toMillis());
        }
        if (config.admin().token().isEmpty()) {
            LOG.warnf("hyperkv.admin.token is unset: the admin API (/v1) serves loopback clients only");
        }
    }

    /** What a drain acts on: this node's listener, connections and store. */
    private NodeDrain.Steps drainSteps() {
        return new NodeDrain.Steps() {
            @Override
            public void stopAccepting() {
                listener.refuseNewConnections();
            }

            @Override
            public int busyConnections() {
                return wiring.busyConnections().get();
            }

            @Override
            public void closeConnections() {
                for (Connection c : wiring.clients().all()) {
                    c.kill();
                }
            }

            @Override
            public int openConnections() {
                return wiring.clients().count();
            }

            @Override
            public long handOffHints(Duration timeout) {
                HintedHandoff h = hints;
                return h == null ? 0 : h.flush(timeout);
            }

            @Override
            public void sync() {
                engine.sync();
            }
        };
    }

    /** The CONFIG-visible settings, seeded from hyperkv.*; a value Redis would refuse stops start-up naming the key. */
    private Settings settings() {
        Settings settings = new Settings();
        init(settings, "hyperkv.port", "port", Integer.toString(config.port()));
        init(settings, "hyperkv.bind", "bind", config.bind());
        init(settings, "hyperkv.data-dir", "dir", config.dataDir());
        init(settings, "hyperkv.appendfsync", "appendfsync", config.appendfsync().name().toLowerCase(Locale.ROOT));
        init(settings, "hyperkv.maxclients", "maxclients", Integer.toString(config.maxclients()));
        init(settings, "hyperkv.proto-max-bulk-len", "proto-max-bulk-len", Long.toString(config.protoMaxBulkLen()));
        config.requirepass().ifPresent(p -> init(settings, "hyperkv.requirepass", "requirepass", p));
        return settings;
    }

    private static void init(Settings settings, String key, String option, String value) {
        try {
            settings.initialize(option, value);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("invalid " + key + "=" + value + ": " + e.getMessage(), e);
        }
    }

    private void expireCycle() {
        try {
            Keyspace ks = keyspace;
            if (ks != null && !stopping) {
                ks.runCycle();
            }
        } catch (RuntimeException e) {
            // Keep the schedule alive: one failed cycle (e.g. racing shutdown) must not end active expiry.
            LOG.debugf("active expiry cycle failed: %s", e);
        }
    }

    void onStop(@Observes @Priority(100) ShutdownEvent event) {
        stop();
    }

    /** Idempotent; runs on Quarkus's shutdown thread (SIGTERM, SHUTDOWN, end of a test). */
    synchronized void stop() {
        if (stopping && engine == null) {
            return;
        }
        stopping = true;
        node = null;
        ServerWiring w = wiring;
        if (w != null) {
            long deadline = System.nanoTime() + DRAIN_TIMEOUT.toNanos();
            // In-flight worker commands and fsync waits finish and send their replies first.
            while (w.busyConnections().get() > 0 && System.nanoTime() < deadline) {
                sleepQuietly();
            }
            listener.stop(vertx, DRAIN_TIMEOUT);
            AntiEntropy ae = antiEntropy;
            antiEntropy = null;
            if (ae != null) {
                ae.close();
            }
            if (w.coordinator() != null) {
                w.coordinator().close();
            }
            ClusterBus b = bus;
            bus = null;
            if (b != null) {
                b.stop(DRAIN_TIMEOUT);
            }
            HintedHandoff h = hints;
            hints = null;
            if (h != null) {
                h.close(); // after the bus: batches it failed while stopping were still held as hints
            }
            for (Connection c : w.clients().all()) {
                c.kill();
            }
            while (w.clients().count() > 0 && System.nanoTime() < deadline) {
                sleepQuietly();
            }
        }
        if (expiry != null) {
            expiry.shutdown();
            try {
                expiry.awaitTermination(DRAIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Engine e = engine;
        if (e != null) {
            try {
                e.sync();
            } finally {
                keyspace = null;
                engine = null;
                e.close();
            }
            LOG.info("HyperKV store flushed and closed");
        }
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(5);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * What the readiness probe reports (DESIGN.md section 7): store open, listener bound, not draining or shutting
     * down, and in cluster mode a topology known, since a member without one cannot tell which node owns a key.
     */
    public boolean ready() {
        LocalNode n = node;
        return !stopping && engine != null && listener.bound() && n != null && !n.draining()
                && (!n.cluster().enabled() || n.topology().get().isPresent());
    }

    /** This node while it runs: empty before start-up completes and from the start of shutdown. */
    public java.util.Optional<LocalNode> localNode() {
        return java.util.Optional.ofNullable(node);
    }

    public boolean stopping() {
        return stopping;
    }

    Engine engine() {
        return engine;
    }

    Keyspace keyspace() {
        return keyspace;
    }

    /** Replica state calls (fetch, push) in cluster mode; null otherwise and before the bus runs. */
    StateExchange stateExchange() {
        return exchange;
    }

    PubSubHub pubsub() {
        ServerWiring w = wiring;
        return w == null ? null : w.pubsub();
    }

    /** Where the replicator hands deltas a peer could not take; null outside cluster mode and once stopping. */
    HintedHandoff hints() {
        return hints;
    }

    ServerWiring wiring() {
        return wiring;
    }

    ConnectedClients clients() {
        ServerWiring w = wiring;
        return w == null ? null : w.clients();
    }
}
