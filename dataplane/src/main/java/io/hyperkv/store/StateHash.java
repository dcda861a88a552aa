package io.hyperkv.store;

import io.hyperkv.crdt.Stamp;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The 64-bit hashes anti-entropy compares: of a key, of a key's replicated state, and their mix, the term a key adds
 * (by XOR) to its slot's digest.
 *
 * <p>The state hash covers exactly the fields two replicas with equal CRDT state hold equal: type, stamp, the expiry
 * field (deadline and stamp), the context (a collection's causal context, a counter's state) and the value (a
 * string's payload; a collection's {@code elementsHash}, which the stores keep equal to the XOR of their rows'
 * hashes). It leaves out {@code version} and {@code size} (local bookkeeping) and the encoding (a representation).
 * Tombstones have no term: a tombstone and "never heard of" both mean no data. Not a cryptographic hash: it finds
 * differences between honest replicas.
 */
public final class StateHash {

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long SEED = 0x9E3779B97F4A7C15L;

    private StateHash() {
    }

    /** The term {@code key} holding {@code meta} adds to its slot's digest: 0 for nothing or a tombstone. */
    public static long term(byte[] key, Metadata meta) {
        if (meta == null || meta.tombstone()) {
            return 0;
        }
        return fmix(bytes(key) * 31 + of(meta));
    }

    /** The hash of a live value's replicated state. */
    public static long of(Metadata m) {
        long h = SEED ^ m.type().code();
        h = step(h, m.stamp().time());
        h = step(h, m.stamp().node());
        h = step(h, m.expireAt());
        Stamp es = m.expiryStamp() == null ? Stamp.ZERO : m.expiryStamp();
        h = step(h, es.time());
        h = step(h, es.node());
        h = step(h, bytes(m.context()));
        h = step(h, m.type().hasSubkeys() ? m.elementsHash() : bytes(m.payload()));
        return fmix(h);
    }

    /** A 64-bit hash of {@code b}, eight bytes a step. */
    public static long bytes(byte[] b) {
        long h = SEED ^ b.length;
        int i = 0;
        for (; i + 8 <= b.length; i += 8) {
            h = step(h, (long) LONGS.get(b, i));
        }
        long tail = 0;
        for (int shift = 0; i < b.length; i++, shift += 8) {
            tail |= (b[i] & 0xFFL) << shift;
        }
        return fmix(step(h, tail));
    }

    private static long step(long h, long v) {
        return Long.rotateLeft(h ^ fmix(v), 27) * 0x9FB21C651E98DF25L;
    }

    /** MurmurHash3's 64-bit finalizer. */
    static long fmix(long k) {
        k ^= k >>> 33;
        k *= 0xFF51AFD7ED558CCDL;
        k ^= k >>> 33;
        k *= 0xC4CEB93FE1A85EC5L;
        k ^= k >>> 33;
        return k;
    }
}
