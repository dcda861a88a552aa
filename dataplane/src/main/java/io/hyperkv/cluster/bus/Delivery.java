package io.hyperkv.cluster.bus;

import java.util.concurrent.CompletableFuture;

/**
 * What {@link BusNode#send} did with a batch: queued on the peer's link (the future completes on the peer's ack, or
 * exceptionally on a NACK ({@link DeltaHandler.DeltaRejection}) or when the link gives up
 * ({@link PeerUnavailableException})), or refused at once, in which case nothing was queued and the caller keeps the
 * deltas (as hints). Either way the caller's thread never blocks.
 */
public sealed interface Delivery {

    record Queued(long seq, CompletableFuture<Void> acked) implements Delivery {
    }

    record Refused(Reason reason, String message) implements Delivery {
    }

    enum Reason {
        /** No link to that node id (not a member, or its handshake has not completed yet). */
        UNKNOWN_PEER,
        /** The peer is DOWN. */
        PEER_DOWN,
        /** The link's queue is full: the peer is slow or unreachable. */
        OVERFLOW
    }
}
