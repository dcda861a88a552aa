package io.hyperkv.resp;

/**
 * Receives each complete command a {@link RespDecoder} reads, in the order the client sent them.
 *
 * <p>{@code argv} is never empty, and the sink owns it and every argument array in it: the decoder keeps no reference.
 * A sink should not throw; if it does, the exception propagates out of {@link RespDecoder#decode} and the bytes of that
 * call after the command are not decoded.
 */
@FunctionalInterface
public interface CommandSink {
    void command(byte[][] argv);
}
