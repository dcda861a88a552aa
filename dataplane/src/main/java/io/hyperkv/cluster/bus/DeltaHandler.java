package io.hyperkv.cluster.bus;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Where a node applies the deltas peers send it; the store implements it (merge under the key lock, one WriteBatch,
 * complete once durable). The bus calls {@link #apply} on its own thread as batches arrive, in the order the peer sent
 * them but without waiting for the previous batch's future (batches of one link may be applied concurrently, so many
 * share one fsync), and acknowledges a batch only when the returned future completes normally; an
 * exceptional completion is answered with {@code HKV.NACK} carrying the exception's message (a {@link DeltaRejection}
 * names its reason word). {@code apply} must not block: hand the work to a worker and return.
 *
 * <p>A batch can arrive more than once (retransmitted after a reconnect) and batches of one link may be applied in
 * any order, so applying must be idempotent and order-free: the store's merge is a CRDT join, and a flush cut drops
 * the state at or below it whether that state arrives before or after it ({@code Keyspace.applyCut}).
 */
@FunctionalInterface
public interface DeltaHandler {

    CompletableFuture<Void> apply(List<DeltaEnvelope> batch);

    /** A refusal with a reason word the sender can act on, e.g. {@code SKEW} or {@code NOTOWNER}. */
    final class DeltaRejection extends RuntimeException {
        private final String reason;

        public DeltaRejection(String reason, String message) {
            super(message);
            this.reason = reason;
        }

        public String reason() {
            return reason;
        }
    }
}
