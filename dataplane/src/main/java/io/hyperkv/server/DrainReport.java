package io.hyperkv.server;

import java.util.Optional;

/**
 * What {@code POST /v1/drain} achieved: whether the node is fully drained (no connection left, log fsynced), how many
 * client connections it closed, how long it took, and when not drained what was still pending at the deadline.
 */
public record DrainReport(boolean drained, int connectionsClosed, long elapsedMillis, Optional<String> problem) {
}
