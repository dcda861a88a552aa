package io.hyperkv.operator.membership;

/** An inclusive range of slots a node owns, and whether the node holds all of their data (in sync). */
public record SlotRange(int start, int end, boolean inSync, String lastRound) {

  public SlotRange {
    if (start < 0 || end >= Topology.SLOTS || start > end) {
      throw new IllegalArgumentException("bad slot range " + start + ".." + end);
    }
  }

  public boolean contains(int slot) {
    return slot >= start && slot <= end;
  }
}
