package io.hyperkv.crdt;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * An immutable byte string: a Redis value, hash field or set member. Equality is by content and the
 * order is unsigned lexicographic, the order RocksDB and Redis (for ZRANGEBYLEX) use.
 */
public final class Bytes implements Comparable<Bytes> {

    public static final Bytes EMPTY = new Bytes(new byte[0]);

    private final byte[] data;
    private int hash;

    private Bytes(byte[] data) {
        this.data = data;
    }

    /** Copies {@code data}; later changes to the array do not show through. */
    public static Bytes of(byte[] data) {
        return new Bytes(data.clone());
    }

    public static Bytes of(String utf8) {
        return new Bytes(utf8.getBytes(StandardCharsets.UTF_8));
    }

    /** Takes ownership of {@code data} without copying; the caller must never change it again. */
    static Bytes wrap(byte[] data) {
        return new Bytes(data);
    }

    public int length() {
        return data.length;
    }

    public byte byteAt(int index) {
        return data[index];
    }

    /** A copy of the content. */
    public byte[] toByteArray() {
        return data.clone();
    }

    /** The content, not copied: callers must not change it. */
    byte[] array() {
        return data;
    }

    public String utf8() {
        return new String(data, StandardCharsets.UTF_8);
    }

    @Override
    public int compareTo(Bytes o) {
        return Arrays.compareUnsigned(data, o.data);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Bytes b && Arrays.equals(data, b.data);
    }

    @Override
    public int hashCode() {
        int h = hash;
        if (h == 0) {
            h = Arrays.hashCode(data);
            hash = h;
        }
        return h;
    }

    @Override
    public String toString() {
        return utf8();
    }
}
