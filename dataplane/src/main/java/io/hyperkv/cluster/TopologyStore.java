package io.hyperkv.cluster;

import io.hyperkv.store.ColumnFamily;
import io.hyperkv.store.Engine;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The topology in force, kept in the {@code sys} column family under {@code topology} as its
 * {@link TopologyCodec JSON form}, so that a restarted node resumes with the epoch it had acted on. {@link #persist}
 * is the persister of {@link CurrentTopology#offer(Topology, java.util.function.Consumer)}: it returns only once the
 * document is fsynced, whatever {@code appendfsync} says, so a node never answers "installed" for an epoch a crash
 * could make it forget (and then accept an older one).
 */
public final class TopologyStore {

    static final byte[] KEY = "topology".getBytes(StandardCharsets.US_ASCII);

    private final Engine engine;

    public TopologyStore(Engine engine) {
        this.engine = engine;
    }

    /**
     * The stored topology, or empty on a node that never had one.
     *
     * @throws IllegalStateException when a stored document cannot be read: starting without it would let the node
     *         accept any epoch, including ones older than it already acted on, so the caller must stop instead
     */
    public Optional<Topology> load() {
        byte[] stored = engine.get(ColumnFamily.SYS, KEY);
        if (stored == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(TopologyCodec.decode(stored));
        } catch (InvalidTopologyException e) {
            throw new IllegalStateException("the topology stored in " + engine.dataDir() + " (column family sys, key"
                    + " \"topology\") cannot be read: " + e.getMessage(), e);
        }
    }

    /** Stores {@code topology} durably; a failure propagates, so the offer that called it changes nothing. */
    public void persist(Topology topology) {
        engine.put(ColumnFamily.SYS, KEY, TopologyCodec.encode(topology));
        engine.sync();
    }
}
