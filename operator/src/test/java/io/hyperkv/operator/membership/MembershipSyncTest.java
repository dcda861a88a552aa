package io.hyperkv.operator.membership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hyperkv.operator.testing.FakeDataPlane;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The admin client and a membership round against in-test servers implementing the admin-API contract. */
class MembershipSyncTest {

  static final String TOKEN = "s3cret-token";
  // Node ids as the data plane prints them: 40 lowercase hex digits (a 64-bit id, zero-padded).
  static final String N1 = id(1);
  static final String N2 = id(2);
  static final String N3 = id(3);
  final List<FakeDataPlane> nodes = new ArrayList<>();
  final AdminClient client = new AdminClient(Duration.ofSeconds(2));
  final MembershipSync sync = new MembershipSync(client);

  @AfterEach
  void stop() {
    nodes.forEach(FakeDataPlane::close);
  }

  static String id(long value) {
    return "%040x".formatted(value);
  }

  FakeDataPlane node(String id) {
    var node = new FakeDataPlane(id, () -> TOKEN);
    nodes.add(node);
    return node;
  }

  List<MembershipSync.PodEndpoint> endpoints() {
    var list = new ArrayList<MembershipSync.PodEndpoint>();
    for (int i = 0; i < nodes.size(); i++) {
      list.add(new MembershipSync.PodEndpoint("hkv-" + i, true, Optional.of(nodes.get(i).uri()), "hkv-" + i + ".svc", 6379, 16379));
    }
    return list;
  }

  @Test
  void clientReadsANodeReport() throws Exception {
    var node = node(N1);
    NodeReport report = client.node(node.uri(), TOKEN);
    assertThat(report.nodeId()).isEqualTo(N1);
    assertThat(report.epoch()).isZero();
    assertThat(report.slots()).isEmpty();
  }

  @Test
  void aNodeIdThatIsNot40HexDigitsIsOutsideTheContract() {
    var node = node("node-1");
    assertThatThrownBy(() -> client.node(node.uri(), TOKEN))
        .isInstanceOf(AdminApiException.class)
        .hasMessageContaining("answered outside the contract")
        .hasMessageContaining("40 lowercase hexadecimal digits");
  }

  @Test
  void clientSaysWhenTheTokenIsRefused() {
    var node = node(N1);
    assertThatThrownBy(() -> client.node(node.uri(), "wrong"))
        .isInstanceOf(AdminApiException.class)
        .hasMessageContaining("refused the admin token (HTTP 401)");
  }

  @Test
  void clientSaysWhenTheNodeIsUnreachable() throws Exception {
    URI closed;
    try (var node = new FakeDataPlane(id(9), () -> TOKEN)) {
      closed = node.uri();
    }
    assertThatThrownBy(() -> client.node(closed, TOKEN))
        .isInstanceOf(AdminApiException.class)
        .hasMessageContaining("GET " + closed.resolve("/v1/node"));
  }

  @Test
  void firstRoundInstallsEpochOneOnEveryNode() {
    node(N1);
    node(N2);
    node(N3);
    var result = sync.sync(endpoints(), 3, 2, TOKEN, 0);
    assertThat(result.problem()).isEmpty();
    assertThat(result.pushed()).isTrue();
    assertThat(result.epochInForce()).contains(1L);
    assertThat(result.members()).extracting(MembershipSync.MemberView::state).containsOnly(MembershipSync.State.Member);
    assertThat(result.members()).extracting(m -> m.nodeId().orElseThrow()).containsExactly(N1, N2, N3);
    for (FakeDataPlane node : nodes) {
      assertThat(node.installed().epoch()).isEqualTo(1);
      assertThat(node.installed().ownersOf(0)).hasSize(2);
      assertThat(node.installed().nodes()).extracting(Topology.Node::host).containsExactly("hkv-0.svc", "hkv-1.svc", "hkv-2.svc");
    }
  }

