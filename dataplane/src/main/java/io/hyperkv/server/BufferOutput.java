package io.hyperkv.server;

import io.hyperkv.resp.RespOutput;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;

/**
 * Collects the encoded replies of one read burst so they leave in a single socket write. Backed by
 * a growable heap ByteBuf handed to Vert.x without copying; a fresh one is started after each
 * {@link #take()}, because the taken buffer belongs to the socket from then on.
 */
final class BufferOutput implements RespOutput {

    private static final int INITIAL = 512;

    private ByteBuf buf = Unpooled.buffer(INITIAL);

    @Override
    public void writeByte(int b) {
        buf.writeByte(b);
    }

    @Override
    public void writeBytes(byte[] bytes, int off, int len) {
        buf.writeBytes(bytes, off, len);
    }

    int size() {
        return buf.readableBytes();
    }

    /** The bytes written since the last take, as a Vert.x buffer; this output starts empty again. */
    Buffer take() {
        Buffer out = Buffer.buffer(buf);
        buf = Unpooled.buffer(INITIAL);
        return out;
    }
}
