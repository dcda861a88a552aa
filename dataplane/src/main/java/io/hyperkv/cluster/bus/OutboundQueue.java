package io.hyperkv.cluster.bus;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongFunction;

/**
 * The acknowledged frames of one outbound link: a queue bounded in bytes, of which at most {@code window} frames are
 * in flight (sent, not yet acknowledged). Each frame gets the next sequence number when it is accepted and keeps it
 * through retransmission; acknowledgements are cumulative.
 *
 * <p>Invariants: {@code bytes()} is the sum of the sizes of queued and in-flight frames and never exceeds
 * {@code maxBytes}; an offer that would exceed it is refused at once (never blocks, never grows); sequence numbers of
 * queued and in-flight frames are increasing in send order; every accepted frame's future completes exactly once (ack,
 * nack, or {@link #failAll}).
 *
 * <p>Thread-safe: producers offer from any thread, the link's thread takes, acks and rewinds. Futures are completed
 * outside the lock.
 */
public final class OutboundQueue {

    /** One accepted frame. */
    public static final class Entry {
        private final long seq;
        private final byte[] frame;
        private final CompletableFuture<Void> acked = new CompletableFuture<>();

        Entry(long seq, byte[] frame) {
            this.seq = seq;
            this.frame = frame;
        }

        public long seq() {
            return seq;
        }

        public byte[] frame() {
            return frame;
        }

        /** Completes when the peer acknowledged the frame, exceptionally when it refused it or the link gave up. */
        public CompletableFuture<Void> acked() {
            return acked;
        }
    }

    private final long maxBytes;
    private final int window;
    private final ArrayDeque<Entry> queued = new ArrayDeque<>();
    private final ArrayDeque<Entry> inFlight = new ArrayDeque<>();
    private long bytes;
    private long nextSeq = 1;

    public OutboundQueue(long maxBytes, int window) {
        if (maxBytes <= 0 || window <= 0) {
            throw new IllegalArgumentException("maxBytes and window must be positive");
        }
        this.maxBytes = maxBytes;
        this.window = window;
    }

    /**
     * Accepts a frame built for the sequence number it is given, or returns null when its size would take the queue
     * past {@code maxBytes}: the caller keeps the data (a hint) and nothing was queued.
     */
    public synchronized Entry offer(LongFunction<byte[]> frameForSeq, long estimatedBytes) {
        if (bytes + estimatedBytes > maxBytes) {
            return null;
        }
        byte[] frame = frameForSeq.apply(nextSeq);
        if (bytes + frame.length > maxBytes) {
            return null;
        }
        Entry e = new Entry(nextSeq++, frame);
        queued.addLast(e);
        bytes += frame.length;
        return e;
    }

    /** Moves queued frames into flight while the window allows, and returns them to be written in order. */
    public synchronized List<Entry> takeSendable() {
        List<Entry> out = new ArrayList<>();
        while (inFlight.size() < window && !queued.isEmpty()) {
            Entry e = queued.pollFirst();
            inFlight.addLast(e);
            out.add(e);
        }
        return out;
    }

    /** Acknowledges every in-flight frame up to {@code seq}; returns how many. */
    public int ack(long seq) {
        List<Entry> done = new ArrayList<>();
        synchronized (this) {
            while (!inFlight.isEmpty() && inFlight.peekFirst().seq <= seq) {
                Entry e = inFlight.pollFirst();
                bytes -= e.frame.length;
                done.add(e);
            }
        }
        done.forEach(e -> e.acked.complete(null));
        return done.size();
    }

    /** The peer refused frame {@code seq}: earlier frames count as acknowledged (acks are cumulative), it fails. */
    public void nack(long seq, RuntimeException cause) {
        ack(seq - 1);
        Entry refused = null;
        synchronized (this) {
            if (!inFlight.isEmpty() && inFlight.peekFirst().seq == seq) {
                refused = inFlight.pollFirst();
                bytes -= refused.frame.length;
            }
        }
        if (refused != null) {
            refused.acked.completeExceptionally(cause);
        }
    }

    /** The connection dropped: every in-flight frame goes back to the head of the queue, to be sent again in order. */
    public synchronized int rewind() {
        int n = inFlight.size();
        Iterator<Entry> back = inFlight.descendingIterator();
        while (back.hasNext()) {
            queued.addFirst(back.next());
        }
        inFlight.clear();
        return n;
    }

    /** Gives up on every frame (the peer is down or removed); returns how many failed. */
    public int failAll(RuntimeException cause) {
        List<Entry> all;
        synchronized (this) {
            all = new ArrayList<>(inFlight);
            all.addAll(queued);
            inFlight.clear();
            queued.clear();
            bytes = 0;
        }
        all.forEach(e -> e.acked.completeExceptionally(cause));
        return all.size();
    }

    public synchronized long bytes() {
        return bytes;
    }

    public synchronized int inFlight() {
        return inFlight.size();
    }

    public synchronized int queued() {
        return queued.size();
    }

    public long maxBytes() {
        return maxBytes;
    }

    public int window() {
        return window;
    }
}
