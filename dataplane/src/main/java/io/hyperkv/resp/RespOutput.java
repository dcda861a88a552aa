package io.hyperkv.resp;

/**
 * Where {@link RespEncoder} writes a reply: a byte sink that the server backs with its network buffer and tests back
 * with {@link ByteArrayRespOutput}. Implementations grow as needed and never fail for lack of room.
 */
public interface RespOutput {

    /** Writes the low eight bits of {@code b}. */
    void writeByte(int b);

    void writeBytes(byte[] b, int off, int len);

    default void writeBytes(byte[] b) {
        writeBytes(b, 0, b.length);
    }
}
