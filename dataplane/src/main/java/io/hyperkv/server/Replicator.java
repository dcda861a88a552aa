package io.hyperkv.server;

import io.hyperkv.cluster.ClusterNode;
import io.hyperkv.cluster.Consistency;
import io.hyperkv.cluster.CurrentTopology;
import io.hyperkv.cluster.NodeId;
import io.hyperkv.cluster.Topology;
import io.hyperkv.cluster.bus.Delivery;
import io.hyperkv.cluster.bus.DeltaEnvelope;
import io.hyperkv.cluster.bus.HintSink;
import io.hyperkv.cluster.bus.Origin;
import io.hyperkv.crdt.Stamp;
import io.hyperkv.store.DeltaSink;
import io.hyperkv.store.FlushCut;
import io.hyperkv.store.KeyDelta;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Ships every committed local change to the other owners of its key's slot (cluster mode only): the {@link DeltaSink}
 * of the node's keyspace, feeding the replication bus. The owners are those of the topology in force when the change
 * is committed; this node is never sent its own change.
 *
 * <p>A client command runs inside a {@link Scope} ({@link #open()} on the thread that runs it): the changes it commits
 * are collected per peer and leave as one batch per peer when the scope closes, and the scope's {@link Acks} tell the
 * connection when the write has W acknowledgements ({@code hyperkv.cluster.write-consistency}, this node counting as
 * one when it owns the slot). A change committed outside any scope (active expiry, a background task) leaves at once,
 * alone, and nobody waits for it.
 *
 * <p>A batch the bus refuses, or whose delivery fails (NACK, link given up), goes to the {@link HintSink}, which
 * delivers it when the peer is back; the write itself stays applied here whatever W says, so a {@code -NOQUORUM}
 * reply means "not known to be on enough replicas yet", never "not written".
 *
 * <p>Threading: {@link #committed} runs on the writing thread under the key's lock and only appends to the scope or
 * queues on the bus (never blocks). Scopes are confined to the thread that opened them. The futures of {@link Acks}
 * complete on the bus thread or the timer thread.
 */
final class Replicator implements DeltaSink {

    /** Where batches go: {@code BusNode::send} in a node. */
    @FunctionalInterface
    interface Sender {
        Delivery send(NodeId peer, List<DeltaEnvelope> batch);
    }

    private final NodeId self;
    private final CurrentTopology topology;
    private final Sender sender;
    private final HintSink hints;
    private final Consistency write;
    private final Duration ackTimeout;
    private final ThreadLocal<Scope> open = new ThreadLocal<>();

    Replicator(NodeId self, CurrentTopology topology, Sender sender, HintSink hints, Consistency write,
            Duration ackTimeout) {
        this.self = self;
        this.topology = topology;
        this.sender = sender;
        this.hints = hints;
        this.write = write;
        this.ackTimeout = ackTimeout;
    }

    Duration ackTimeout() {
        return ackTimeout;
    }

    /**
     * Starts collecting the changes this thread commits, until {@link Scope#close()}. Scopes do not nest: a command
     * that runs others (EXEC) collects them all in its own scope.
     */
    Scope open() {
        Scope s = open.get();
        if (s != null) {
            throw new IllegalStateException("a replication scope is already open on " + Thread.currentThread());
        }
        s = new Scope();
        open.set(s);
        return s;
    }

    @Override
    public void committed(int db, byte[] key, int slot, KeyDelta delta) {
        Topology t = topology.get().orElse(null);
        if (t == null) {
            // No topology, no owners to tell; a node without one is not ready and anti-entropy syncs it later.
            return;
        }
        List<NodeId> owners = t.ownersOf(slot);
        route(owners, new DeltaEnvelope(db, slot, key, delta.meta().stamp(), delta.encode(), Origin.LIVE));
    }

    /**
     * A local FLUSHDB/FLUSHALL's cut goes to every node of the cluster, not only a slot's owners, and counts towards W
     * like a write whose owner set is the whole cluster (hints keep it for a node that is down).
     */
    @Override
    public void flushed(int fromDb, int toDb, Stamp cut) {
        Topology t = topology.get().orElse(null);
        if (t == null) {
            return;
        }
        route(t.nodes().stream().map(ClusterNode::id).toList(),
                DeltaApplier.envelope(new FlushCut(fromDb, toDb, cut)));
    }

    /**
     * Sends {@code envelope} to {@code targets} but this node: into the thread's open {@link Scope} (which ships it with
     * the command's other changes and counts W over {@code targets}), or at once when none is open.
     */
    private void route(List<NodeId> targets, DeltaEnvelope envelope) {
        Scope scope = open.get();
        if (scope != null) {
            scope.add(targets, envelope);
            return;
        }
        for (NodeId node : targets) {
            if (!node.equals(self)) {
                ship(node, List.of(envelope));
            }
        }
    }

    /** Sends one batch; the future is true once {@code peer} acknowledged it, false once it went to the hints. */
    private CompletableFuture<Boolean> ship(NodeId peer, List<DeltaEnvelope> batch) {
        Delivery d = sender.send(peer, batch);
        if (d instanceof Delivery.Queued q) {
            return q.acked().handle((v, e) -> {
                if (e == null) {
                    return true;
                }
                hints.hold(peer, batch);
                return false;
            });
        }
        hints.hold(peer, batch);
        return CompletableFuture.completedFuture(false);
    }

    /**
     * The changes one command committed on this thread, per peer, and the W each of their slots' owner sets needs.
     * Not thread-safe: confined to the thread that opened it.
     */
    final class Scope {

        private final Map<NodeId, List<DeltaEnvelope>> batches = new LinkedHashMap<>();
        /** One entry per distinct owner list met, with the number of owners W asks of it (this node included). */
        private final Map<List<NodeId>, Integer> groups = new LinkedHashMap<>();
        private boolean closed;

        private void add(List<NodeId> owners, DeltaEnvelope envelope) {
            groups.computeIfAbsent(owners, o -> write.required(o.size()));
            for (NodeId owner : owners) {
                if (!owner.equals(self)) {
                    batches.computeIfAbsent(owner, p -> new ArrayList<>()).add(envelope);
                }
            }
        }

        /**
         * Ends the scope and ships its batches (call it in a {@code finally}); the {@link Acks} complete as peers
         * acknowledge. {@link Acks#NONE} when the command replicated nothing. Idempotent.
         */
        Acks ship() {
            if (closed) {
                return Acks.NONE;
            }
            closed = true;
            open.remove();
            if (batches.isEmpty()) {
                return groups.isEmpty() ? Acks.NONE : Acks.of(self, Map.of(), groups, ackTimeout);
            }
            Map<NodeId, CompletableFuture<Boolean>> acks = new LinkedHashMap<>();
            batches.forEach((peer, batch) -> acks.put(peer, Replicator.this.ship(peer, batch)));
            return Acks.of(self, acks, groups, ackTimeout);
        }
    }
}
