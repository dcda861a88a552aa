package io.hyperkv.operator.membership;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * What one node says about itself on {@code GET /v1/node} (field names as the data plane's admin API writes them).
 * Unknown fields are ignored (newer data planes); {@code hintsPending} is optional (absent: none reported), and so
 * is {@code clusterEnabled} and {@code draining} for older nodes (absent: false).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record NodeReport(String nodeId, String version, boolean clusterEnabled, long epoch, boolean ready,
    boolean draining, long keys, long diskBytes, long memoryBytes, Map<String, Long> hintsPending,
    List<SlotRange> slots) {

  public NodeReport {
    if (nodeId == null || nodeId.isBlank()) {
      throw new IllegalArgumentException("a node report needs a nodeId");
    }
    hintsPending = hintsPending == null ? Map.of() : Map.copyOf(hintsPending);
    slots = slots == null ? List.of() : slots.stream().sorted(Comparator.comparingInt(SlotRange::start)).toList();
  }

  /**
   * Whether this node owns the slot and holds or may hold its data: its range says in sync, or says nothing
   * ({@link SlotRange#mayHoldData()}). False for a slot it does not own or reports as not in sync.
   */
  public boolean mayHoldData(int slot) {
    for (SlotRange range : slots) {
      if (range.contains(slot)) {
        return range.mayHoldData();
      }
    }
    return false;
  }

  /** Whether this node owns the slot at all, in sync or not. */
  public boolean owns(int slot) {
    return slots.stream().anyMatch(r -> r.contains(slot));
  }
}
