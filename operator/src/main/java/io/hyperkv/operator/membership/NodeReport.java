package io.hyperkv.operator.membership;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;
import java.util.Map;

/** What one node says about itself on {@code GET /v1/node}. Unknown fields are ignored (newer data planes). */
@JsonIgnoreProperties(ignoreUnknown = true)
public record NodeReport(String nodeId, String version, long epoch, boolean ready, long keys, long diskBytes,
    long memoryBytes, Map<String, Long> hintsPending, List<SlotRange> slots) {

  public NodeReport {
    if (nodeId == null || nodeId.isBlank()) {
      throw new IllegalArgumentException("a node report needs a nodeId");
    }
    hintsPending = hintsPending == null ? Map.of() : Map.copyOf(hintsPending);
    slots = slots == null ? List.of()
        : slots.stream().sorted(java.util.Comparator.comparingInt(SlotRange::start)).toList();
  }

  /** Whether this node owns the slot and holds all of its data. */
  public boolean ownsInSync(int slot) {
    for (SlotRange range : slots) {
      if (range.contains(slot)) {
        return range.inSync();
      }
    }
    return false;
  }

  /** Whether this node owns the slot at all, in sync or not. */
  public boolean owns(int slot) {
    return slots.stream().anyMatch(r -> r.contains(slot));
  }
}
