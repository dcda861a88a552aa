package io.hyperkv.server;

import io.hyperkv.cluster.bus.BusFrames;
import io.hyperkv.resp.Reply;
import io.hyperkv.resp.ReplyParser;
import io.hyperkv.resp.RespProtocolException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A pipelined RESP client connection from this node to another node's client port, over which it relays the commands
 * of its own clients that the other node owns. Requests are written in order and their replies matched in order
 * (first in, first out), so any number may be in flight. The connection is set up by a greeting (AUTH, HELLO 3,
 * SELECT, CLIENT SETNAME as needed) before it carries anything, and is unusable once closed: every request still
 * waiting fails then, and the owner of the link opens a new one.
 *
 * <p>Thread-safe: {@link #send} may be called from any thread (writing and queueing the reply's future happen under
 * one lock, so the queue order is the wire order); replies complete on the socket's event loop.
 */
final class OwnerLink {

    private final NetSocket socket;
    private final String remote;
    private final ReplyParser parser = new ReplyParser();
    private final ArrayDeque<CompletableFuture<Reply>> waiting = new ArrayDeque<>();
    private String failure;

    private OwnerLink(NetSocket socket, String remote) {
        this.socket = socket;
        this.remote = remote;
        socket.handler(this::onBytes);
        socket.closeHandler(v -> fail("the connection to " + remote + " closed"));
        socket.exceptionHandler(e -> fail("the connection to " + remote + " failed: " + e.getMessage()));
    }

    /**
     * Connects to {@code host:port} and sends {@code greeting}; completes once every greeting command answered
     * without an error, or fails with the first error (the connection is then closed).
     */
    static CompletableFuture<OwnerLink> open(NetClient client, String host, int port, List<byte[][]> greeting) {
        String remote = host + ":" + port;
        CompletableFuture<OwnerLink> result = new CompletableFuture<>();
        client.connect(port, host).onComplete(ar -> {
            if (ar.failed()) {
                result.completeExceptionally(new IllegalStateException("cannot connect to " + remote + ": "
                        + ar.cause().getMessage()));
                return;
            }
            OwnerLink link = new OwnerLink(ar.result(), remote);
            if (greeting.isEmpty()) {
                result.complete(link);
                return;
            }
            List<CompletableFuture<Reply>> replies = link.send(greeting);
            CompletableFuture.allOf(replies.toArray(new CompletableFuture<?>[0])).whenComplete((v, e) -> {
                String refused = e != null ? e.getMessage() : firstError(replies);
                if (refused == null) {
                    result.complete(link);
                } else {
                    link.close();
                    result.completeExceptionally(new IllegalStateException(remote + " refused the connection: "
                            + refused));
                }
            });
        });
        return result;
    }

    private static String firstError(List<CompletableFuture<Reply>> replies) {
        for (CompletableFuture<Reply> r : replies) {
            if (r.join() instanceof Reply.Error e) {
                return e.message();
            }
        }
        return null;
    }

    /** Writes {@code commands} in one write; one future per command, completing with its reply. */
    synchronized List<CompletableFuture<Reply>> send(List<byte[][]> commands) {
        List<CompletableFuture<Reply>> replies = new ArrayList<>(commands.size());
        if (failure != null) {
            for (int i = 0; i < commands.size(); i++) {
                replies.add(CompletableFuture.failedFuture(new IllegalStateException(failure)));
            }
            return replies;
        }
        Buffer bytes = Buffer.buffer();
        for (byte[][] argv : commands) {
            bytes.appendBytes(BusFrames.encode(argv));
            CompletableFuture<Reply> reply = new CompletableFuture<>();
            waiting.add(reply);
            replies.add(reply);
        }
        socket.write(bytes);
        return replies;
    }

    /** True until the connection closed or failed. */
    synchronized boolean usable() {
        return failure == null;
    }

    void close() {
        socket.close();
    }

    private void onBytes(Buffer data) {
        byte[] bytes = data.getBytes();
        try {
            parser.feed(bytes, 0, bytes.length, this::answered);
        } catch (RespProtocolException e) {
            fail(remote + " sent an unreadable reply: " + e.getMessage());
            socket.close();
        }
    }

    private void answered(Reply reply) {
        CompletableFuture<Reply> next;
        synchronized (this) {
            next = waiting.poll();
        }
        if (next != null) {
            next.complete(reply);
        }
    }

    private void fail(String why) {
        List<CompletableFuture<Reply>> pending;
        synchronized (this) {
            if (failure != null) {
                return;
            }
            failure = why;
            pending = new ArrayList<>(waiting);
            waiting.clear();
        }
        IllegalStateException e = new IllegalStateException(why);
        pending.forEach(f -> f.completeExceptionally(e));
    }
}
