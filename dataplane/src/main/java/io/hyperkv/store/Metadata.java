package io.hyperkv.store;

import io.hyperkv.crdt.Stamp;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * What the {@link ColumnFamily#META} value of every key holds: its type and encoding, the
 * {@code version} under which its sub-keys live (a new version per creation, so DEL/overwrite of a
 * collection is O(1)), the HLC {@link Stamp} of the last write, the expiry (absolute Unix ms, 0 for
 * none) with the stamp of the write that set or cleared it, the element count of collections, an
 * opaque causal context reserved for the replication layer, and the inline payload (a string's bytes).
 *
 * <p>Encoding (big-endian), format 1:
 * <pre>
 * format u8 | type u8 | encoding u8 | flags u8 | version u64 | stamp.time u64 | stamp.node u64
 * [flags&amp;1: expireAt u64 | expiryStamp.time u64 | expiryStamp.node u64]
 * [flags&amp;2: size u64]
 * [flags&amp;4: context length u32 | context bytes]
 * payload (to the end)
 * </pre>
 * The expiry section is present once an expiry was ever written (PERSIST keeps its stamp with
 * expireAt 0), so last-writer-wins on the expiry field works from the first write.
 */
public record Metadata(
        ValueType type,
        Encoding encoding,
        long version,
        Stamp stamp,
        long expireAt,
        Stamp expiryStamp,
        long size,
        byte[] context,
        byte[] payload) {

    public static final int FORMAT = 1;
    private static final int HAS_EXPIRY = 1;
    private static final int HAS_SIZE = 2;
    private static final int HAS_CONTEXT = 4;
    private static final byte[] EMPTY = new byte[0];

    public Metadata {
        context = context == null ? EMPTY : context;
        payload = payload == null ? EMPTY : payload;
    }

    /** A string value written at {@code stamp}; a new key's version is its creating stamp's time. */
    public static Metadata string(byte[] value, Encoding encoding, long version, Stamp stamp, long expireAt, Stamp expiryStamp) {
        return new Metadata(ValueType.STRING, encoding, version, stamp, expireAt, expiryStamp, 0, null, value);
    }

    public boolean hasExpiry() {
        return expireAt != 0;
    }

    public boolean expiredAt(long nowMillis) {
        return expireAt != 0 && expireAt <= nowMillis;
    }

    public Metadata withExpiry(long newExpireAt, Stamp at) {
        return new Metadata(type, encoding, version, stamp, newExpireAt, at, size, context, payload);
    }

    public byte[] encode() {
        int flags = 0;
        int len = 4 + 24;
        if (expiryStamp != null) {
            flags |= HAS_EXPIRY;
            len += 24;
        }
        if (type.hasSubkeys()) {
            flags |= HAS_SIZE;
            len += 8;
        }
        if (context.length > 0) {
            flags |= HAS_CONTEXT;
            len += 4 + context.length;
        }
        len += payload.length;
        ByteBuffer b = ByteBuffer.allocate(len);
        b.put((byte) FORMAT).put((byte) type.code()).put((byte) encoding.code()).put((byte) flags);
        b.putLong(version).putLong(stamp.time()).putLong(stamp.node());
        if ((flags & HAS_EXPIRY) != 0) {
            b.putLong(expireAt).putLong(expiryStamp.time()).putLong(expiryStamp.node());
        }
        if ((flags & HAS_SIZE) != 0) {
            b.putLong(size);
        }
        if ((flags & HAS_CONTEXT) != 0) {
            b.putInt(context.length).put(context);
        }
        b.put(payload);
        return b.array();
    }

    public static Metadata decode(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        int format = b.get() & 0xFF;
        if (format != FORMAT) {
            throw new StoreException("unsupported metadata format " + format);
        }
        ValueType type = ValueType.ofCode(b.get() & 0xFF);
        Encoding encoding = Encoding.ofCode(b.get() & 0xFF);
        int flags = b.get() & 0xFF;
        long version = b.getLong();
        Stamp stamp = new Stamp(b.getLong(), b.getLong());
        long expireAt = 0;
        Stamp expiryStamp = null;
        if ((flags & HAS_EXPIRY) != 0) {
            expireAt = b.getLong();
            expiryStamp = new Stamp(b.getLong(), b.getLong());
        }
        long size = (flags & HAS_SIZE) != 0 ? b.getLong() : 0;
        byte[] context = EMPTY;
        if ((flags & HAS_CONTEXT) != 0) {
            context = new byte[b.getInt()];
            b.get(context);
        }
        byte[] payload = Arrays.copyOfRange(bytes, b.position(), bytes.length);
        return new Metadata(type, encoding, version, stamp, expireAt, expiryStamp, size, context, payload);
    }

    /** Reads only the expiry of an encoded value, for scans that need no payload copy. */
    public static long expireAtOf(byte[] bytes) {
        if ((bytes[3] & HAS_EXPIRY) == 0) {
            return 0;
        }
        return ByteBuffer.wrap(bytes, 28, 8).getLong();
    }

    public static ValueType typeOf(byte[] bytes) {
        return ValueType.ofCode(bytes[1] & 0xFF);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Metadata m && type == m.type && encoding == m.encoding && version == m.version
                && stamp.equals(m.stamp) && expireAt == m.expireAt && java.util.Objects.equals(expiryStamp, m.expiryStamp)
                && size == m.size && Arrays.equals(context, m.context) && Arrays.equals(payload, m.payload);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(type, encoding, version, stamp, expireAt, size) * 31 + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        return "Metadata[" + type + "/" + encoding + " v" + version + " " + stamp + " expireAt=" + expireAt
                + " size=" + size + " payload=" + payload.length + "B]";
    }
}
