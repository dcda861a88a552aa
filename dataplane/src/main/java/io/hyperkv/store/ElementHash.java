package io.hyperkv.store;

/**
 * The 64-bit hash of one collection element row, (name, state), whose XOR over a collection's rows is
 * {@link Metadata#elementsHash()}. A row that does not exist hashes to 0, so a store keeps the XOR current with
 * {@code hash ^= of(name, before) ^ of(name, after)} on every row it writes, without reading other rows.
 *
 * <p>Both parts are hashed with their lengths, so no (name, state) pair collides with another by moving bytes
 * from one to the other. The mixing is MurmurHash3's (x64 block function and finaliser): fast, and good enough that
 * two different collections' XORs differ except with negligible probability. Replicas in equal CRDT states hold
 * byte-equal rows ({@link io.hyperkv.crdt.ElementCodec} is canonical), hence equal hashes.
 */
final class ElementHash {

    private static final long C1 = 0x87c37b91114253d5L;
    private static final long C2 = 0x4cf5ad432745937fL;
    private static final long SEED = 0x9e3779b97f4a7c15L;

    private ElementHash() {
    }

    /** The hash of row {@code name} holding {@code state}; 0 when {@code state} is null (no row). */
    static long of(byte[] name, byte[] state) {
        if (state == null) {
            return 0;
        }
        long h = absorb(SEED ^ name.length, name);
        h = absorb(h ^ ((long) state.length << 32), state);
        long mixed = fmix(h);
        // 0 means "no row": a real row never hashes to it
        return mixed == 0 ? 1 : mixed;
    }

    /**
     * The XOR over the {@link ColumnFamily#SUB} rows under {@code prefix} (one collection version) of their hashes:
     * what {@link Metadata#elementsHash()} holds when maintained. O(rows).
     */
    static long ofRows(Engine engine, byte[] prefix) {
        long x = 0;
        try (Engine.Cursor c = engine.iterate(ColumnFamily.SUB, prefix, KeyCodec.prefixEnd(prefix))) {
            for (; c.valid(); c.next()) {
                x ^= of(ElementRows.element(c.key(), prefix.length), c.value());
            }
        }
        return x;
    }

    private static long absorb(long h, byte[] data) {
        int i = 0;
        for (; i + 8 <= data.length; i += 8) {
            h = round(h, littleEndian(data, i, 8));
        }
        if (i < data.length) {
            h = round(h, littleEndian(data, i, data.length - i));
        }
        return h;
    }

    private static long round(long h, long k) {
        k *= C1;
        k = Long.rotateLeft(k, 31);
        k *= C2;
        h ^= k;
        h = Long.rotateLeft(h, 27);
        return h * 5 + 0x52dce729;
    }

    private static long littleEndian(byte[] data, int from, int n) {
        long k = 0;
        for (int j = n - 1; j >= 0; j--) {
            k = (k << 8) | (data[from + j] & 0xFFL);
        }
        return k;
    }

    private static long fmix(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb9fe1a85ec53L;
        k ^= k >>> 33;
        return k;
    }
}
