package io.hyperkv.admin;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/** The JSON bodies of the admin API (the contract is in the package documentation). */
final class AdminJson {

    private AdminJson() {
    }

    /** Every 4xx/5xx answer: what went wrong, in words fit for an operator's log or a Kubernetes event. */
    record Error(String error) {
    }

    /**
     * {@code GET /v1/node}. Fields this version has no source for (anti-entropy) are absent rather than invented; see
     * the package documentation.
     */
    record Node(String nodeId, String version, boolean clusterEnabled, long epoch, boolean ready, boolean draining,
            long keys, long diskBytes, long memoryBytes, List<Slots> slots, List<Peer> peers) {
    }

    /**
     * A peer as this node sees it: id ({@code null} before its handshake), client address ({@code null} while no
     * topology lists it), bus address, failure-detector state, link up, silence (-1: never heard), the link's backlog
     * (frames accepted and not acknowledged, and their bytes) and the deltas hinted handoff holds for it.
     */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    record Peer(String id, String address, String bus, String state, boolean connected, long silentMillis,
            int lagFrames, long lagBytes, long hintsPending) {
    }

    /** A run of slots the node owns under the topology in force. */
    record Slots(int start, int end) {
    }

    /** {@code PUT /v1/topology}: the epoch in force after the call and what the call did. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record TopologyAnswer(long epoch, String outcome, String error) {
    }

    /** One checkpoint. */
    record Snapshot(String id, long bytes, String createdAt) {
    }

    record Snapshots(List<Snapshot> snapshots) {
    }

    /** {@code POST /v1/drain}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Drain(boolean drained, int connectionsClosed, long elapsedMillis, String error) {
    }
}
