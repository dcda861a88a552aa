package io.hyperkv.store;

import io.hyperkv.crdt.Stamp;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;

/**
 * A FLUSHDB/FLUSHALL in cluster mode (DESIGN.md section 4, "cluster-wide operation with an HLC cut"): the databases
 * {@code [fromDb, toDb)} lose, on every replica, every key whose state is stamped at or before {@code cut}, an HLC
 * stamp the flushing node took while it held every key lock. See {@link Keyspace#applyCut} for the rules.
 *
 * <p>Travels as the opaque delta of a replication envelope, so it shares the bus's acknowledgements, retries and
 * hinted handoff with ordinary deltas. Its first byte, {@value #FORMAT}, is never a {@link KeyDelta} format, which is
 * how a receiver tells the two apart. Encoding (big-endian):
 * <pre>
 * format u8 (0xC7) | fromDb u8 | toDb u8 | cut time u64 | cut node u64
 * </pre>
 *
 * <p>Invariant: {@code 0 <= fromDb < toDb <= 255}, cut non-null.
 */
public record FlushCut(int fromDb, int toDb, Stamp cut) {

    public static final int FORMAT = 0xC7;
    private static final int LENGTH = 3 + 16;
    /** The key a cut's envelope names: one fixed key, so it has a slot like any delta; never looked at as a key. */
    public static final byte[] ENVELOPE_KEY = "\u0000hkv:flush-cut".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    public FlushCut {
        if (fromDb < 0 || toDb <= fromDb || toDb > 255) {
            throw new IllegalArgumentException("databases [" + fromDb + ", " + toDb + ") are not a valid range");
        }
        java.util.Objects.requireNonNull(cut, "cut");
    }

    /** Whether {@code delta} (an envelope's bytes) is a cut rather than a {@link KeyDelta}. */
    public static boolean is(byte[] delta) {
        return delta.length > 0 && (delta[0] & 0xFF) == FORMAT;
    }

    public byte[] encode() {
        return ByteBuffer.allocate(LENGTH).put((byte) FORMAT).put((byte) fromDb).put((byte) toDb)
                .putLong(cut.time()).putLong(cut.node()).array();
    }

    /** Decodes {@link #encode()}'s bytes; anything else is a {@link StoreException}. */
    public static FlushCut decode(byte[] bytes) {
        if (bytes.length != LENGTH || !is(bytes)) {
            throw new StoreException("not a flush cut (" + bytes.length + " bytes)");
        }
        try {
            ByteBuffer b = ByteBuffer.wrap(bytes, 1, LENGTH - 1);
            return new FlushCut(b.get() & 0xFF, b.get() & 0xFF, new Stamp(b.getLong(), b.getLong()));
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new StoreException("malformed flush cut: " + e.getMessage());
        }
    }
}
