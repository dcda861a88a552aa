package io.hyperkv.server;

import io.hyperkv.resp.Reply;
import io.hyperkv.resp.RespEncoder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The replies of one burst when some of them are not known yet (a write waiting for W acknowledgements, WAIT, a
 * command forwarded to another node), in request order: runs of replies already encoded, and between them the
 * replies still to come. The connection keeps executing the burst's later commands meanwhile (pipelining is kept);
 * only the write to the socket waits, for {@link #ready()}, and then {@link #release} encodes everything in order.
 *
 * <p>Confined to the connection's event loop. Every held future must complete (the callers bound them); one that
 * fails becomes an {@code -ERR} reply.
 */
final class HeldReplies {

    private record Held(CompletableFuture<Reply> reply, int protocol) {
    }

    /** {@code byte[]} (encoded replies) and {@link Held} entries, in request order. */
    private final List<Object> parts = new ArrayList<>();
    private final List<CompletableFuture<Reply>> pending = new ArrayList<>();

    boolean isEmpty() {
        return parts.isEmpty();
    }

    /**
     * Holds the next reply: what {@code out} holds so far goes before it, what is written to {@code out} afterwards
     * goes after it. {@code protocol} is the connection's at the time (a later HELLO must not change this reply).
     */
    void hold(BufferOutput out, CompletableFuture<Reply> reply, int protocol) {
        if (out.size() > 0) {
            parts.add(out.take().getBytes());
        }
        parts.add(new Held(reply, protocol));
        pending.add(reply);
    }

    /** Completes (normally, whatever the replies) once every held reply is known. */
    CompletableFuture<Void> ready() {
        return CompletableFuture.allOf(pending.toArray(new CompletableFuture<?>[0])).handle((v, e) -> null);
    }

    /**
     * Everything in order, as the output to use from now on: the held parts, then what {@code out} holds (replies of
     * commands after the last held one). Call only once {@link #ready()} completed; this is empty afterwards.
     */
    BufferOutput release(BufferOutput out) {
        BufferOutput ordered = new BufferOutput();
        for (Object part : parts) {
            if (part instanceof byte[] bytes) {
                ordered.writeBytes(bytes, 0, bytes.length);
            } else {
                Held h = (Held) part;
                RespEncoder.encode(outcome(h.reply), h.protocol, ordered);
            }
        }
        if (out.size() > 0) {
            byte[] rest = out.take().getBytes();
            ordered.writeBytes(rest, 0, rest.length);
        }
        clear();
        return ordered;
    }

    /** Drops everything (the connection is closing). */
    void clear() {
        parts.clear();
        pending.clear();
    }

    private static Reply outcome(CompletableFuture<Reply> f) {
        try {
            return f.join();
        } catch (RuntimeException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            String msg = String.valueOf(cause.getMessage()).replace('\r', ' ').replace('\n', ' ');
            return Reply.error("ERR " + msg);
        }
    }
}
