package io.hyperkv.operator.membership;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Decides which members own each slot.
 *
 * <p>Algorithm:
 * <ol>
 * <li><b>Target placement.</b> For every slot, the {@code rf} members with the highest rendezvous score
 * {@code score(nodeId, slot)} own it, in score order. Adding or removing one member only changes the slots
 * whose top-{@code rf} set that member enters or leaves (about {@code rf/n} of them): minimal movement.</li>
 * <li><b>Keep the last in-sync owner.</b> Let {@code C(s)} be the members whose report says they own slot
 * {@code s} in sync. If {@code C(s)} is not empty and no target owner is in it, the target would drop every
 * complete copy of the slot; the best-scored member of {@code C(s)} is kept as an extra owner. The new owners
 * fill from it through anti-entropy, report in sync, and a later plan drops it.</li>
 * <li><b>Verify.</b> {@link #verifySafe} checks the finished document against the reports, independently of
 * how it was built; the caller refuses to push a document that fails it.</li>
 * </ol>
 * Without any report (a new cluster) every {@code C(s)} is empty and the target placement is used as is.
 */
public final class TopologyPlanner {

  private TopologyPlanner() {
  }

  /** Plans the topology for the given members (ids must be unique) and reports of the nodes that answered. */
  public static Topology plan(List<Topology.Node> members, int replicationFactor, Collection<NodeReport> reports,
      long epoch) {
    if (members.isEmpty()) {
      throw new IllegalArgumentException("a topology needs at least one member");
    }
    int rf = Math.min(replicationFactor, members.size());
    List<Topology.Node> sorted = members.stream().sorted(Comparator.comparing(Topology.Node::id)).toList();
    long[] idHashes = sorted.stream().mapToLong(n -> fnv1a(n.id())).toArray();
    List<NodeReport> inSyncCandidates = reports.stream()
        .filter(r -> sorted.stream().anyMatch(n -> n.id().equals(r.nodeId())))
        .toList();

    var ownersBySlot = new ArrayList<List<String>>(Topology.SLOTS);
    int n = sorted.size();
    long[] scores = new long[n];
    boolean[] taken = new boolean[n];
    int[] order = new int[n];
    for (int slot = 0; slot < Topology.SLOTS; slot++) {
      for (int i = 0; i < n; i++) {
        scores[i] = mix(idHashes[i] ^ (slot * 0x9E3779B97F4A7C15L));
        taken[i] = false;
      }
      // Members by descending score (ties: smaller id first, as sorted is by id); n is small, selection suffices.
      for (int k = 0; k < n; k++) {
        int best = -1;
        for (int i = 0; i < n; i++) {
          if (!taken[i] && (best < 0 || Long.compareUnsigned(scores[i], scores[best]) > 0)) {
            best = i;
          }
        }
        taken[best] = true;
        order[k] = best;
      }
      var owners = new ArrayList<String>(rf + 1);
      for (int i = 0; i < rf; i++) {
        owners.add(sorted.get(order[i]).id());
      }
      final int s = slot;
      boolean anyInSync = false;
      boolean keepsInSync = false;
      for (NodeReport report : inSyncCandidates) {
        if (report.ownsInSync(s)) {
          anyInSync = true;
          keepsInSync |= owners.contains(report.nodeId());
        }
      }
      if (anyInSync && !keepsInSync) {
        // Best-scored in-sync owner stays until the new owners have the data.
        for (int i : order) {
          String id = sorted.get(i).id();
          if (inSyncCandidates.stream().anyMatch(r -> r.nodeId().equals(id) && r.ownsInSync(s))) {
            owners.add(id);
            break;
          }
        }
      }
      ownersBySlot.add(List.copyOf(owners));
    }
    return new Topology(epoch, rf, sorted, Topology.compress(ownersBySlot));
  }

  /**
   * Throws when {@code next} would leave a slot that has an in-sync owner (by the reports) without any of its
   * in-sync owners. Also checks the document covers every slot once, in order, with known owners.
   */
  public static void verifySafe(Topology next, Collection<NodeReport> reports) {
    Map<String, Topology.Node> members = next.nodes().stream()
        .collect(Collectors.toMap(Topology.Node::id, Function.identity()));
    int expected = 0;
    for (Topology.SlotOwners range : next.slots()) {
      if (range.start() != expected || range.end() < range.start()) {
        throw new UnsafeTopologyException("slot ranges must cover 0.." + (Topology.SLOTS - 1)
            + " in order; found " + range.start() + ".." + range.end() + " where " + expected + " was expected");
      }
      if (range.owners().isEmpty() || !members.keySet().containsAll(range.owners())) {
        throw new UnsafeTopologyException("slots " + range.start() + ".." + range.end()
            + " have owners that are not members: " + range.owners());
      }
      expected = range.end() + 1;
    }
    if (expected != Topology.SLOTS) {
      throw new UnsafeTopologyException("slots " + expected + ".." + (Topology.SLOTS - 1) + " have no owners");
    }
    for (int slot = 0; slot < Topology.SLOTS; slot++) {
      List<String> owners = next.ownersOf(slot);
      boolean anyInSync = false;
      boolean kept = false;
      for (NodeReport report : reports) {
        if (report.ownsInSync(slot)) {
          anyInSync = true;
          kept |= owners.contains(report.nodeId());
        }
      }
      if (anyInSync && !kept) {
        throw new UnsafeTopologyException("epoch " + next.epoch() + " would drop every in-sync owner of slot " + slot);
      }
    }
  }

  /** FNV-1a over the id's UTF-8 bytes: stable across JVMs and releases, unlike String.hashCode's contract. */
  static long fnv1a(String id) {
    long hash = 0xcbf29ce484222325L;
    for (byte b : id.getBytes(StandardCharsets.UTF_8)) {
      hash ^= (b & 0xff);
      hash *= 0x100000001b3L;
    }
    return hash;
  }

  /** SplitMix64 finaliser: spreads the combined (node, slot) bits so scores are independent per slot. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }
}
