package io.hyperkv.server;

import io.hyperkv.store.ColumnFamily;
import io.hyperkv.store.Engine;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;

/**
 * The facts that make this data directory one node over restarts: its node id (random, chosen on
 * first start) and the hybrid logical clock's high-water mark, both in the {@code sys} column
 * family. The mark is fsynced before the clock may issue stamps up to it, so a restarted node never
 * issues a timestamp below one it issued before (DESIGN.md section 4).
 */
final class NodeIdentity {

    private static final byte[] NODE_ID = "node-id".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HLC_MARK = "hlc-high-water-mark".getBytes(StandardCharsets.US_ASCII);

    private final Engine engine;
    private final long nodeId;

    private NodeIdentity(Engine engine, long nodeId) {
        this.engine = engine;
        this.nodeId = nodeId;
    }

    static NodeIdentity load(Engine engine) {
        byte[] stored = engine.get(ColumnFamily.SYS, NODE_ID);
        long id;
        if (stored != null && stored.length == Long.BYTES) {
            id = ByteBuffer.wrap(stored).getLong();
        } else {
            // Positive and non-zero so it prints the same everywhere and never equals Stamp.ZERO's node.
            id = new SecureRandom().nextLong() & Long.MAX_VALUE;
            if (id == 0) {
                id = 1;
            }
            engine.put(ColumnFamily.SYS, NODE_ID, ByteBuffer.allocate(Long.BYTES).putLong(id).array());
            engine.sync();
        }
        return new NodeIdentity(engine, id);
    }

    long nodeId() {
        return nodeId;
    }

    /** Hex form used in logs and INFO, like Redis's run_id. */
    String nodeIdHex() {
        return String.format("%016x", nodeId);
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