  @Test
  void aTopologyInForceIsNotPushedAgain() {
    node(N1);
    node(N2);
    sync.sync(endpoints(), 2, 2, TOKEN, 0);
    var second = sync.sync(endpoints(), 2, 2, TOKEN, 1);
    assertThat(second.pushed()).isFalse();
    assertThat(second.epochInForce()).contains(1L);
    assertThat(nodes.get(0).received()).hasSize(1);
  }

  @Test
  void aNewMemberGetsAHigherEpochPushedToAll() {
    node(N1);
    node(N2);
    sync.sync(endpoints(), 2, 1, TOKEN, 0);
    node(N3);
    var result = sync.sync(endpoints(), 3, 1, TOKEN, 1);
    assertThat(result.pushed()).isTrue();
    assertThat(result.epochInForce()).contains(2L);
    for (FakeDataPlane node : nodes) {
      assertThat(node.installed().epoch()).isEqualTo(2);
    }
    // n3 holds nothing yet and n1/n2 may hold every slot (sync state unknown): each slot keeps one of them.
    Topology t = nodes.get(2).installed();
    for (int slot = 0; slot < Topology.SLOTS; slot++) {
      assertThat(t.ownersOf(slot)).containsAnyOf(N1, N2);
    }
  }

  /** The pods as Kubernetes shows a cluster-mode data plane before its first topology: running, not ready. */
  List<MembershipSync.PodEndpoint> runningNotReady() {
    return endpoints().stream()
        .map(p -> new MembershipSync.PodEndpoint(p.pod(), false, p.admin(), p.host(), p.port(), p.busPort()))
        .toList();
  }

  @Test
  void clientReadsTheDataPlanesReportWithoutSyncState() throws Exception {
    var node = node(N1);
    node.install(TopologyPlanner.plan(List.of(new Topology.Node(N1, "h", 1, 2)), 1, List.of(), 3));
    NodeReport report = client.node(node.uri(), TOKEN);
    assertThat(report.epoch()).isEqualTo(3);
    assertThat(report.clusterEnabled()).isTrue();
    assertThat(report.ready()).isTrue();
    assertThat(report.draining()).isFalse();
    assertThat(report.hintsPending()).isEmpty();
    assertThat(report.slots()).singleElement().satisfies(r -> {
      assertThat(r.start()).isZero();
      assertThat(r.end()).isEqualTo(Topology.SLOTS - 1);
      assertThat(r.inSync()).as("absent inSync is unknown, not false").isNull();
      assertThat(r.mayHoldData()).isTrue();
    });
    assertThat(report.mayHoldData(0)).isTrue();
  }

  @Test
  void runningPodsThatAreNotReadyYetAreAskedAndGetTheTopology() {
    node(N1);
    node(N2);
    var result = sync.sync(runningNotReady(), 2, 2, TOKEN, 0);
    assertThat(result.problem()).isEmpty();
    assertThat(result.pushed()).isTrue();
    assertThat(result.members()).extracting(MembershipSync.MemberView::state).containsOnly(MembershipSync.State.Member);
    for (FakeDataPlane node : nodes) {
      assertThat(node.installed().epoch()).isEqualTo(1);
    }
    // Holding the topology, the nodes call themselves ready before the kubelet does: still members, no new push.
    var second = sync.sync(runningNotReady(), 2, 2, TOKEN, 1);
    assertThat(second.pushed()).isFalse();
    assertThat(second.members()).extracting(MembershipSync.MemberView::state).containsOnly(MembershipSync.State.Member);
  }

