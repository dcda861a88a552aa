package io.hyperkv.cluster.bus;

import io.hyperkv.cluster.NodeId;
import java.util.List;

/**
 * Where deltas go that a replica could not take now (the bus refused them, or their delivery failed): kept durably,
 * bounded by size and age, and delivered in order when the peer is UP again (hinted handoff). The replication layer
 * hands them over and forgets them; anti-entropy repairs whatever a bound dropped.
 */
public interface HintSink {

    /** Keeps {@code batch} for {@code peer}. Never blocks on the peer; may drop (and count) when over its bounds. */
    void hold(NodeId peer, List<DeltaEnvelope> batch);

    /** Deltas kept for {@code peer} and not delivered yet. */
    long pending(NodeId peer);
}
