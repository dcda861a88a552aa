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
 * <p>Encoding (big-endian), format 2:
 * <pre>
 * format u8 | type u8 | encoding u8 | flags u8 | version u64 | stamp.time u64 | stamp.node u64
 * [flags&amp;1: expireAt u64 | expiryStamp.time u64 | expiryStamp.node u64]
 * [flags&amp;2: size u64]
 * [flags&amp;4: context length u32 | context bytes]
 * [flags&amp;16: elementsHash u64]
 * [flags&amp;64: observed length u32 | observed bytes]
 * payload (to the end)
 * </pre>
 * Flag 64 (absent in rows written before it: they decode with nothing observed) holds the <em>observed context</em>
 * of a string (live or tombstone): the causal context (an encoded {@code CausalContext}) of the collections the key's
 * value replaced, carried forward by every later string write and deletion and joined by merges, so that a collection
 * created over the string later starts from a context covering the replaced elements' dots (observed-remove across a
 * change of type: a SET over a set removes the elements it saw on every replica). A string cannot keep it in
 * {@code context}, which holds its counter state; a collection (live or tombstone) keeps it in its own context and
 * never sets flag 64.
 * Flag 32 (no hash bytes follow) says the collection's {@code elementsHash} is not maintained: it was written while
 * the keyspace did not replicate, when no row write pays for hashing. It decodes as {@link #STALE_HASH}, as does a
 * live collection of format 1 (written before there was a hash); the pass that starts replication recomputes it.
 * <pre>
 * </pre>
 * The expiry section is present once an expiry was ever written (PERSIST keeps its stamp with
 * expireAt 0), so last-writer-wins on the expiry field works from the first write.
 *
 * <p>Flag 8 marks a <em>tombstone</em>: the key was deleted (DEL, overwrite by another type, a
 * collection emptied) and the row stays so that replication can tell "deleted at {@code stamp},
 * having seen {@code context}" from "never heard of": a delta older than the tombstone, or whose
 * dots the context covers, is dropped instead of resurrecting the key. A tombstone is not a live
 * key: reads, counters, SCAN and the key-order index never show it. {@code type} is the type that
 * was deleted. Tombstones are collected after a grace period (see {@code Keyspace}).
 *
 * <p>{@code elementsHash} is the XOR of the hashes of a collection's element rows, maintained
 * incrementally by the stores on every row write while the keyspace replicates, so the state hash of a key
 * (anti-entropy digests) never needs its rows read; on a single node it is {@link #STALE_HASH} once a write
 * changed a row. Format 1 rows (no tombstones, no hash) are still read.
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
        byte[] payload,
        boolean tombstone,
        long elementsHash,
        byte[] observed) {

    public static final int FORMAT = 2;
    private static final int HAS_EXPIRY = 1;
    private static final int HAS_SIZE = 2;
    private static final int HAS_CONTEXT = 4;
    private static final int TOMBSTONE = 8;
    private static final int HAS_ELEMENTS_HASH = 16;
    private static final int HASH_STALE = 32;
    private static final int HAS_OBSERVED = 64;
    /**
     * The {@link #elementsHash()} of a collection whose hash nobody maintained (see the class comment). Encoded as flag
     * 32 rather than its value; a real XOR of row hashes equal to it (probability 2^-64) round-trips unchanged and is
     * merely recomputed once more.
     */
    public static final long STALE_HASH = 0x5354_414c_4548_4153L;
    private static final byte[] EMPTY = new byte[0];

    public Metadata {
        context = context == null ? EMPTY : context;
        payload = payload == null ? EMPTY : payload;
        observed = observed == null ? EMPTY : observed;
    }

    /** A value that covers no dot beyond its own context (every collection, and strings that never replaced one). */
    public Metadata(ValueType type, Encoding encoding, long version, Stamp stamp, long expireAt, Stamp expiryStamp,
            long size, byte[] context, byte[] payload, boolean tombstone, long elementsHash) {
        this(type, encoding, version, stamp, expireAt, expiryStamp, size, context, payload, tombstone, elementsHash,
                EMPTY);
    }

    /** A live value with no element hash yet (the form every writer used before format 2). */
    public Metadata(ValueType type, Encoding encoding, long version, Stamp stamp, long expireAt, Stamp expiryStamp,
            long size, byte[] context, byte[] payload) {
        this(type, encoding, version, stamp, expireAt, expiryStamp, size, context, payload, false, 0);
    }

    /**
     * The tombstone of a key of {@code type} deleted at {@code stamp}, having seen {@code context} (a collection's
     * causal context; empty for strings). No expiry, no payload, size 0.
     */
    public static Metadata tombstone(ValueType type, long version, Stamp stamp, byte[] context) {
        return new Metadata(type, Encoding.RAW, version, stamp, 0, null, 0, context, EMPTY, true, 0);
    }

    /** This value with another element hash (the stores keep it equal to the XOR of their rows' hashes). */
    public Metadata withElementsHash(long hash) {
        return new Metadata(type, encoding, version, stamp, expireAt, expiryStamp, size, context, payload, tombstone, hash,
                observed);
    }

    /** This value with another causal context (a collection's delta ships the context of the rows it names). */
    public Metadata withContext(byte[] newContext) {
        return new Metadata(type, encoding, version, stamp, expireAt, expiryStamp, size, newContext, payload, tombstone,
                elementsHash, observed);
    }

    /** This string value (live or tombstone) with another observed context (see the class comment). */
    public Metadata withObserved(byte[] newObserved) {
        return new Metadata(type, encoding, version, stamp, expireAt, expiryStamp, size, context, payload, tombstone,
                elementsHash, newObserved);
    }

    /** A string value written at {@code stamp}; a new key's version is its creating stamp's time. */
    public static Metadata string(byte[] value, Encoding encoding, long version, Stamp stamp, long expireAt, Stamp expiryStamp) {
        return new Metadata(ValueType.STRING, encoding, version, stamp, expireAt, expiryStamp, 0, null, value);
    }

    /** Whether this live collection's {@link #elementsHash()} is not maintained and must be computed from its rows. */
    public boolean hashStale() {
        return elementsHash == STALE_HASH && type.hasSubkeys() && !tombstone;
    }

    public boolean hasExpiry() {
        return expireAt != 0;
    }

    public boolean expiredAt(long nowMillis) {
        return expireAt != 0 && expireAt <= nowMillis;
    }

    public Metadata withExpiry(long newExpireAt, Stamp at) {
        return new Metadata(type, encoding, version, stamp, newExpireAt, at, size, context, payload, tombstone,
                elementsHash, observed);
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
        if (tombstone) {
            flags |= TOMBSTONE;
        }
        if (elementsHash == STALE_HASH) {
            flags |= HASH_STALE;
        } else if (elementsHash != 0) {
            flags |= HAS_ELEMENTS_HASH;
            len += 8;
        }
        if (observed.length > 0) {
            flags |= HAS_OBSERVED;
            len += 4 + observed.length;
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
        if ((flags & HAS_ELEMENTS_HASH) != 0) {
            b.putLong(elementsHash);
        }
        if ((flags & HAS_OBSERVED) != 0) {
            b.putInt(observed.length).put(observed);
        }
        b.put(payload);
        return b.array();
    }

    public static Metadata decode(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        int format = b.get() & 0xFF;
        if (format != FORMAT && format != 1) {
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
        long elementsHash = (flags & HAS_ELEMENTS_HASH) != 0 ? b.getLong() : 0;
        if ((flags & HASH_STALE) != 0 || (format == 1 && type.hasSubkeys() && (flags & TOMBSTONE) == 0)) {
            elementsHash = STALE_HASH;
        }
        byte[] observed = EMPTY;
        if ((flags & HAS_OBSERVED) != 0) {
            observed = new byte[b.getInt()];
            b.get(observed);
        }
        byte[] payload = Arrays.copyOfRange(bytes, b.position(), bytes.length);
        return new Metadata(type, encoding, version, stamp, expireAt, expiryStamp, size, context, payload,
                (flags & TOMBSTONE) != 0, elementsHash, observed);
    }

    /** Reads only the expiry of an encoded value, for scans that need no payload copy. */
    public static long expireAtOf(byte[] bytes) {
        if ((bytes[3] & HAS_EXPIRY) == 0) {
            return 0;
        }
        return ByteBuffer.wrap(bytes, 28, 8).getLong();
    }

    /** Reads only the stamp of an encoded value (it follows format, type, encoding, flags and version). */
    public static Stamp stampOf(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes, 12, 16);
        return new Stamp(b.getLong(), b.getLong());
    }

    /** Whether an encoded value is a tombstone, for scans that need no decoding. */
    public static boolean isTombstone(byte[] bytes) {
        return (bytes[3] & TOMBSTONE) != 0;
    }

    public static ValueType typeOf(byte[] bytes) {
        return ValueType.ofCode(bytes[1] & 0xFF);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Metadata m && type == m.type && encoding == m.encoding && version == m.version
                && stamp.equals(m.stamp) && expireAt == m.expireAt && java.util.Objects.equals(expiryStamp, m.expiryStamp)
                && size == m.size && Arrays.equals(context, m.context) && Arrays.equals(payload, m.payload)
                && tombstone == m.tombstone && elementsHash == m.elementsHash && Arrays.equals(observed, m.observed);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(type, encoding, version, stamp, expireAt, size) * 31 + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        return "Metadata[" + (tombstone ? "tombstone " : "") + type + "/" + encoding + " v" + version + " " + stamp + " expireAt=" + expireAt
                + " size=" + size + " payload=" + payload.length + "B]";
    }
}
