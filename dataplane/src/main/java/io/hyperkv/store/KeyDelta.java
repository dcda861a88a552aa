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
 *   <li>{@code part}: the delta is one part of a collection's whole state too big for one message (anti-entropy
 *       ships such a key in parts, see {@link Part}): every element the sender has in the part's range of element
 *       names is named, so "not named and covered by the context" removes a receiver's element only inside that
 *       range; the context joins the receiver's only with the last part.</li>
 * </ul>
 *
 * <p>Merging a delta is idempotent, commutative and associative per key: at-least-once delivery in any order
 * converges. Encoding (big-endian):
 * <pre>
 * format u8 (1) | flags u8 (1: full, 2: part) | meta length u32 | meta (Metadata.encode)
 * | [part: after length i32 (-1: from the first) | after | upTo length i32 (-1: to the last) | upTo]
 * | element count u32 | { name length u32 | name | state length i32 (-1: removed) | state }*
 * </pre>
 */
public record KeyDelta(Metadata meta, List<Element> elements, boolean full, Part part) {

    public static final int FORMAT = 1;
    private static final int FULL = 1;
    private static final int PART = 2;

    /**
     * The range of element names one part of a key's whole state covers: those after {@code after} (null: from the
     * first) up to and including {@code upTo} (null: to the last; the key's last part), in unsigned byte order. The
     * sender names every element it holds in the range.
     *
     * <p>Why a part is safe to merge on its own: a collection's rows and its causal context belong together, and a
     * receiver that joined the whole context with only some rows would believe it had seen, and so drop, the dots of
     * the rows still to come. So a part joins its rows under the sender's context (a receiver's row in the range whose
     * dots the context covers and the part does not hold was removed there: observed-remove, exactly as for a whole
     * state, restricted to the range), but the receiver's context grows only by the dots of the rows the part names;
     * the sender's whole context joins with the last part. The sender captures the parts at different moments, so
     * every part of one transfer carries the context of the <em>first</em> ({@link #sharing}): contexts only grow, so
     * every dot of that context was, when a later part was captured, either in that part's rows or removed, and
     * joining it after all ranges arrived claims nothing the receiver has not seen. Each part is idempotent; a
     * transfer cut short leaves a valid state that the next round completes.
     */
    public record Part(byte[] after, byte[] upTo) {

        /** Whether {@code name} lies in this range. */
        public boolean covers(byte[] name) {
            return (after == null || Arrays.compareUnsigned(name, after) > 0)
                    && (upTo == null || Arrays.compareUnsigned(name, upTo) <= 0);
        }

        public boolean last() {
            return upTo == null;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Part p && Arrays.equals(after, p.after) && Arrays.equals(upTo, p.upTo);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(after) * 31 + Arrays.hashCode(upTo);
        }

        @Override
        public String toString() {
            return "Part[" + (after == null ? "first" : after.length + " bytes") + ".." + (upTo == null ? "last"
                    : upTo.length + " bytes") + "]";
        }
    }

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
        if (part != null && full) {
            throw new IllegalArgumentException("a delta is a whole state or a part of one, not both");
        }
    }

    /** A delta that is not a part: a replicated write ({@code full} false) or a whole state. */
    public KeyDelta(Metadata meta, List<Element> elements, boolean full) {
        this(meta, elements, full, null);
    }

    /** This part carrying {@code first}'s causal context: the first part of the same transfer (see {@link Part}). */
    public KeyDelta sharing(KeyDelta first) {
        return new KeyDelta(meta.withContext(first.meta.context()), elements, full, part);
    }

    /** The length of {@link #encode()}'s bytes, without encoding: what a message carrying this delta is sized by. */
    public int encodedLength() {
        return encodedLength(meta.encode().length);
    }

    private int encodedLength(int metaLength) {
        long len = 2 + 4 + metaLength + 4;
        if (part != null) {
            len += 8 + (part.after == null ? 0 : part.after.length) + (part.upTo == null ? 0 : part.upTo.length);
        }
        for (Element e : elements) {
            len += 4 + e.name.length + 4 + (e.state == null ? 0 : e.state.length);
        }
        if (len > Integer.MAX_VALUE - 16) {
            throw new StoreException("a key delta of " + len + " bytes is too large to encode");
        }
        return (int) len;
    }

    /** A delta with no element rows: strings, expiry changes, tombstones. */
    public static KeyDelta of(Metadata meta) {
        return new KeyDelta(meta, List.of(), false);
    }

    public byte[] encode() {
        byte[] m = meta.encode();
        ByteBuffer b = ByteBuffer.allocate(encodedLength(m.length));
        b.put((byte) FORMAT).put((byte) ((full ? FULL : 0) | (part != null ? PART : 0))).putInt(m.length).put(m);
        if (part != null) {
            putNullable(b, part.after);
            putNullable(b, part.upTo);
        }
        b.putInt(elements.size());
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
            int flags = b.get();
            boolean full = (flags & FULL) != 0;
            Metadata meta = Metadata.decode(take(b, b.getInt()));
            Part part = null;
            if ((flags & PART) != 0) {
                byte[] after = takeNullable(b);
                part = new Part(after, takeNullable(b));
            }
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
            return new KeyDelta(meta, elements, full, part);
        } catch (BufferUnderflowException | IndexOutOfBoundsException | IllegalArgumentException e) {
            throw new StoreException("truncated or malformed key delta: " + e);
        }
    }

    private static void putNullable(ByteBuffer b, byte[] bytes) {
        if (bytes == null) {
            b.putInt(-1);
        } else {
            b.putInt(bytes.length).put(bytes);
        }
    }

    private static byte[] takeNullable(ByteBuffer b) {
        int length = b.getInt();
        return length == -1 ? null : take(b, length);
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
