package io.hyperkv.store;

import io.hyperkv.crdt.Stamp;
import java.nio.ByteBuffer;

/**
 * The 64-bit hashes anti-entropy compares: of a key's replicated state, and the term a key adds (by XOR) to its slot's
 * digest. Both hash a canonical encoding of the state with the mixing of {@link ElementHash} (the key taking the
 * place of a row's name).
 *
 * <p>The state covers exactly the fields two replicas with equal CRDT state hold equal: type, stamp, the expiry field
 * (deadline and stamp), the context (a collection's causal context, a counter's state), a string's observed context
 * (the collections it replaced) and the value (a string's
 * payload; a collection's {@code elementsHash}, which the stores keep equal to the XOR of their rows' hashes). It
 * leaves out {@code version} and {@code size} (local bookkeeping) and the encoding (a representation). Tombstones have
 * no term: a tombstone and "never heard of" both mean no data. Not a cryptographic hash: it finds differences between
 * honest replicas.
 */
public final class StateHash {

    private static final byte[] NO_NAME = new byte[0];

    private StateHash() {
    }

    /** The term {@code key} holding {@code meta} adds to its slot's digest: 0 for nothing or a tombstone. */
    public static long term(byte[] key, Metadata meta) {
        if (meta == null || meta.tombstone()) {
            return 0;
        }
        return ElementHash.of(key, state(meta));
    }

    /** The hash of a live value's replicated state. */
    public static long of(Metadata m) {
        return ElementHash.of(NO_NAME, state(m));
    }

    private static byte[] state(Metadata m) {
        byte[] value = m.type().hasSubkeys() ? null : m.payload();
        ByteBuffer b = ByteBuffer.allocate(1 + 5 * 8 + 4 + m.context().length + (value == null ? 8 : value.length));
        Stamp es = m.expiryStamp() == null ? Stamp.ZERO : m.expiryStamp();
        b.put((byte) m.type().code()).putLong(m.stamp().time()).putLong(m.stamp().node());
        b.putLong(m.expireAt()).putLong(es.time()).putLong(es.node());
        b.putInt(m.context().length).put(m.context());
        if (value == null) {
            b.putLong(m.elementsHash());
        } else {
            b.put(value);
        }
        if (m.observed().length == 0) {
            return b.array();
        }
        // a string's observed context: appended only when present, so every value without one hashes as before
        return ByteBuffer.allocate(b.capacity() + 4 + m.observed().length).put(b.array()).putInt(m.observed().length)
                .put(m.observed()).array();
    }
}
