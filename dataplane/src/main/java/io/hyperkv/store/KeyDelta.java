package io.hyperkv.store;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One key's replicable change, as a node ships it to the key's other replicas (the opaque {@code delta} of a
 * {@link io.hyperkv.cluster.bus.DeltaEnvelope}) and as anti-entropy ships a whole key.
 *
 * <ul>
 *   <li>{@code meta}: the key's metadata as the sender stored it right after the write: a string's whole register
 *       (value, stamp, expiry), a collection's header (type, stamp, expiry and the causal context of the named rows:
 *       the dots they held before and after the write; the <em>full</em> context in a full delta), or a tombstone
 *       (with its full context: a tombstone is a whole state, so a receiver joins all its rows with it). {@code version} and {@code size} are the sender's and mean nothing to the receiver, which keeps
 *       its own.</li>
 *   <li>{@code elements}: the collection element rows the write touched, each named by its element (the bytes after
 *       {@code key|version} in {@link ColumnFamily#SUB}) with the sender's whole row state after the write, or a null
 *       state when the sender has no such row any more (removed). Rows not named are <em>not</em> part of the delta:
 *       the receiver merges named elements only, so the full context in {@code meta} removes nothing else.</li>
 *   <li>{@code full}: the delta is the key's whole state (anti-entropy, slot streaming): every element the sender
 *       has is named, so a receiver's element that is not named and whose dots the context covers was removed.</li>
 * </ul>
 *
 * <p>Merging a delta is idempotent, commutative and associative per key: at-least-once delivery in any order
 * converges. Encoding (big-endian):
 * <pre>
 * format u8 (1) | flags u8 (1: full) | meta length u32 | meta (Metadata.encode)
 * | element count u32 | { name length u32 | name | state length i32 (-1: removed) | state }*
 * </pre>
 */
public record KeyDelta(Metadata meta, List<Element> elements, boolean full) {

    public static final int FORMAT = 1;
    private static final int FULL = 1;

    /** One element row: {@code state} null means the sender holds no row for {@code name}. */
    public record Element(byte[] name, byte[] state) {
        public Element {
            Objects.requireNonNull(name, "name");
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Element e && Arrays.equals(name, e.name) && Arrays.equals(state, e.state);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(name) * 31 + Arrays.hashCode(state);
        }

        @Override
        public String toString() {
            return "Element[" + name.length + " bytes, " + (state == null ? "removed" : state.length + " bytes") + "]";
        }
    }

    public KeyDelta {
        Objects.requireNonNull(meta, "meta");
        elements = List.copyOf(elements);
    }

    /** A delta with no element rows: strings, expiry changes, tombstones. */
    public static KeyDelta of(Metadata meta) {
        return new KeyDelta(meta, List.of(), false);
    }

    public byte[] encode() {
        byte[] m = meta.encode();
        int len = 2 + 4 + m.length + 4;
        for (Element e : elements) {
            len += 4 + e.name.length + 4 + (e.state == null ? 0 : e.state.length);
        }
        ByteBuffer b = ByteBuffer.allocate(len);
        b.put((byte) FORMAT).put((byte) (full ? FULL : 0)).putInt(m.length).put(m).putInt(elements.size());
        for (Element e : elements) {
            b.putInt(e.name.length).put(e.name);
            if (e.state == null) {
                b.putInt(-1);
            } else {
                b.putInt(e.state.length).put(e.state);
            }
        }
        return b.array();
    }

    /** Decodes {@link #encode()}'s bytes; a malformed or truncated delta is a {@link StoreException}, never a partial one. */
    public static KeyDelta decode(byte[] bytes) {
        try {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            int format = b.get() & 0xFF;
            if (format != FORMAT) {
                throw new StoreException("unsupported key delta format " + format);
            }
            boolean full = (b.get() & FULL) != 0;
            Metadata meta = Metadata.decode(take(b, b.getInt()));
            int count = b.getInt();
            if (count < 0 || count > b.remaining() / 8) {
                throw new StoreException("key delta claims " + count + " elements in " + b.remaining() + " bytes");
            }
            List<Element> elements = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                byte[] name = take(b, b.getInt());
                int stateLength = b.getInt();
                elements.add(new Element(name, stateLength == -1 ? null : take(b, stateLength)));
            }
            if (b.hasRemaining()) {
                throw new StoreException("key delta has " + b.remaining() + " trailing bytes");
            }
            return new KeyDelta(meta, elements, full);
        } catch (BufferUnderflowException | IndexOutOfBoundsException | IllegalArgumentException e) {
            throw new StoreException("truncated or malformed key delta: " + e);
        }
    }

    private static byte[] take(ByteBuffer b, int length) {
        if (length < 0 || length > b.remaining()) {
            throw new StoreException("key delta field of " + length + " bytes with " + b.remaining() + " left");
        }
        byte[] out = new byte[length];
        b.get(out);
        return out;
    }
}
