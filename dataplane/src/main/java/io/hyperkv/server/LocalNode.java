package io.hyperkv.server;

import io.hyperkv.cluster.ClusterSettings;
import io.hyperkv.cluster.CurrentTopology;
import io.hyperkv.cluster.NodeId;
import io.hyperkv.cluster.Topology;
import io.hyperkv.cluster.TopologyStore;
import io.hyperkv.cluster.bus.HintSink;
import io.hyperkv.cluster.bus.PeerReport;
import io.hyperkv.command.ClusterView;
import io.hyperkv.cluster.repair.AntiEntropy;
import io.hyperkv.store.Checkpoints;
import io.hyperkv.store.Engine;
import io.hyperkv.store.Keyspace;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * This node as the admin API sees it while it runs (built by {@link NodeLifecycle} once the store is open): its id, the
 * topology in force and how to change it, its peers and the hints held for them, its size, snapshots and drain. It is
 * also the {@link ClusterView} the CLUSTER commands and INFO read. Everything here may be called from any
 * thread; calls that touch the disk ({@link #offerTopology}, {@link #diskBytes}, {@link #checkpoints},
 * {@link #drain}) block and belong on a worker thread, never on an event loop.
 */
public final class LocalNode implements ClusterView {

    private static final Logger LOG = Logger.getLogger(LocalNode.class);

    private final NodeIdentity identity;
    private final ClusterSettings cluster;
    private final Engine engine;
    private final Keyspace keyspace;
    private final CurrentTopology topology;
    private final TopologyStore topologyStore;
    private final Checkpoints checkpoints;
    private final NodeDrain drain;
    private volatile io.hyperkv.cluster.bus.BusNode bus;
    private volatile HintSink hints;
    private volatile AntiEntropy antiEntropy;

    LocalNode(NodeIdentity identity, ClusterSettings cluster, Engine engine, Keyspace keyspace,
            CurrentTopology topology, TopologyStore topologyStore, NodeDrain drain) {
        this.identity = identity;
        this.cluster = cluster;
        this.engine = engine;
        this.keyspace = keyspace;
        this.topology = topology;
        this.topologyStore = topologyStore;
        this.checkpoints = new Checkpoints(engine);
        this.drain = drain;
    }

    @Override
    public NodeId nodeId() {
        return identity.nodeId();
    }

    public ClusterSettings cluster() {
        return cluster;
    }

    /** The topology in force (empty until one is installed). */
    public CurrentTopology topology() {
        return topology;
    }

    /**
     * Offers a topology document: installed (and persisted first) only when its epoch is higher than the one in force,
     * with {@link CurrentTopology}'s outcomes.
     */
    public CurrentTopology.Offer offerTopology(Topology candidate, String source) {
        CurrentTopology.Offer offer = topology.offer(candidate, topologyStore::persist);
        if (offer.outcome() == CurrentTopology.Outcome.INSTALLED) {
            io.hyperkv.cluster.bus.BusNode b = bus;
            if (b != null) {
                b.topologyInstalled(); // gossip it to the peers
            }
            LOG.infof("node %s installed topology epoch %d from %s: %d nodes, N=%d, owns %d slot range%s",
                    identity.nodeIdHex(), candidate.epoch(), source, candidate.nodes().size(),
                    candidate.replicationFactor(), candidate.spansOwnedBy(nodeId()).size(),
                    candidate.spansOwnedBy(nodeId()).size() == 1 ? "" : "s");
        } else if (offer.outcome() != CurrentTopology.Outcome.ALREADY_IN_FORCE) {
            LOG.infof("node %s kept topology epoch %d: the epoch %d from %s was refused (%s)", identity.nodeIdHex(),
                    offer.epochInForce(), candidate.epoch(), source, offer.outcome().name().toLowerCase());
        }
        return offer;
    }

    /** The replication bus, set once it runs (cluster mode). */
    void bus(io.hyperkv.cluster.bus.BusNode bus) {
        this.bus = bus;
    }

    /** Anti-entropy, set once it runs (cluster mode). */
    void antiEntropy(AntiEntropy antiEntropy) {
        this.antiEntropy = antiEntropy;
    }

    /** This node's anti-entropy (rounds, per-slot sync state): empty outside cluster mode. */
    public java.util.Optional<AntiEntropy> antiEntropy() {
        return java.util.Optional.ofNullable(antiEntropy);
    }

    /**
     * Slots this node owns under the topology in force that anti-entropy has not confirmed in sync (0 outside cluster
     * mode and without a topology): what a node catching up after a restart or a join still has to pull.
     */
    public int slotsOutOfSync() {
        AntiEntropy ae = antiEntropy;
        Topology t = topology.get().orElse(null);
        return ae == null || t == null ? 0 : ae.sync().outOfSyncCount(t.spansOwnedBy(nodeId()));
    }

    /** Where undeliverable deltas are kept, set once hinted handoff runs (cluster mode). */
    void hints(HintSink hints) {
        this.hints = hints;
    }

    @Override
    public boolean clusterEnabled() {
        return cluster.enabled();
    }

    @Override
    public Optional<Topology> topologyInForce() {
        return topology.get();
    }

    /**
     * How this node sees its peers, with the hints held for each (for {@code GET /v1/node} and INFO): empty outside
     * cluster mode and until the bus runs.
     */
    @Override
    public List<PeerReport> peers() {
        io.hyperkv.cluster.bus.BusNode b = bus;
        if (b == null) {
            return List.of();
        }
        HintSink h = hints;
        return PeerReport.of(b.peers(), topology.get(), peer -> h == null ? 0 : h.pending(peer));
    }

    /** Live keys in every database. */
    public long keys() {
        long sum = 0;
        for (int db = 0; db < keyspace.databases(); db++) {
            sum += keyspace.size(db);
        }
        return sum;
    }

    /** Bytes of the store's files (SST, write-ahead log, manifest) under the data directory, checkpoints excluded. */
    public long diskBytes() {
        Path store = engine.dataDir().resolve("rocksdb");
        try (Stream<Path> files = Files.walk(store)) {
            return files.mapToLong(p -> {
                try {
                    return Files.isRegularFile(p) ? Files.size(p) : 0;
                } catch (IOException gone) {
                    return 0; // compaction deleted it while we walked
                }
            }).sum();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot measure " + store, e);
        }
    }

    /** JVM heap and non-heap in use plus RocksDB memtables and block cache: the {@code hyperkv_memory_used_bytes} gauge. */
    public long memoryBytes() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long jvm = memory.getHeapMemoryUsage().getUsed() + memory.getNonHeapMemoryUsage().getUsed();
        return jvm + Math.max(0, engine.property("rocksdb.cur-size-all-mem-tables"))
                + Math.max(0, engine.property("rocksdb.block-cache-usage"));
    }

    public Checkpoints checkpoints() {
        return checkpoints;
    }

    /** Forces the write-ahead log to disk (a snapshot is taken of durable data). */
    public void sync() {
        engine.sync();
    }

    public boolean draining() {
        return drain.draining();
    }

    /** See {@link NodeDrain}: blocks up to {@code timeout}. */
    public DrainReport drain(Duration timeout) {
        return drain.drain(timeout);
    }

    /** The data plane's version, as INFO's {@code hyperkv_version}. */
    public static String version() {
        String v = LocalNode.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