  @Test
  void aMemberThatNeitherKubernetesNorItselfCallsReadyIsShownStarting() {
    node(N1);
    var sick = node(N2);
    sync.sync(endpoints(), 2, 2, TOKEN, 0);
    sick.failing(true);
    var pods = new ArrayList<>(endpoints());
    pods.set(1, new MembershipSync.PodEndpoint("hkv-1", false, Optional.of(sick.uri()), "hkv-1.svc", 6379, 16379));
    var result = sync.sync(pods, 2, 2, TOKEN, 1);
    assertThat(result.pushed()).isFalse();
    assertThat(result.members()).extracting(MembershipSync.MemberView::state)
        .containsExactly(MembershipSync.State.Member, MembershipSync.State.Starting);
    assertThat(result.members().get(1).nodeId()).contains(N2);
    assertThat(sick.received()).hasSize(1);
  }

  @Test
  void clientReturnsAConflictAsATypedAnswer() throws Exception {
    var node = node(N1);
    var members = List.of(new Topology.Node(N1, "h", 1, 2));
    node.install(TopologyPlanner.plan(members, 1, List.of(), 5));
    var other = new Topology(5, 1, List.of(new Topology.Node(N1, "elsewhere", 1, 2)),
        TopologyPlanner.plan(members, 1, List.of(), 5).slots());
    TopologyAnswer answer = client.installTopology(node.uri(), TOKEN, other);
    assertThat(answer).isEqualTo(new TopologyAnswer(5, TopologyAnswer.Outcome.CONFLICT));
    assertThat(client.installTopology(node.uri(), TOKEN, node.installed()))
        .isEqualTo(new TopologyAnswer(5, TopologyAnswer.Outcome.ALREADY_IN_FORCE));
    assertThat(client.installTopology(node.uri(), TOKEN, other.withEpoch(4)))
        .isEqualTo(new TopologyAnswer(5, TopologyAnswer.Outcome.STALE));
    assertThat(client.installTopology(node.uri(), TOKEN, other.withEpoch(6)))
        .isEqualTo(new TopologyAnswer(6, TopologyAnswer.Outcome.INSTALLED));
  }

  @Test
  void aRefusalWithoutAnOutcomeIsAnError() {
    var node = node(N1);
    node.clusterMode(false);
    var topology = TopologyPlanner.plan(List.of(new Topology.Node(N1, "h", 1, 2)), 1, List.of(), 1);
    assertThatThrownBy(() -> client.installTopology(node.uri(), TOKEN, topology))
        .isInstanceOf(AdminApiException.class)
        .hasMessageContaining("answered HTTP 409")
        .hasMessageContaining("not in cluster mode");
  }

  @Test
  void aConflictIsRetriedOnceAboveEveryEpochSeen() {
    node(N1);
    var raced = node(N2);
    // Between the round's reports and its push, another writer installs a different epoch 1 on n2.
    raced.beforeNextPut(() -> raced.install(new Topology(1, 1, List.of(new Topology.Node(N2, "x", 1, 2)),
        List.of(new Topology.SlotOwners(0, Topology.SLOTS - 1, List.of(N2))))));
    var result = sync.sync(endpoints(), 2, 2, TOKEN, 0);
    assertThat(result.problem()).isEmpty();
    assertThat(result.pushed()).isTrue();
    assertThat(result.epochInForce()).contains(2L);
    assertThat(raced.received()).extracting(Topology::epoch).containsExactly(1L, 2L);
    for (FakeDataPlane node : nodes) {
      assertThat(node.installed().epoch()).isEqualTo(2);
      assertThat(node.installed().nodes()).extracting(Topology.Node::id).containsExactly(N1, N2);
    }
    assertThat(result.members()).extracting(MembershipSync.MemberView::state).containsOnly(MembershipSync.State.Member);
  }

