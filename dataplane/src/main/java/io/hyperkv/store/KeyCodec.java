package io.hyperkv.store;

import java.util.Arrays;

/**
 * Byte layouts of the keys in each column family (see the table in {@code package-info.java}).
 * Every layout starts with the db index and then (except the expiry index) the slot, so a db or
 * a slot of a db is one contiguous range: FLUSHDB and slot transfer are range operations.
 */
public final class KeyCodec {

    private KeyCodec() {
    }

    /** {@code db u8 | slot u16 | key}. */
    public static byte[] meta(int db, byte[] key) {
        return meta(db, KeySlot.of(key), key);
    }

    /** Bytes before the user key in a {@link ColumnFamily#META} key: the db and the slot (two bytes). */
    static final int META_PREFIX = 3;

    public static byte[] meta(int db, int slot, byte[] key) {
        byte[] out = new byte[META_PREFIX + key.length];
        out[0] = (byte) db;
        out[1] = (byte) (slot >>> 8);
        out[2] = (byte) slot;
        System.arraycopy(key, 0, out, 3, key.length);
        return out;
    }

    /** The user key of a {@link ColumnFamily#META} key. */
    public static byte[] userKeyOfMeta(byte[] metaKey) {
        return Arrays.copyOfRange(metaKey, 3, metaKey.length);
    }

    public static int slotOfMeta(byte[] metaKey) {
        return ((metaKey[1] & 0xFF) << 8) | (metaKey[2] & 0xFF);
    }

    /** First key of db {@code db} (inclusive). */
    public static byte[] dbStart(int db) {
        return new byte[] {(byte) db};
    }

    /** End of db {@code db} (exclusive). Dbs are below 255, so db+1 never wraps. */
    public static byte[] dbEnd(int db) {
        return new byte[] {(byte) (db + 1)};
    }

    public static byte[] slotStart(int db, int slot) {
        return new byte[] {(byte) db, (byte) (slot >>> 8), (byte) slot};
    }

    /** {@code db u8 | slot u16 | keylen u32 | key | version u64}: the prefix of every sub-key of one version. */
    public static byte[] subPrefix(int db, byte[] key, long version) {
        int slot = KeySlot.of(key);
        byte[] out = new byte[3 + 4 + key.length + 8];
        out[0] = (byte) db;
        out[1] = (byte) (slot >>> 8);
        out[2] = (byte) slot;
        putInt(out, 3, key.length);
        System.arraycopy(key, 0, out, 7, key.length);
        putLong(out, 7 + key.length, version);
        return out;
    }

    /** {@code subPrefix | field}. */
    public static byte[] sub(int db, byte[] key, long version, byte[] field) {
        byte[] prefix = subPrefix(db, key, version);
        byte[] out = Arrays.copyOf(prefix, prefix.length + field.length);
        System.arraycopy(field, 0, out, prefix.length, field.length);
        return out;
    }

    /** The first key after every key starting with {@code prefix}, or null if there is none. */
    public static byte[] prefixEnd(byte[] prefix) {
        byte[] end = prefix.clone();
        for (int i = end.length - 1; i >= 0; i--) {
            if (end[i] != (byte) 0xFF) {
                end[i]++;
                return Arrays.copyOf(end, i + 1);
            }
        }
        return null;
    }

    /** {@code db u8 | key}: the key-order index (no slot, so a db's keys are in byte order). */
    public static byte[] order(int db, byte[] key) {
        byte[] out = new byte[1 + key.length];
        out[0] = (byte) db;
        System.arraycopy(key, 0, out, 1, key.length);
        return out;
    }

    public static byte[] userKeyOfOrder(byte[] orderKey) {
        return Arrays.copyOfRange(orderKey, 1, orderKey.length);
    }

    /** {@code db u8 | expireAt u64 | slot u16 | key}: the expiry index, earliest deadline first within a db. */
    public static byte[] expire(int db, long expireAt, byte[] key) {
        int slot = KeySlot.of(key);
        byte[] out = new byte[1 + 8 + 2 + key.length];
        out[0] = (byte) db;
        putLong(out, 1, expireAt);
        out[9] = (byte) (slot >>> 8);
        out[10] = (byte) slot;
        System.arraycopy(key, 0, out, 11, key.length);
        return out;
    }

    public static long expireAtOfIndex(byte[] indexKey) {
        return getLong(indexKey, 1);
    }

    public static byte[] userKeyOfIndex(byte[] indexKey) {
        return Arrays.copyOfRange(indexKey, 11, indexKey.length);
    }

    static void putInt(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }

    static void putLong(byte[] b, int at, long v) {
        for (int i = 7; i >= 0; i--) {
            b[at + i] = (byte) v;
            v >>>= 8;
        }
    }

    static long getLong(byte[] b, int at) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[at + i] & 0xFF);
        }
        return v;
    }
}
