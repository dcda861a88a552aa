package io.hyperkv.server;

import io.hyperkv.cluster.NodeId;
import io.hyperkv.cluster.bus.BusProtocolException;
import io.hyperkv.cluster.bus.DeltaEnvelope;
import io.hyperkv.cluster.bus.EnvelopeCodec;
import io.hyperkv.store.ColumnFamily;
import io.hyperkv.store.Engine;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * The durable side of hinted handoff: one FIFO queue of deltas per peer in the {@code hints} column family, bounded
 * by total bytes and by age, rebuilt from the column family when the node starts.
 *
 * <table>
 * <caption>Layout</caption>
 * <tr><th>key</th><th>value</th></tr>
 * <tr><td>peer id (8 bytes, big endian) | sequence (8 bytes, big endian)</td>
 *     <td>stored-at wall-clock ms (8 bytes, big endian) | the envelope as {@link EnvelopeCodec#encode}</td></tr>
 * </table>
 *
 * <p>Invariants: sequence numbers come from one counter shared by all peers and resumed above the highest stored one,
 * so within a peer key order is storage order, and across peers the smaller sequence is the older hint. For each
 * peer, every stored hint has a sequence at or above the queue's {@code head} and {@code count} is exact; the bytes of
 * all peers' hints (key plus value lengths) are counted exactly too and never exceed {@code maxBytes} once an
 * {@link #append} returns. A hint leaves the store only by {@link #acknowledge} (after the peer's ack) or by a bound
 * (counted as dropped; anti-entropy repairs what it carried).
 *
 * <p>Threading: every method is synchronized; RocksDB reads and writes happen under the lock. An {@link #append} is
 * handed to the operating system before it returns (it survives a killed process) and fsynced as the
 * {@code appendfsync} policy says, without waiting for it; deletions are not forced out (one lost in a crash only means
 * a hint delivered twice, which merging absorbs). The per-peer counters are also readable without the lock
 * (metrics).
 */
final class HintStore {

    private static final Logger LOG = Logger.getLogger(HintStore.class);
    private static final int KEY_BYTES = 16;
    private static final int STAMP_BYTES = 8;
    /** Hints one {@link #expire} call drops at most per peer: one write batch stays small; the next call goes on. */
    static final int EXPIRE_STEP = 10_000;

    /** The bounds: total bytes of all peers' hints, and how long a hint may wait. */
    record Bounds(long maxBytes, Duration maxAge) {
        /** Cassandra's hint window (3 h) and a quarter of a GiB. */
        static final Bounds DEFAULT = new Bounds(256L * 1024 * 1024, Duration.ofHours(3));

        Bounds {
            if (maxBytes <= 0 || maxAge.isNegative() || maxAge.isZero()) {
                throw new IllegalArgumentException("hint bounds must be positive: " + maxBytes + " bytes, " + maxAge);
            }
        }
    }

    /** A stored hint as read back for delivery. */
    record Hint(long seq, DeltaEnvelope envelope, int bytes) {
    }

    /** One peer's queue and its counters since start. */
    static final class Queue {
        private long head;
        private volatile long count;
        private volatile long stored;
        private volatile long delivered;
        private volatile long dropped;

        long pending() {
            return count;
        }

        /** Hints accepted since this node started. */
        long stored() {
            return stored;
        }

        /** Hints the peer acknowledged since this node started. */
        long delivered() {
            return delivered;
        }

        /** Hints removed by a bound (or unreadable) since this node started. */
        long dropped() {
            return dropped;
        }
    }

    private final Engine engine;
    private final Bounds bounds;
    private final Map<NodeId, Queue> queues = new HashMap<>();
    private long nextSeq = 1;
    private long totalBytes;

    private HintStore(Engine engine, Bounds bounds) {
        this.engine = engine;
        this.bounds = bounds;
    }

    /** Opens the store over what {@code engine} holds: one pass over the column family rebuilds the queues. */
    static HintStore open(Engine engine, Bounds bounds) {
        HintStore store = new HintStore(engine, bounds);
        store.recover();
        return store;
    }

    private void recover() {
        List<byte[]> unreadable = new ArrayList<>();
        try (Engine.Cursor c = engine.iterate(ColumnFamily.HINTS, new byte[0], null)) {
            for (c.seekToFirst(); c.valid(); c.next()) {
                byte[] key = c.key();
                byte[] value = c.value();
                if (key.length != KEY_BYTES || value.length < STAMP_BYTES) {
                    unreadable.add(key);
                    continue;
                }
                ByteBuffer k = ByteBuffer.wrap(key);
                NodeId peer = new NodeId(k.getLong());
                long seq = k.getLong();
                Queue q = queues.computeIfAbsent(peer, p -> {
                    Queue fresh = new Queue();
                    fresh.head = seq; // key order: the first one seen is the oldest
                    return fresh;
                });
                q.count++;
                totalBytes += key.length + value.length;
                nextSeq = Math.max(nextSeq, seq + 1);
            }
        }
        for (byte[] key : unreadable) {
            engine.delete(ColumnFamily.HINTS, key);
        }
        if (!unreadable.isEmpty()) {
            LOG.warnf("deleted %d unreadable hint row(s); anti-entropy repairs what they carried", unreadable.size());
        }
    }

    /**
     * Appends {@code batch} to {@code peer}'s queue in one atomic write, handed to the operating system before this
     * returns, then drops the oldest hints (of any peer) while the total exceeds the byte bound.
     */
    synchronized void append(NodeId peer, List<DeltaEnvelope> batch, long nowMillis) {
        if (batch.isEmpty()) {
            return;
        }
        Queue q = queue(peer);
        long added = 0;
        try (Engine.Batch b = engine.batch()) {
            for (DeltaEnvelope e : batch) {
                byte[] key = key(peer, nextSeq++);
                byte[] encoded = EnvelopeCodec.encode(e);
                byte[] value = ByteBuffer.allocate(STAMP_BYTES + encoded.length).putLong(nowMillis).put(encoded)
                        .array();
                b.put(ColumnFamily.HINTS, key, value);
                added += key.length + value.length;
            }
            engine.write(b);
        }
        // Out of the process's WAL buffer now, so a killed process keeps the hints; the fsync follows the policy.
        engine.durable();
        q.count += batch.size();
        q.stored += batch.size();
        totalBytes += added;
        while (totalBytes > bounds.maxBytes()) {
            dropOldest();
        }
    }

    /** Drops from the front of the queue holding the oldest hint until the total is within the bound. */
    private void dropOldest() {
        Map.Entry<NodeId, Queue> oldest = null;
        for (Map.Entry<NodeId, Queue> e : queues.entrySet()) {
            if (e.getValue().count > 0 && (oldest == null || e.getValue().head < oldest.getValue().head)) {
                oldest = e;
            }
        }
        if (oldest == null) {
            throw new IllegalStateException("hint bytes " + totalBytes + " are counted but no queue holds any");
        }
        dropFront(oldest.getKey(), oldest.getValue(), Long.MAX_VALUE, storedAt -> totalBytes > bounds.maxBytes());
    }

    /** Whether the front hint of a queue, stored at {@code storedAt}, goes. */
    @FunctionalInterface
    private interface DropRule {
        boolean drop(long storedAt);
    }

    /** Deletes at most {@code max} hints from the front of {@code q} while {@code rule} says so; returns how many. */
    private long dropFront(NodeId peer, Queue q, long max, DropRule rule) {
        long dropped = 0;
        try (Engine.Batch b = engine.batch();
                Engine.Cursor c = engine.iterate(ColumnFamily.HINTS, key(peer, q.head), key(peer, Long.MAX_VALUE))) {
            for (c.seekToFirst(); c.valid() && dropped < max; c.next()) {
                byte[] value = c.value();
                long size = c.key().length + value.length;
                if (!rule.drop(ByteBuffer.wrap(value).getLong())) {
                    break;
                }
                b.delete(ColumnFamily.HINTS, c.key());
                q.head = seqOf(c.key()) + 1;
                q.count--;
                totalBytes -= size;
                dropped++;
            }
            engine.write(b);
        }
        q.dropped += dropped;
        return dropped;
    }

    /**
     * Drops the hints stored longer than the age bound ago, at most {@link #EXPIRE_STEP} per peer; returns how many
     * went.
     */
    synchronized long expire(long nowMillis) {
        long cutoff = nowMillis - bounds.maxAge().toMillis();
        long dropped = 0;
        for (Map.Entry<NodeId, Queue> e : queues.entrySet()) {
            if (e.getValue().count > 0) {
                dropped += dropFront(e.getKey(), e.getValue(), EXPIRE_STEP, storedAt -> storedAt < cutoff);
            }
        }
        return dropped;
    }

    /**
     * The oldest hints of {@code peer}, in order: at most {@code maxCount}, and no more than {@code maxBytes} unless
     * the first alone is bigger. An unreadable row is deleted and counted as dropped.
     */
    synchronized List<Hint> peek(NodeId peer, int maxCount, long maxBytes) {
        Queue q = queues.get(peer);
        List<Hint> out = new ArrayList<>();
        if (q == null || q.count == 0) {
            return out;
        }
        long taken = 0;
        try (Engine.Cursor c = engine.iterate(ColumnFamily.HINTS, key(peer, q.head), key(peer, Long.MAX_VALUE))) {
            for (c.seekToFirst(); c.valid() && out.size() < maxCount; c.next()) {
                byte[] value = c.value();
                int size = c.key().length + value.length;
                if (!out.isEmpty() && taken + size > maxBytes) {
                    break;
                }
                try {
                    out.add(new Hint(seqOf(c.key()), EnvelopeCodec.decode(
                            Arrays.copyOfRange(value, STAMP_BYTES, value.length)), size));
                    taken += size;
                } catch (BusProtocolException e) {
                    LOG.warnf("dropped an unreadable hint for node %s: %s", peer, e.getMessage());
                    engine.delete(ColumnFamily.HINTS, c.key());
                    q.count--;
                    totalBytes -= size;
                    q.dropped++;
                }
            }
        }
        return out;
    }

    /**
     * Deletes {@code delivered} (the front of {@code peer}'s queue as {@link #peek} returned it) once the peer has
     * acknowledged them. Hints a bound dropped meanwhile are not counted twice.
     */
    synchronized void acknowledge(NodeId peer, List<Hint> delivered) {
        remove(peer, delivered, true);
    }

    /**
     * Deletes {@code refused} (the front of {@code peer}'s queue as {@link #peek} returned it), which the peer refused
     * for good (it cannot read them), counting them as dropped: kept, they would block every later hint.
     */
    synchronized void discard(NodeId peer, List<Hint> refused) {
        remove(peer, refused, false);
    }

    private void remove(NodeId peer, List<Hint> front, boolean delivered) {
        Queue q = queues.get(peer);
        if (q == null || front.isEmpty()) {
            return;
        }
        long removed = 0;
        try (Engine.Batch b = engine.batch()) {
            for (Hint h : front) {
                if (h.seq() >= q.head) {
                    b.delete(ColumnFamily.HINTS, key(peer, h.seq()));
                    q.count--;
                    totalBytes -= h.bytes();
                    removed++;
                }
            }
            engine.write(b);
        }
        q.head = Math.max(q.head, front.get(front.size() - 1).seq() + 1);
        if (delivered) {
            q.delivered += removed;
        } else {
            q.dropped += removed;
        }
    }

    synchronized long pending(NodeId peer) {
        Queue q = queues.get(peer);
        return q == null ? 0 : q.count;
    }

    /** Bytes of all peers' hints. */
    synchronized long totalBytes() {
        return totalBytes;
    }

    /** The queues by peer, including empty ones (their counters stay). The map is a copy; the queues are live. */
    synchronized Map<NodeId, Queue> queues() {
        return Map.copyOf(queues);
    }

    /** The queue of {@code peer}, created empty if it had none, so its counters can be watched from the start. */
    synchronized Queue queue(NodeId peer) {
        return queues.computeIfAbsent(peer, p -> {
            Queue fresh = new Queue();
            fresh.head = nextSeq;
            return fresh;
        });
    }

    Bounds bounds() {
        return bounds;
    }

    private static byte[] key(NodeId peer, long seq) {
        return ByteBuffer.allocate(KEY_BYTES).putLong(peer.value()).putLong(seq).array();
    }

    private static long seqOf(byte[] key) {
        return ByteBuffer.wrap(key, 8, 8).getLong();
    }
}
