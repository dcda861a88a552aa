package io.hyperkv.crdt;

import java.util.Objects;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * The hybrid logical clock of one node: physical milliseconds from the wall clock in the high 48
 * bits of {@link Stamp#time()}, a 16-bit logical counter below them, this node's id as tie-break.
 *
 * <p>Rules (Kulkarni et al., simplified to one packed counter):
 * <ul>
 *   <li>local event / send ({@link #next()}): {@code last = max(last + 1, pack(wall, 0))}; when the
 *       logical half would overflow the physical half moves one millisecond ahead of the wall;</li>
 *   <li>receive ({@link #observe(Stamp)}): {@code last = max(last, remote)}, so the next local stamp
 *       orders after everything this node has seen.</li>
 * </ul>
 *
 * <p>Invariants:
 * <ul>
 *   <li>every stamp {@link #next()} returns is strictly greater than every stamp it returned or
 *       observed before, in this process and in every earlier process that persisted its
 *       {@link #highWaterMark() high-water mark};</li>
 *   <li>no stamp above the high-water mark is issued or adopted before the mark has been handed to
 *       the persister, which must store it durably before returning. The mark is reserved
 *       {@code reserveAheadMillis} beyond the stamp that needed it, so the persister runs about once
 *       per reservation window rather than once per write. After a restart the clock is built from
 *       the persisted mark and starts above it: it may run ahead of the wall clock by up to one
 *       window until the wall catches up, never behind a stamp it issued;</li>
 *   <li>a remote stamp more than {@code maxForwardDriftMillis} ahead of the local wall clock is
 *       rejected with {@link ClockSkewException}, leaving the clock unchanged (see that class for
 *       why rejection rather than clamping).</li>
 * </ul>
 * Thread-safe; calls are serialized on the instance.
 */
public final class HybridLogicalClock implements Clock {

    /** Default tolerance for peers ahead of us: generous for NTP-synchronized machines. */
    public static final long DEFAULT_MAX_FORWARD_DRIFT_MILLIS = 60_000;
    /** Default reservation window: the persister runs about once per this many milliseconds. */
    public static final long DEFAULT_RESERVE_AHEAD_MILLIS = 10_000;

    private static final long MAX_PHYSICAL = (1L << (64 - Stamp.LOGICAL_BITS)) - 1;

    private final long nodeId;
    private final LongSupplier wallMillis;
    private final long maxForwardDriftMillis;
    private final long reserveAheadMillis;
    private final LongConsumer persister;

    private final long restartFloor;
    private long last;
    private long reserved;

    /**
     * @param nodeId                this node's id
     * @param wallMillis            the wall clock in milliseconds since the epoch
     * @param restoredHighWaterMark the last value given to {@code persister} before a restart, or 0
     *                              for a new node; every stamp issued is above it
     * @param maxForwardDriftMillis how far ahead of the wall a remote stamp may be and still be observed
     * @param reserveAheadMillis    how far beyond the current stamp each persisted mark reaches
     * @param persister             stores a new high-water mark durably before returning; if it
     *                              throws, the call that needed the mark fails and issues nothing
     */
    public HybridLogicalClock(long nodeId, LongSupplier wallMillis, long restoredHighWaterMark,
                              long maxForwardDriftMillis, long reserveAheadMillis, LongConsumer persister) {
        if (maxForwardDriftMillis < 0 || reserveAheadMillis < 0) {
            throw new IllegalArgumentException("drift and reservation must not be negative");
        }
        this.nodeId = nodeId;
        this.wallMillis = Objects.requireNonNull(wallMillis, "wallMillis");
        this.maxForwardDriftMillis = maxForwardDriftMillis;
        this.reserveAheadMillis = reserveAheadMillis;
        this.persister = Objects.requireNonNull(persister, "persister");
        this.restartFloor = restoredHighWaterMark;
        this.last = restoredHighWaterMark;
        this.reserved = restoredHighWaterMark;
    }

    /** A clock on the system wall clock with the default tolerance and reservation window. */
    public static HybridLogicalClock onSystemTime(long nodeId, long restoredHighWaterMark, LongConsumer persister) {
        return new HybridLogicalClock(nodeId, System::currentTimeMillis, restoredHighWaterMark,
                DEFAULT_MAX_FORWARD_DRIFT_MILLIS, DEFAULT_RESERVE_AHEAD_MILLIS, persister);
    }

    @Override
    public synchronized Stamp next() {
        long wall = Math.min(Math.max(wallMillis.getAsLong(), 0), MAX_PHYSICAL);
        long candidate = Stamp.pack(wall, 0);
        long time;
        if (Long.compareUnsigned(candidate, last) > 0) {
            time = candidate;
        } else if (last == -1L) {
            throw new IllegalStateException("hybrid logical clock exhausted");
        } else {
            // last + 1 carries from the logical into the physical half on overflow, as wanted.
            time = last + 1;
        }
        reserve(time);
        last = time;
        return new Stamp(time, nodeId);
    }

    @Override
    public synchronized void observe(Stamp remote) {
        long wall = wallMillis.getAsLong();
        if (remote.physicalMillis() > wall + maxForwardDriftMillis) {
            throw new ClockSkewException(remote, wall, maxForwardDriftMillis);
        }
        if (Long.compareUnsigned(remote.time(), last) > 0) {
            // Reserve before adopting: after a restart the clock must still be above what it saw,
            // or a local write could lose a last-writer-wins race against a value it already holds.
            reserve(remote.time());
            last = remote.time();
        }
    }

    @Override
    public long nodeId() {
        return nodeId;
    }

    /** The high-water mark this clock was built from: every stamp it issues is above it. */
    @Override
    public long restartFloor() {
        return restartFloor;
    }

    /** The greatest stamp time handed to the persister; a restarted clock must be built from it. */
    public synchronized long highWaterMark() {
        return reserved;
    }

    /** The time of the last stamp issued or observed. */
    public synchronized long lastTime() {
        return last;
    }

    private void reserve(long time) {
        if (Long.compareUnsigned(time, reserved) <= 0) {
            return;
        }
        long physical = Math.min((time >>> Stamp.LOGICAL_BITS) + reserveAheadMillis, MAX_PHYSICAL);
        long mark = Stamp.pack(physical, 0xFFFF);
        persister.accept(mark);
        reserved = mark;
    }
}
