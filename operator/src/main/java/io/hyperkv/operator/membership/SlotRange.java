package io.hyperkv.operator.membership;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * An inclusive range of slots a node owns, as {@code GET /v1/node} reports it, and whether the node holds all of
 * their data. {@code inSync} is tri-state: {@code true} or {@code false} when the node's anti-entropy says so,
 * {@code null} (the field absent) when the node does not know; a data plane without anti-entropy omits it, as it
 * omits {@code lastRound}. Unknown is not false: see {@link #mayHoldData()}.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record SlotRange(int start, int end, Boolean inSync, String lastRound) {

  public SlotRange {
    if (start < 0 || end >= Topology.SLOTS || start > end) {
      throw new IllegalArgumentException("bad slot range " + start + ".." + end);
    }
  }

  /** A range whose sync state the node does not report. */
  public SlotRange(int start, int end) {
    this(start, end, null, null);
  }

  public boolean contains(int slot) {
    return slot >= start && slot <= end;
  }

  /** Whether the node may hold this range's data: it says so, or it does not say (only an explicit false excludes). */
  public boolean mayHoldData() {
    return !Boolean.FALSE.equals(inSync);
  }
}
