package io.hyperkv.server;

import io.hyperkv.cluster.ClusterNode;
import io.hyperkv.cluster.NodeId;
import io.hyperkv.command.Settings;
import io.hyperkv.resp.Reply;
import io.vertx.core.net.NetClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Relays commands to the node that owns their keys, over RESP connections to its client port ({@link OwnerLink}),
 * and hands back the owner's reply. One pooled, pipelined connection per (owner, database, protocol) carries single
 * commands of every client of this node; a transaction or a blocking command gets a connection of its own, closed
 * after its reply (a transaction may SELECT, a blocking command would hold up everyone behind it).
 *
 * <p>Each connection authenticates with this node's {@code requirepass} (the cluster's nodes share it) and names itself
 * {@value #LINK_NAME}: the owner runs what arrives on such a connection locally, never forwarding it again, so a
 * command makes at most one hop even while two nodes disagree about the topology.
 *
 * <p>A failure (owner unreachable, connection lost, {@link #TIMEOUT} exceeded for a pooled command) becomes an
 * {@code -ERR} reply naming the owner; the pooled connection is replaced on next use. Thread-safe.
 */
final class Forwarder {

    /** The client name of forwarding connections. */
    static final String LINK_NAME = "hkv.forward";
    /** Longest wait for an owner's reply to a pooled (non-blocking) command. */
    static final Duration TIMEOUT = Duration.ofSeconds(5);

    private record Key(NodeId node, int db, int protocol) {
    }

    private final NetClient client;
    private final Settings settings;
    private final Map<Key, CompletableFuture<OwnerLink>> pool = new ConcurrentHashMap<>();

    Forwarder(NetClient client, Settings settings) {
        this.client = client;
        this.settings = settings;
    }

    /** Sends {@code argv} to {@code owner} on the pooled connection for {@code db} and {@code protocol}. */
    CompletableFuture<Reply> forward(ClusterNode owner, int db, int protocol, byte[][] argv) {
        Key key = new Key(owner.id(), db, protocol);
        CompletableFuture<OwnerLink> link = pool.compute(key, (k, current) -> current == null
                || current.isCompletedExceptionally() || current.isDone() && !current.join().usable()
                ? open(owner, db, protocol) : current);
        CompletableFuture<Reply> reply = link.thenCompose(l -> l.send(List.<byte[][]>of(argv)).get(0));
        return relayed(owner, reply.orTimeout(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
    }

    /**
     * Sends {@code commands} to {@code owner} on a connection of their own, closed afterwards; the reply is that of
     * the last command. No time bound: a blocking command waits as long as it asked to.
     */
    CompletableFuture<Reply> forwardAlone(ClusterNode owner, int db, int protocol, List<byte[][]> commands) {
        CompletableFuture<Reply> reply = open(owner, db, protocol).thenCompose(l -> {
            List<CompletableFuture<Reply>> replies = l.send(commands);
            CompletableFuture<Reply> last = replies.get(replies.size() - 1);
            last.whenComplete((r, e) -> l.close());
            return last;
        });
        return relayed(owner, reply);
    }

    private CompletableFuture<OwnerLink> open(ClusterNode owner, int db, int protocol) {
        List<byte[][]> greeting = new ArrayList<>();
        String password = settings.requirepass();
        if (password != null && !password.isEmpty()) {
            greeting.add(argv("AUTH", password));
        }
        if (protocol == 3) {
            greeting.add(argv("HELLO", "3"));
        }
        if (db != 0) {
            greeting.add(argv("SELECT", Integer.toString(db)));
        }
        greeting.add(argv("CLIENT", "SETNAME", LINK_NAME));
        return OwnerLink.open(client, owner.host(), owner.port(), greeting);
    }

    private static CompletableFuture<Reply> relayed(ClusterNode owner, CompletableFuture<Reply> reply) {
        return reply.exceptionally(e -> {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            String why = cause instanceof java.util.concurrent.TimeoutException
                    ? "no reply within " + TIMEOUT.toMillis() + " ms" : String.valueOf(cause.getMessage());
            return Reply.error("ERR forwarding to node " + owner.id().shortHex() + " at " + owner.address()
                    + " failed: " + why.replace('\r', ' ').replace('\n', ' '));
        });
    }

    /** Closes every pooled connection and the client (node shutdown). */
    void close() {
        for (CompletableFuture<OwnerLink> link : pool.values()) {
            link.thenAccept(OwnerLink::close);
        }
        pool.clear();
        client.close();
    }

    private static byte[][] argv(String... words) {
        byte[][] out = new byte[words.length][];
        for (int i = 0; i < words.length; i++) {
            out[i] = words[i].getBytes(StandardCharsets.UTF_8);
        }
        return out;
    }
}
