package io.hyperkv.cluster.repair;

import java.time.Instant;
import java.util.List;

/**
 * What one anti-entropy round did.
 *
 * @param round the round's number since the node started (1, 2, ...)
 * @param epoch the topology epoch the round worked under
 * @param peers the co-owners it compared with (UP ones; a failed comparison is in {@code problems} instead)
 * @param slotsCompared slots compared with at least one co-owner
 * @param slotsDiffering slots whose digest differed from a co-owner's in some database
 * @param keysCompared key hashes compared inside differing slots
 * @param keysRepaired differing keys whose state was exchanged both ways
 * @param keysChangedHere of those, keys whose merge changed this node (it lacked their data)
 * @param outOfSync slots this node owns that are not in sync after the round
 * @param problems failed comparisons, one line each
 */
public record RoundReport(long round, long epoch, Instant started, long durationMillis, List<String> peers,
        int slotsCompared, int slotsDiffering, long keysCompared, long keysRepaired, long keysChangedHere,
        int outOfSync, List<String> problems) {

    public int peersCompared() {
        return peers.size();
    }

    /** Keys exchanged per second over the round's duration (0 for an instant round). */
    public double keysRepairedPerSecond() {
        return durationMillis == 0 ? 0 : keysRepaired * 1000.0 / durationMillis;
    }

    @Override
    public String toString() {
        return "anti-entropy round " + round + " (epoch " + epoch + ", " + durationMillis + " ms): compared "
                + slotsCompared + " slots with " + peers.size() + " co-owners, " + slotsDiffering + " differed, "
                + keysRepaired + " keys exchanged (" + keysChangedHere + " changed here, "
                + String.format("%.0f", keysRepairedPerSecond()) + " keys/s), " + outOfSync + " slots out of sync"
                + (problems.isEmpty() ? "" : "; problems: " + String.join("; ", problems));
    }
}