  @Test
  void aSecondConflictIsTheRoundsProblem() {
    node(N1);
    var raced = node(N2);
    raced.beforeNextPut(() -> {
      raced.install(new Topology(1, 1, List.of(new Topology.Node(N2, "x", 1, 2)),
          List.of(new Topology.SlotOwners(0, Topology.SLOTS - 1, List.of(N2)))));
      raced.beforeNextPut(() -> raced.install(new Topology(2, 1, List.of(new Topology.Node(N2, "y", 1, 2)),
          List.of(new Topology.SlotOwners(0, Topology.SLOTS - 1, List.of(N2))))));
    });
    var result = sync.sync(endpoints(), 2, 2, TOKEN, 0);
    assertThat(result.pushed()).isTrue();
    assertThat(result.problem()).hasValueSatisfying(p -> assertThat(p).contains("hkv-1 kept epoch 2 instead of 2 (conflict)"));
    assertThat(result.members()).extracting(MembershipSync.MemberView::state)
        .containsExactly(MembershipSync.State.Member, MembershipSync.State.Joining);
    assertThat(raced.received()).hasSize(2);
  }

  @Test
  void aRunningPodThatDoesNotAnswerYetIsStartingNotUnreachable() {
    node(N1);
    var late = node(N2);
    var pods = runningNotReady();
    late.close();
    var result = sync.sync(pods, 2, 2, TOKEN, 0);
    assertThat(result.pushed()).isFalse();
    assertThat(result.members()).extracting(MembershipSync.MemberView::state)
        .containsExactly(MembershipSync.State.Joining, MembershipSync.State.Starting);
    assertThat(result.problem()).hasValueSatisfying(p -> assertThat(p).contains("/v1/node"));
  }

  @Test
  void nothingIsPushedWhileAPodIsNotRunning() {
    node(N1);
    node(N2);
    var pods = new ArrayList<>(endpoints());
    pods.set(1, new MembershipSync.PodEndpoint("hkv-1", false, Optional.empty(), "hkv-1.svc", 6379, 16379));
    var result = sync.sync(pods, 2, 2, TOKEN, 0);
    assertThat(result.pushed()).isFalse();
    assertThat(result.problem()).contains("1 of 2 pods running and answering");
    assertThat(result.members()).extracting(MembershipSync.MemberView::state)
        .containsExactly(MembershipSync.State.Joining, MembershipSync.State.Starting);
    assertThat(result.epochInForce()).isEmpty();
    assertThat(nodes.get(0).received()).isEmpty();
  }

  @Test
  void nodesHoldingTheNewestTopologyStayMembersWhileAPodIsDown() {
    node(N1);
    node(N2);
    sync.sync(endpoints(), 2, 2, TOKEN, 0);
    var pods = new ArrayList<>(endpoints());
    pods.set(1, new MembershipSync.PodEndpoint("hkv-1", false, Optional.empty(), "hkv-1.svc", 6379, 16379));
    var result = sync.sync(pods, 2, 2, TOKEN, 1);
    assertThat(result.pushed()).isFalse();
    assertThat(result.epochInForce()).contains(1L);
    assertThat(result.members()).extracting(MembershipSync.MemberView::state)
        .containsExactly(MembershipSync.State.Member, MembershipSync.State.Starting);
  }

  @Test
  void anUnreachableReadyPodIsReportedAndNothingIsPushed() {
    node(N1);
    var gone = node(N2);
    var pods = endpoints();
    gone.close();
    var result = sync.sync(pods, 2, 2, TOKEN, 0);
    assertThat(result.pushed()).isFalse();
    assertThat(result.members().get(1).state()).isEqualTo(MembershipSync.State.Unreachable);
    assertThat(result.problem()).hasValueSatisfying(p -> assertThat(p).contains("/v1/node"));
  }

  @Test
  void epochIsAboveEveryReportedEpoch() {
    var n1 = node(N1);
    node(N2);
    // n1 holds epoch 41 from an earlier operator (e.g. status lost): the next push must exceed it.
    n1.install(TopologyPlanner.plan(List.of(new Topology.Node(N1, "h", 1, 2)), 1, List.of(), 41));
    var result = sync.sync(endpoints(), 2, 1, TOKEN, 3);
    assertThat(result.epochInForce()).contains(42L);
    assertThat(nodes.get(1).installed().epoch()).isEqualTo(42);
  }
}
