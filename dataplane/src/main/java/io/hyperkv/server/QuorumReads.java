package io.hyperkv.server;

import io.hyperkv.cluster.Consistency;
import io.hyperkv.cluster.NodeId;
import io.hyperkv.resp.Reply;
import io.hyperkv.store.KeyDelta;
import io.hyperkv.store.Keyspace;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Predicate;

/**
 * Reads at R above one ({@code hyperkv.cluster.read-consistency} quorum or all): before a read runs here, the state
 * that R-1 other owners of its slot hold for its keys is fetched ({@code StateExchange.fetch}: in bounded messages, a big
 * key part after part) and merged into this node's keyspace (read repair: the merge is the CRDT join, so what this node had is kept and what it missed is
 * added), so the read sees every write that reached R owners. Too few owners up, or an answer missing after
 * {@code timeout}, makes the read's reply {@code -NOQUORUM}.
 *
 * <p>Thread-safe; merges run on {@code worker}, never on the thread that asked.
 */
final class QuorumReads {

    /**
     * The state another node holds for some keys of one database, handed to {@code merge} (on {@code executor}) piece
     * by piece: a key's whole state, or a big key's parts in order; nothing for a key it does not hold. Completes once
     * the last piece is merged.
     */
    @FunctionalInterface
    interface Fetch {
        CompletableFuture<Void> fetch(NodeId peer, int db, List<byte[]> keys, Executor executor,
                BiConsumer<byte[], KeyDelta> merge);
    }

    /** Why a read could not reach R owners; its message is the reply's text. */
    static final class NoQuorum extends RuntimeException {
        NoQuorum(String message) {
            super(message, null, false, false);
        }

        Reply reply() {
            return Reply.error(getMessage());
        }
    }

    private final NodeId self;
    private final Consistency read;
    private final Keyspace keyspace;
    private final Executor worker;
    private final Duration timeout;

    QuorumReads(NodeId self, Consistency read, Keyspace keyspace, Executor worker, Duration timeout) {
        this.self = self;
        this.read = read;
        this.keyspace = keyspace;
        this.worker = worker;
        this.timeout = timeout;
    }

    /** True when a read of a slot with these owners needs nothing from other owners. */
    boolean local(List<NodeId> owners) {
        return needed(owners) == 0;
    }

    private int needed(List<NodeId> owners) {
        return read.required(owners.size()) - (owners.contains(self) ? 1 : 0);
    }

    /**
     * Fetches and merges the state of {@code keys} from enough of {@code owners} (those {@code up} says are up, in
     * preference order); completes once merged, or exceptionally with {@link NoQuorum}.
     */
    CompletableFuture<Void> repair(List<NodeId> owners, Predicate<NodeId> up, Fetch fetch, int db,
            List<byte[]> keys) {
        int needed = needed(owners);
        List<NodeId> asked = new ArrayList<>();
        for (NodeId o : owners) {
            if (!o.equals(self) && up.test(o) && asked.size() < needed) {
                asked.add(o);
            }
        }
        if (asked.size() < needed) {
            return CompletableFuture.failedFuture(noQuorum(asked.size(), needed, "are up"));
        }
        List<CompletableFuture<Void>> merged = new ArrayList<>();
        for (NodeId peer : asked) {
            // a part merged before a timeout stays merged: a join, as any read repair
            merged.add(fetch.fetch(peer, db, keys, worker, (key, state) -> keyspace.merge(db, key, state))
                    .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS));
        }
        return CompletableFuture.allOf(merged.toArray(new CompletableFuture<?>[0])).handle((v, e) -> {
            if (e != null) {
                long answered = merged.stream().filter(f -> f.isDone() && !f.isCompletedExceptionally()).count();
                throw noQuorum((int) answered, needed, "answered the read within " + timeout.toMillis() + " ms");
            }
            return null;
        });
    }

    /** Counting this node, as W does. */
    private static NoQuorum noQuorum(int have, int needed, String what) {
        return new NoQuorum("NOQUORUM " + (have + 1) + " of " + (needed + 1) + " required replicas " + what);
    }
}
