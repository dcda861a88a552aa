package io.hyperkv.server;

import io.hyperkv.cluster.NodeId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The acknowledgements one command's replicated changes are waiting for: one future per peer that was sent a batch
 * (true once it acknowledged, false once the batch went to the hints), and {@link #quorum()}, which completes once
 * every owner set the command wrote to has W owners holding the change, or can no longer get them, or the bound ran
 * out, whichever comes first. This node counts as one owner of every slot it owns (its own write is committed before
 * the command's reply is even considered).
 *
 * <p>Thread-safe: the per-peer futures complete on the bus or timer thread and may race the timeout.
 */
record Acks(Map<NodeId, CompletableFuture<Boolean>> perPeer, CompletableFuture<Outcome> quorum) {

    /** Nothing was replicated: W holds at once. */
    static final Acks NONE = new Acks(Map.of(), CompletableFuture.completedFuture(new Outcome(true, 1, 1)));

    /**
     * Whether W held and, for an error message, the owners that hold the change and the owners W needs, both counting
     * this node: of the owner set furthest from W when it did not hold.
     */
    record Outcome(boolean met, int acked, int needed) {
    }

    /**
     * Tracks {@code perPeer} against {@code groups} (owner list of a slot → owners W needs of it) for at most
     * {@code timeout}.
     */
    static Acks of(NodeId self, Map<NodeId, CompletableFuture<Boolean>> perPeer, Map<List<NodeId>, Integer> groups,
            Duration timeout) {
        Tally tally = new Tally(self, groups);
        if (!tally.result.isDone()) {
            // completeOnTimeout's task is cancelled (and dropped from the timer queue) once W is decided earlier
            CompletableFuture<Void> deadline = new CompletableFuture<Void>()
                    .completeOnTimeout(null, timeout.toNanos(), TimeUnit.NANOSECONDS);
            deadline.thenRun(tally::expire);
            tally.result.whenComplete((o, e) -> deadline.cancel(false));
            perPeer.forEach((peer, f) -> f.whenComplete((ok, e) -> tally.answered(peer, ok != null && ok)));
        }
        return new Acks(Map.copyOf(perPeer), tally.result);
    }

    /** W as the answers come in; synchronised, since answers race each other and the deadline. */
    private static final class Tally {

        private final List<Group> groups = new ArrayList<>();
        private final CompletableFuture<Outcome> result = new CompletableFuture<>();

        /** One owner set: its peers, whether this node is one of the owners, W of it, the answers so far. */
        private static final class Group {
            final List<NodeId> peers;
            final int self;
            final int needed;
            int acked;
            int failed;

            Group(List<NodeId> peers, int self, int needed) {
                this.peers = peers;
                this.self = self;
                this.needed = needed;
            }

            int holding() {
                return self + acked;
            }

            boolean met() {
                return holding() >= needed;
            }

            boolean hopeless() {
                return holding() + peers.size() - acked - failed < needed;
            }
        }

        Tally(NodeId self, Map<List<NodeId>, Integer> wanted) {
            wanted.forEach((owners, needed) -> {
                List<NodeId> peers = owners.stream().filter(o -> !o.equals(self)).toList();
                groups.add(new Group(peers, owners.size() - peers.size(), needed));
            });
            decide(false);
        }

        synchronized void answered(NodeId peer, boolean ok) {
            for (Group g : groups) {
                if (g.peers.contains(peer)) {
                    if (ok) {
                        g.acked++;
                    } else {
                        g.failed++;
                    }
                }
            }
            decide(false);
        }

        synchronized void expire() {
            decide(true);
        }

        /** Completes the result once every group met W, or one cannot (all its answers are in, or time is up). */
        private void decide(boolean timedOut) {
            if (result.isDone()) {
                return;
            }
            Group worst = null;
            for (Group g : groups) {
                if (!g.met() && (worst == null || g.holding() - g.needed < worst.holding() - worst.needed)) {
                    worst = g;
                }
            }
            if (worst == null) {
                int acked = groups.stream().mapToInt(Group::holding).min().orElse(1);
                int needed = groups.stream().mapToInt(g -> g.needed).max().orElse(1);
                result.complete(new Outcome(true, acked, needed));
                return;
            }
            boolean anyHopeless = groups.stream().anyMatch(g -> !g.met() && g.hopeless());
            if (anyHopeless || timedOut) {
                result.complete(new Outcome(false, worst.holding(), worst.needed));
            }
        }
    }
}
