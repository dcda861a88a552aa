package io.hyperkv.store;

/**
 * The 64-bit hash of one collection element row, (name, state), whose XOR over a collection's rows is
 * {@link Metadata#elementsHash()}. A row that does not exist hashes to 0, so a store keeps the XOR current with
 * {@code hash ^= of(name, before) ^ of(name, after)} on every row it writes, without reading other rows.
 *
 * <p>Both parts are hashed on their own ({@link StateHash#bytes}, which mixes in the length) and combined in order,
 * so no (name, state) pair collides with another by moving bytes from one to the other, and a row's hash is not its
 * swapped twin's. Replicas in equal CRDT states hold byte-equal rows ({@link io.hyperkv.crdt.ElementCodec} is
 * canonical), hence equal hashes.
 */
final class ElementHash {

    private ElementHash() {
    }

    /** The hash of row {@code name} holding {@code state}; 0 when {@code state} is null (no row). */
    static long of(byte[] name, byte[] state) {
        if (state == null) {
            return 0;
        }
        long h = Long.rotateLeft(StateHash.bytes(name) * 0x9E3779B97F4A7C15L, 29) ^ StateHash.bytes(state);
        // 0 means "no row": a real row never hashes to it
        return h == 0 ? 1 : h;
    }
}
