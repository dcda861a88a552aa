package io.hyperkv.operator.membership;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The topology document the operator installs on every node: epoch, members, replication factor and, for every
 * slot, its owners. Slot ownership is carried explicitly (as ranges of equal owner lists) so nodes never need to
 * agree on a placement function; the operator's {@link TopologyPlanner} is the only place that decides it.
 */
public record Topology(long epoch, int replicationFactor, List<Node> nodes, List<SlotOwners> slots) {

  public static final int SLOTS = 16384;

  public Topology {
    nodes = List.copyOf(nodes);
    slots = List.copyOf(slots);
  }

  /** A member: its id and where peers and clients reach it. */
  public record Node(String id, String host, int port, int busPort) {
  }

  /** An inclusive slot range and the node ids that own every slot in it. */
  public record SlotOwners(int start, int end, List<String> owners) {
    public SlotOwners {
      owners = List.copyOf(owners);
    }
  }

  /** Owners of one slot. */
  public List<String> ownersOf(int slot) {
    for (SlotOwners range : slots) {
      if (slot >= range.start() && slot <= range.end()) {
        return range.owners();
      }
    }
    throw new IllegalStateException("slot " + slot + " has no owners in epoch " + epoch);
  }

  /** The same document at another epoch. */
  public Topology withEpoch(long newEpoch) {
    return new Topology(newEpoch, replicationFactor, nodes, slots);
  }

  /** Whether two documents place every slot on the same nodes with the same members (epoch aside). */
  public boolean samePlacement(Topology other) {
    return other != null && replicationFactor == other.replicationFactor && Objects.equals(nodes, other.nodes)
        && Objects.equals(slots, other.slots);
  }

  /** The ranges a given node owns under this topology, merged. */
  public List<int[]> rangesOf(String nodeId) {
    var ranges = new ArrayList<int[]>();
    for (SlotOwners range : slots) {
      if (range.owners().contains(nodeId)) {
        if (!ranges.isEmpty() && ranges.get(ranges.size() - 1)[1] == range.start() - 1) {
          ranges.get(ranges.size() - 1)[1] = range.end();
        } else {
          ranges.add(new int[] {range.start(), range.end()});
        }
      }
    }
    return ranges;
  }

  /** Compresses a per-slot owner table into ranges of equal owner lists. */
  static List<SlotOwners> compress(List<List<String>> ownersBySlot) {
    var ranges = new ArrayList<SlotOwners>();
    int start = 0;
    for (int slot = 1; slot <= ownersBySlot.size(); slot++) {
      if (slot == ownersBySlot.size() || !ownersBySlot.get(slot).equals(ownersBySlot.get(start))) {
        ranges.add(new SlotOwners(start, slot - 1, ownersBySlot.get(start)));
        start = slot;
      }
    }
    return ranges;
  }
}
