package io.hyperkv.server;

import io.hyperkv.cluster.NodeId;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * What {@code WAIT} counts for one connection: per peer that was sent any of its writes, a future that is true once
 * the peer acknowledged every one of them (false as soon as one went to the hints instead). A peer that missed a write
 * stays uncounted for this connection, as a Redis replica whose offset is behind the client's last write.
 *
 * <p>{@link #record} runs on the connection's loop; the futures complete on the bus thread, and {@link #await}'s
 * result on whichever thread completes it.
 */
final class ReplicaAcks {

    private final Map<NodeId, CompletableFuture<Boolean>> upToDate = new HashMap<>();

    /** Adds one command's acknowledgements. */
    void record(Acks acks) {
        acks.perPeer().forEach((peer, acked) -> upToDate.merge(peer, acked,
                (before, now) -> before.thenCombine(now, Boolean::logicalAnd)));
    }

    /** True once a write of this connection was sent to some peer. */
    boolean wrote() {
        return !upToDate.isEmpty();
    }

    /** The number of peers that acknowledged all of this connection's writes by now. */
    int acknowledged() {
        return count(List.copyOf(upToDate.values()));
    }

    /**
     * Completes with the number of peers that acknowledged all of this connection's writes, as soon as that number
     * reaches {@code wanted}, or when {@code timeoutMillis} ran out (0: no bound).
     */
    CompletableFuture<Integer> await(int wanted, long timeoutMillis) {
        List<CompletableFuture<Boolean>> peers = List.copyOf(upToDate.values());
        CompletableFuture<Integer> result = new CompletableFuture<>();
        Runnable check = () -> {
            int n = count(peers);
            if (n >= wanted) {
                result.complete(n);
            }
        };
        check.run();
        if (result.isDone()) {
            return result;
        }
        peers.forEach(p -> p.whenComplete((ok, e) -> check.run()));
        if (timeoutMillis > 0) {
            CompletableFuture<Void> deadline = new CompletableFuture<Void>()
                    .completeOnTimeout(null, timeoutMillis, TimeUnit.MILLISECONDS);
            deadline.thenRun(() -> result.complete(count(peers)));
            result.whenComplete((n, e) -> deadline.cancel(false));
        }
        return result;
    }

    private static int count(List<CompletableFuture<Boolean>> peers) {
        int n = 0;
        for (CompletableFuture<Boolean> p : peers) {
            if (Boolean.TRUE.equals(p.getNow(false))) {
                n++;
            }
        }
        return n;
    }
}
