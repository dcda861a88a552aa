package io.hyperkv.cluster.bus;

import io.hyperkv.cluster.NodeId;
import java.util.List;

/** The read side of failure detection, for routing, hints, the admin API and INFO. Safe from any thread. */
public interface PeerStates {

    /** Every peer this node links to, in a stable order (by address). */
    List<PeerView> peers();

    /** The state of a node by id; DOWN when unknown. */
    PeerState state(NodeId id);
}
