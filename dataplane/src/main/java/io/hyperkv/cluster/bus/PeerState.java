package io.hyperkv.cluster.bus;

/**
 * How this node sees a peer, from its own heartbeats only (DESIGN.md section 5): {@code UP} while the peer answers,
 * {@code SUSPECT} after {@link FailureDetector#suspectAfterMillis()} of silence, {@code DOWN} after
 * {@link FailureDetector#downAfterMillis()} (and before it ever answered). Routing and hints read it.
 */
public enum PeerState {
    UP, SUSPECT, DOWN;

    public String word() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
