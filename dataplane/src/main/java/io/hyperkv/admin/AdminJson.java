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
     * {@code GET /v1/node}. {@code antiEntropy} is absent when the node runs none (outside cluster mode) rather than
     * invented; see the package documentation.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Node(String nodeId, String version, boolean clusterEnabled, long epoch, boolean ready, boolean draining,
            long keys, long diskBytes, long memoryBytes, List<Slots> slots, List<Peer> peers,
            AntiEntropy antiEntropy) {
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

    /**
     * A run of slots the node owns under the topology in force; in cluster mode with its anti-entropy state: whether
     * the node holds all of the run's data, and the oldest of its slots' last rounds (absent before any).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Slots(int start, int end, Boolean inSync, String lastRound) {
    }

    /** Anti-entropy totals since start, the slots it owns out of sync, and its last round. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record AntiEntropy(long rounds, long keysCompared, long keysRepaired, long keysChangedHere, int slotsOutOfSync,
            Round lastRound) {
    }

    /** One anti-entropy round ({@code io.hyperkv.cluster.repair.RoundReport}). */
    record Round(long round, long epoch, String started, long durationMillis, List<String> peers, int slotsCompared,
            int slotsDiffering, long keysCompared, long keysRepaired, long keysChangedHere,
            double keysRepairedPerSecond, int outOfSync, List<String> problems) {

        static Round of(io.hyperkv.cluster.repair.RoundReport r) {
            return new Round(r.round(), r.epoch(), r.started().toString(), r.durationMillis(), r.peers(),
                    r.slotsCompared(), r.slotsDiffering(), r.keysCompared(), r.keysRepaired(), r.keysChangedHere(),
                    r.keysRepairedPerSecond(), r.outOfSync(), r.problems());
        }
    }

    /** {@code POST /v1/repair} when the round has not finished within the wait. */
    record RepairStarted(long round, String state) {
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
