package io.hyperkv.cluster;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The topology in force on this node, and the only way to change it: {@link #offer} installs a document only when
 * its epoch is higher than the one in force (DESIGN.md section 5), whoever offers it (static peer list, admin API,
 * a peer's gossip). Offers are serialised, so of two racing offers the higher epoch ends up in force whatever the
 * order; readers never block and always see a complete document.
 *
 * <p>Persistence comes before installation: the offer's persister runs first and, if it throws, nothing changes.
 * A restart therefore never finds an epoch lower than one the node has acted on.
 */
public final class CurrentTopology {

    private static final Logger LOG = Logger.getLogger(CurrentTopology.class.getName());
    private final List<Consumer<Topology>> listeners = new CopyOnWriteArrayList<>();

    /** What an offer did. */
    public enum Outcome {
        /** The offered document is now in force. */
        INSTALLED,
        /** The same document (epoch and content) was already in force. */
        ALREADY_IN_FORCE,
        /** The offered epoch is lower than the one in force; nothing changed. */
        STALE,
        /** Same epoch as the one in force with different content; nothing changed, its author must pick a new epoch. */
        CONFLICT
    }

    /** The outcome of an offer and the topology in force after it. */
    public record Offer(Outcome outcome, Topology inForce) {
        public long epochInForce() {
            return inForce.epoch();
        }
    }

    private volatile Topology inForce;

    /** Starts with no topology (a new node) or with the one restored from disk. */
    public CurrentTopology(Topology restored) {
        this.inForce = restored;
    }

    /** The topology in force, if the node has one. */
    public Optional<Topology> get() {
        return Optional.ofNullable(inForce);
    }

    /** Epoch in force, 0 when the node has no topology. */
    public long epoch() {
        Topology t = inForce;
        return t == null ? 0 : t.epoch();
    }

    /** {@link #offer(Topology, Consumer)} without persistence, for callers that keep topologies in memory only. */
    public Offer offer(Topology candidate) {
        return offer(candidate, t -> { });
    }

    /**
     * Calls {@code listener} with every topology installed from now on, once it is in force, on the installing thread
     * and before the next offer is decided. It must be quick and must not offer a topology itself.
     */
    public void onInstalled(Consumer<Topology> listener) {
        listeners.add(listener);
    }

    /**
     * Installs {@code candidate} if its epoch is higher than the one in force, after {@code persister} has stored it.
     * A persister failure propagates and leaves the topology in force unchanged.
     */
    public synchronized Offer offer(Topology candidate, Consumer<Topology> persister) {
        Topology current = inForce;
        if (candidate.replaces(current)) {
            persister.accept(candidate);
            inForce = candidate;
            for (Consumer<Topology> l : listeners) {
                try {
                    l.accept(candidate);
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "a topology listener failed on epoch " + candidate.epoch(), e);
                }
            }
            return new Offer(Outcome.INSTALLED, candidate);
        }
        if (candidate.epoch() < current.epoch()) {
            return new Offer(Outcome.STALE, current);
        }
        return new Offer(candidate.sameContent(current) ? Outcome.ALREADY_IN_FORCE : Outcome.CONFLICT, current);
    }
}
