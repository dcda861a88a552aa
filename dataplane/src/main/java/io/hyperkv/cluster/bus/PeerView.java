package io.hyperkv.cluster.bus;

import io.hyperkv.cluster.NodeId;
import io.hyperkv.cluster.PeerAddress;
import java.util.Optional;

/**
 * One peer as this node sees it, for {@code GET /v1/node} ({@code peers}) and {@code INFO replication}: the address
 * dialed, the node id once a handshake told it, the state, how long it has been silent (-1: never heard), its epoch as
 * of its last heartbeat, and the link's backlog: bytes of queued and in-flight frames, frames sent and not acknowledged
 * ({@code inFlight}), frames waiting for the window ({@code queued}).
 */
public record PeerView(PeerAddress address, Optional<NodeId> id, PeerState state, boolean connected,
        long silentMillis, long epoch, long queuedBytes, int inFlight, int queued) {

    /** Frames accepted for this peer and not acknowledged yet: the link's replication lag in batches. */
    public int outstandingFrames() {
        return inFlight + queued;
    }
}
