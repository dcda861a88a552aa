package io.hyperkv.resp;

import java.util.Arrays;
import java.util.Objects;

/**
 * A {@link RespOutput} into one growable byte array: for tests, benchmarks, and a server that batches the replies of a
 * read burst before handing them to the socket. The bytes written so far are {@code array()[0..size())}; capacity
 * doubles when needed, so writing {@code n} bytes costs amortised O(n). Not thread-safe.
 */
public final class ByteArrayRespOutput implements RespOutput {

    private byte[] buf;
    private int size;

    public ByteArrayRespOutput() {
        this(256);
    }

    public ByteArrayRespOutput(int initialCapacity) {
        if (initialCapacity < 0) {
            throw new IllegalArgumentException("initialCapacity must not be negative: " + initialCapacity);
        }
        buf = new byte[initialCapacity];
    }

    @Override
    public void writeByte(int b) {
        if (size == buf.length) {
            grow(size + 1);
        }
        buf[size++] = (byte) b;
    }

    @Override
    public void writeBytes(byte[] b, int off, int len) {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len > buf.length - size) {
            grow((long) size + len);
        }
        System.arraycopy(b, off, buf, size, len);
        size += len;
    }

    /** Number of bytes written since creation or the last {@link #reset()}. */
    public int size() {
        return size;
    }

    /** Forgets the bytes written, keeping the capacity for reuse. */
    public void reset() {
        size = 0;
    }

    /** A copy of the bytes written. */
    public byte[] toByteArray() {
        return Arrays.copyOf(buf, size);
    }

    /** The backing array without copying; only {@code [0, size())} is meaningful and it changes on the next write. */
    public byte[] array() {
        return buf;
    }

    private void grow(long needed) {
        if (needed > Integer.MAX_VALUE - 8) {
            throw new OutOfMemoryError("reply larger than a Java array: " + needed + " bytes");
        }
        long doubled = Math.max(16L, (long) buf.length * 2);
        int capacity = (int) Math.min(Integer.MAX_VALUE - 8, Math.max(doubled, needed));
        buf = Arrays.copyOf(buf, capacity);
    }
}
