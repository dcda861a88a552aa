package io.hyperkv.operator.membership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class TopologyPlannerTest {

  static List<Topology.Node> nodes(String... ids) {
    return java.util.Arrays.stream(ids).map(id -> new Topology.Node(id, id + ".svc", 6379, 16379)).toList();
  }

  /** A report of a node owning, in sync, exactly the slots the topology gives it. */
  static NodeReport reportOf(Topology topology, String id) {
    var ranges = topology.rangesOf(id).stream().map(r -> new SlotRange(r[0], r[1], true, null)).toList();
    return report(id, topology.epoch(), ranges);
  }

  static NodeReport report(String id, long epoch, List<SlotRange> slots) {
    return new NodeReport(id, "test", true, epoch, true, false, 0, 0, 0, null, slots);
  }

  /** A report as today's data plane writes it: the ranges it owns, without inSync (unknown). */
  static NodeReport unknownSyncOf(Topology topology, String id) {
    return report(id, topology.epoch(), topology.rangesOf(id).stream().map(r -> new SlotRange(r[0], r[1])).toList());
  }

  @Test
  void everySlotGetsReplicationFactorDistinctOwners() {
    Topology t = TopologyPlanner.plan(nodes("a", "b", "c", "d", "e"), 3, List.of(), 1);
    for (int slot = 0; slot < Topology.SLOTS; slot++) {
      assertThat(t.ownersOf(slot)).hasSize(3).doesNotHaveDuplicates();
    }
    TopologyPlanner.verifySafe(t, List.of());
  }

  @Test
  void placementIsSpreadEvenly() {
    Topology t = TopologyPlanner.plan(nodes("a", "b", "c", "d"), 2, List.of(), 1);
    for (String id : List.of("a", "b", "c", "d")) {
      long owned = IntStream.range(0, Topology.SLOTS).filter(s -> t.ownersOf(s).contains(id)).count();
      // 2 of 4 owners per slot: half the slots each, within 5%.
      assertThat(owned).isBetween(Math.round(Topology.SLOTS * 0.45), Math.round(Topology.SLOTS * 0.55));
    }
  }

  @Test
  void placementDependsOnlyOnTheMemberSet() {
    Topology one = TopologyPlanner.plan(nodes("c", "a", "b"), 2, List.of(), 1);
    Topology other = TopologyPlanner.plan(nodes("a", "b", "c"), 2, List.of(), 7);
    assertThat(one.samePlacement(other)).isTrue();
  }

  @Test
  void addingAMemberMovesOnlyTheSlotsItTakes() {
    Topology before = TopologyPlanner.plan(nodes("a", "b", "c"), 2, List.of(), 1);
    Topology after = TopologyPlanner.plan(nodes("a", "b", "c", "d"), 2, List.of(), 2);
    int changed = 0;
    for (int slot = 0; slot < Topology.SLOTS; slot++) {
      var was = Set.copyOf(before.ownersOf(slot));
      var now = Set.copyOf(after.ownersOf(slot));
      if (!was.equals(now)) {
        changed++;
        // Rendezvous hashing: the only change is the new member replacing one old owner.
        assertThat(now).contains("d");
        assertThat(now.stream().filter(was::contains).count()).isEqualTo(1);
      }
    }
    // d takes 2 of 4 owner places per slot on average: about half the slots change one owner.
    assertThat(changed).isBetween((int) (Topology.SLOTS * 0.45), (int) (Topology.SLOTS * 0.55));
  }

  @Test
  void replicationFactorIsCappedByTheMemberCount() {
    Topology t = TopologyPlanner.plan(nodes("a", "b"), 3, List.of(), 1);
    assertThat(t.replicationFactor()).isEqualTo(2);
    assertThat(t.ownersOf(0)).containsExactlyInAnyOrder("a", "b");
  }

  @Test
  void keepsTheLastInSyncOwnerWhenTheTargetWouldDropIt() {
    // Slots owned by a and b (in sync) under rf 2; then members become c and d plus a, b that hold the data.
    Topology current = TopologyPlanner.plan(nodes("a", "b"), 2, List.of(), 1);
    var reports = new ArrayList<NodeReport>();
    reports.add(reportOf(current, "a"));
    reports.add(reportOf(current, "b"));
    reports.add(report("c", 1, List.of()));
    reports.add(report("d", 1, List.of()));
    Topology next = TopologyPlanner.plan(nodes("a", "b", "c", "d"), 2, reports, 2);
    TopologyPlanner.verifySafe(next, reports);
    for (int slot = 0; slot < Topology.SLOTS; slot++) {
      assertThat(next.ownersOf(slot)).containsAnyOf("a", "b");
    }
  }

  @Test
  void refusesATopologyWithoutTheOnlyInSyncOwnerOfASlot() {
    Topology current = TopologyPlanner.plan(nodes("a", "b", "c"), 1, List.of(), 1);
    var reports = List.of(reportOf(current, "a"), reportOf(current, "b"), reportOf(current, "c"));
    // "a" is the only copy of its slots; a document over members b and c alone would lose them.
    Topology withoutA = TopologyPlanner.plan(nodes("b", "c"), 1, reports, 2);
    assertThatThrownBy(() -> TopologyPlanner.verifySafe(withoutA, reports))
        .isInstanceOf(UnsafeTopologyException.class)
        .hasMessageContaining("would drop every owner that holds or may hold the data of slot");
  }

  @Test
  void anOwnerWhoseSyncStateIsUnknownIsNotDroppedAsIfEmpty() {
    Topology current = TopologyPlanner.plan(nodes("a", "b", "c"), 1, List.of(), 1);
    // Today's data plane omits inSync: "a" may be the only copy of its slots.
    var reports = List.of(unknownSyncOf(current, "a"), unknownSyncOf(current, "b"), unknownSyncOf(current, "c"));
    Topology bare = new Topology(2, 1, nodes("b", "c"), TopologyPlanner.plan(nodes("b", "c"), 1, List.of(), 2).slots());
    assertThatThrownBy(() -> TopologyPlanner.verifySafe(bare, reports))
        .isInstanceOf(UnsafeTopologyException.class)
        .hasMessageContaining("would drop every owner that holds or may hold the data of slot");
    // The planner keeps "a" on its slots when it is still a member, and the result passes.
    Topology planned = TopologyPlanner.plan(nodes("a", "b", "c", "d"), 1, reports, 2);
    TopologyPlanner.verifySafe(planned, reports);
    for (int slot : new int[] {current.rangesOf("a").get(0)[0], current.rangesOf("a").get(0)[1]}) {
      assertThat(planned.ownersOf(slot)).contains("a");
    }
  }

  @Test
  void onlyAnExplicitNotInSyncLetsEveryCurrentOwnerGo() {
    Topology current = TopologyPlanner.plan(nodes("a"), 1, List.of(), 1);
    var next = new Topology(2, 1, nodes("a", "b"),
        List.of(new Topology.SlotOwners(0, Topology.SLOTS - 1, List.of("b"))));
    var unknown = report("a", 1, List.of(new SlotRange(0, Topology.SLOTS - 1)));
    var notInSync = report("a", 1, List.of(new SlotRange(0, Topology.SLOTS - 1, false, null)));
    assertThatThrownBy(() -> TopologyPlanner.verifySafe(next, List.of(unknown)))
        .isInstanceOf(UnsafeTopologyException.class);
    TopologyPlanner.verifySafe(next, List.of(notInSync));
    assertThat(current.ownersOf(0)).containsExactly("a");
  }

  @Test
  void aSlotBeingFilledIsNotCountedAsInSync() {
    Topology current = TopologyPlanner.plan(nodes("a", "b"), 1, List.of(), 1);
    // b reports its slots but not in sync: they have no complete copy, so nothing constrains the next plan.
    var bFilling = report("b", 1,
        current.rangesOf("b").stream().map(r -> new SlotRange(r[0], r[1], false, null)).toList());
    Topology next = TopologyPlanner.plan(nodes("a", "c"), 1, List.of(reportOf(current, "a"), bFilling), 2);
    TopologyPlanner.verifySafe(next, List.of(reportOf(current, "a"), bFilling));
    assertThat(next.nodes()).extracting(Topology.Node::id).containsExactly("a", "c");
  }

  @Test
  void dropsTheExtraOwnerOnceTheNewOwnersAreInSync() {
    Topology current = TopologyPlanner.plan(nodes("a", "b"), 2, List.of(), 1);
    var during = TopologyPlanner.plan(nodes("a", "b", "c", "d"), 2,
        List.of(reportOf(current, "a"), reportOf(current, "b"),
            report("c", 1, List.of()),
            report("d", 1, List.of())), 2);
    // Every node reports in sync on everything "during" gave it: the plan is the pure target again.
    var reports = List.of(reportOf(during, "a"), reportOf(during, "b"), reportOf(during, "c"), reportOf(during, "d"));
    Topology after = TopologyPlanner.plan(nodes("a", "b", "c", "d"), 2, reports, 3);
    Topology target = TopologyPlanner.plan(nodes("a", "b", "c", "d"), 2, List.of(), 3);
    assertThat(after.samePlacement(target)).isTrue();
    TopologyPlanner.verifySafe(after, reports);
  }

  @Test
  void verifyRejectsADocumentThatDoesNotCoverEverySlot() {
    var partial = new Topology(1, 1, nodes("a"), List.of(new Topology.SlotOwners(0, 100, List.of("a"))));
    assertThatThrownBy(() -> TopologyPlanner.verifySafe(partial, List.of()))
        .isInstanceOf(UnsafeTopologyException.class)
        .hasMessageContaining("slots 101..16383 have no owners");
  }

  @Test
  void verifyRejectsOwnersThatAreNotMembers() {
    var bad = new Topology(1, 1, nodes("a"), List.of(new Topology.SlotOwners(0, Topology.SLOTS - 1, List.of("z"))));
    assertThatThrownBy(() -> TopologyPlanner.verifySafe(bad, List.of()))
        .isInstanceOf(UnsafeTopologyException.class)
        .hasMessageContaining("not members");
  }
}
