package io.hyperkv.server;

import io.hyperkv.cluster.NodeId;
import io.hyperkv.store.ColumnFamily;
import io.hyperkv.store.Engine;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Optional;

/**
 * The facts that make this data directory one node over restarts: its node id and the hybrid logical clock's
 * high-water mark, both in the {@code sys} column family. The mark is fsynced before the clock may issue stamps up to
 * it, so a restarted node never issues a timestamp below one it issued before (DESIGN.md section 4).
 *
 * <p>The node id is chosen once per data directory: {@code hyperkv.cluster.node-id} when it is set, a random one
 * otherwise, and then kept (fsynced before first use). A configured id that differs from the stored one stops
 * start-up: the stored id is already in every stamp and dot this directory holds, and a second identity for the same
 * data would let two ids claim one replica's history. The id prints as 40 hex digits everywhere ({@link NodeId#hex}).
 */
final class NodeIdentity {

    static final byte[] NODE_ID = "node-id".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HLC_MARK = "hlc-high-water-mark".getBytes(StandardCharsets.US_ASCII);

    private final Engine engine;
    private final NodeId nodeId;

    private NodeIdentity(Engine engine, NodeId nodeId) {
        this.engine = engine;
        this.nodeId = nodeId;
    }

    /**
     * The identity of the data directory behind {@code engine}, creating it on first start.
     *
     * @throws IllegalStateException when {@code configured} differs from the stored id, or the stored id is unreadable
     */
    static NodeIdentity load(Engine engine, Optional<NodeId> configured) {
        byte[] stored = engine.get(ColumnFamily.SYS, NODE_ID);
        if (stored != null) {
            if (stored.length != Long.BYTES) {
                throw new IllegalStateException("the node id stored in " + engine.dataDir() + " (column family sys,"
                        + " key \"node-id\") has " + stored.length + " bytes instead of 8");
            }
            NodeId id = new NodeId(ByteBuffer.wrap(stored).getLong());
            if (configured.isPresent() && !configured.get().equals(id)) {
                throw new IllegalStateException("hyperkv.cluster.node-id=" + configured.get().hex() + " but the data"
                        + " directory " + engine.dataDir() + " belongs to node " + id.hex() + ": unset the key, set it"
                        + " to the stored id, or start from an empty data directory");
            }
            return new NodeIdentity(engine, id);
        }
        NodeId id = configured.orElseGet(NodeIdentity::random);
        engine.put(ColumnFamily.SYS, NODE_ID, ByteBuffer.allocate(Long.BYTES).putLong(id.value()).array());
        engine.sync();
        return new NodeIdentity(engine, id);
    }

    private static NodeId random() {
        // Positive and non-zero so it never equals Stamp.ZERO's node and sorts the same signed or unsigned.
        long id = new SecureRandom().nextLong() & Long.MAX_VALUE;
        return new NodeId(id == 0 ? 1 : id);
    }

    NodeId nodeId() {
        return nodeId;
    }

    /** The 40-hex form used in logs, INFO ({@code run_id} has Redis's 40 digits) and the admin API. */
    String nodeIdHex() {
        return nodeId.hex();
    }

    long highWaterMark() {
        byte[] stored = engine.get(ColumnFamily.SYS, HLC_MARK);
        return stored != null && stored.length == Long.BYTES ? ByteBuffer.wrap(stored).getLong() : 0L;
    }

    /** The clock's persister: durable before returning, whatever appendfsync says. */
    void persistHighWaterMark(long mark) {
        engine.put(ColumnFamily.SYS, HLC_MARK, ByteBuffer.allocate(Long.BYTES).putLong(mark).array());
        engine.sync();
    }
}
