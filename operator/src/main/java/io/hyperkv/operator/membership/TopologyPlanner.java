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
 * <li><b>Keep an owner that may hold the data.</b> Let {@code C(s)} be the members whose report says they own
 * slot {@code s} and whose range is in sync <em>or does not say</em> ({@code inSync} absent: unknown). If
 * {@code C(s)} is not empty and no target owner is in it, the target would drop every owner that holds or may hold
 * the slot's data; the best-scored member of {@code C(s)} is kept as an extra owner. The new owners fill from it,
 * report in sync, and a later plan drops it.</li>
 * <li><b>Verify.</b> {@link #verifySafe} checks the finished document against the reports, independently of
 * how it was built; the caller refuses to push a document that fails it.</li>
 * </ol>
 * Without any report (a new cluster) every {@code C(s)} is empty and the target placement is used as is.
 *
 * <p><b>Unknown sync state.</b> An owner whose report omits {@code inSync} is treated as holding its data: it is
 * never dropped as if it were empty. Only an explicit {@code inSync: false} lets the plan drop an owner. The other
 * side of that rule: a new owner that reports unknown also counts as a holder, so while the data plane omits
 * {@code inSync} (it has no anti-entropy yet) the guarantee is "every slot keeps at least one of its current
 * owners per epoch", not "a slot moves only once its new owners have filled".
 *
 * <p>The effective replication factor is {@code min(replicationFactor, members)} ({@link #effectiveReplicationFactor}).
 * The operator never reaches the lowered case: the CRD refuses {@code replicationFactor > replicas} and
 * {@link MembershipSync} plans only once every desired pod answered, so members are at least the replication factor.
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
    int rf = effectiveReplicationFactor(replicationFactor, members.size());
    List<Topology.Node> sorted = members.stream().sorted(Comparator.comparing(Topology.Node::id)).toList();
    long[] idHashes = sorted.stream().mapToLong(n -> fnv1a(n.id())).toArray();
    List<NodeReport> holders = reports.stream()
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
      boolean anyHolder = false;
      boolean keepsHolder = false;
      for (NodeReport report : holders) {
        if (report.mayHoldData(s)) {
          anyHolder = true;
          keepsHolder |= owners.contains(report.nodeId());
        }
      }
      if (anyHolder && !keepsHolder) {
        // Best-scored possible holder stays until the new owners have the data.
        for (int i : order) {
          String id = sorted.get(i).id();
          if (holders.stream().anyMatch(r -> r.nodeId().equals(id) && r.mayHoldData(s))) {
            owners.add(id);
            break;
          }
        }
      }
      ownersBySlot.add(List.copyOf(owners));
    }
    return new Topology(epoch, rf, sorted, Topology.compress(ownersBySlot));
  }

  /** The replication factor a plan uses: the requested one, lowered to the number of members when it exceeds it. */
  public static int effectiveReplicationFactor(int replicationFactor, int members) {
    return Math.min(replicationFactor, members);
  }

  /**
   * Throws when {@code next} would remove every owner that holds or may hold a slot's data. A reported owner holds
   * or may hold the data of its slot unless its range says {@code inSync: false}: an absent {@code inSync} (unknown)
   * counts as holding, never as empty ({@link NodeReport#mayHoldData}). So a slot whose reporting owners all say
   * unknown must keep at least one of them; only a slot whose every reporting owner says it is not in sync (or that
   * no reporting node owns) may be given to new owners only. Also checks the document covers every slot once, in
   * order, with known owners.
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
      boolean anyHolder = false;
      boolean kept = false;
      for (NodeReport report : reports) {
        if (report.mayHoldData(slot)) {
          anyHolder = true;
          kept |= owners.contains(report.nodeId());
        }
      }
      if (anyHolder && !kept) {
        throw new UnsafeTopologyException("epoch " + next.epoch() + " would drop every owner that holds or may hold"
            + " the data of slot " + slot + " (in sync or sync state unknown)");
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
