package io.hyperkv.operator.cluster;

import static io.hyperkv.operator.cluster.ClusterFixtures.cluster;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.hyperkv.operator.api.HyperKVCluster;
import io.hyperkv.operator.api.HyperKVClusterStatus.Phase;
import io.hyperkv.operator.api.Member;
import io.hyperkv.operator.membership.MembershipSync;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ClusterStatusAssemblerTest {

  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  static final Instant T1 = Instant.parse("2026-01-01T00:05:00Z");

  static StatefulSet sts(int ready) {
    return new StatefulSetBuilder().withNewMetadata().withName("cache").withGeneration(1L).endMetadata()
        .withNewStatus().withReplicas(3).withReadyReplicas(ready).withObservedGeneration(1L).endStatus().build();
  }

  static List<Pod> pods(int ready) {
    var pods = new ArrayList<Pod>();
    for (int i = 0; i < 3; i++) {
      pods.add(new PodBuilder().withNewMetadata().withName("cache-" + i).endMetadata().withNewStatus()
          .addNewCondition().withType("Ready").withStatus(i < ready ? "True" : "False").endCondition().endStatus().build());
    }
    return pods;
  }

  static MembershipSync.Result allMembers(long epoch) {
    var views = new ArrayList<MembershipSync.MemberView>();
    for (int i = 0; i < 3; i++) {
      views.add(new MembershipSync.MemberView("cache-" + i, Optional.of("n" + i), MembershipSync.State.Member));
    }
    return new MembershipSync.Result(views, Optional.of(epoch), false, Optional.empty());
  }

  static String condition(io.hyperkv.operator.api.HyperKVClusterStatus s, String type) {
    return ClusterStatusAssembler.find(s.conditions, type).map(c -> c.getStatus() + "/" + c.getReason()).orElse("-");
  }

  @Test
  void noPodReadyIsPending() {
    var s = ClusterStatusAssembler.assemble(cluster("cache"), Optional.of(sts(0)), pods(0), Optional.empty(), "1.0", T0);
    assertThat(s.phase).isEqualTo(Phase.Pending);
    assertThat(condition(s, "Ready")).isEqualTo("False/PodsNotReady");
    assertThat(condition(s, "Progressing")).isEqualTo("True/PodsStarting");
    assertThat(condition(s, "Degraded")).isEqualTo("False/Healthy");
    assertThat(s.members).extracting(m -> m.state).containsOnly(Member.State.Starting);
    assertThat(s.observedGeneration).isEqualTo(1L);
  }

  @Test
  void allReadyAndHoldingTheTopologyIsRunning() {
    var s = ClusterStatusAssembler.assemble(cluster("cache"), Optional.of(sts(3)), pods(3), Optional.of(allMembers(4)), "1.0", T0);
    assertThat(s.phase).isEqualTo(Phase.Running);
    assertThat(condition(s, "Ready")).isEqualTo("True/ClusterReady");
    assertThat(condition(s, "Progressing")).isEqualTo("False/Converged");
    assertThat(s.topologyEpoch).isEqualTo(4L);
    assertThat(s.readyReplicas).isEqualTo(3);
    assertThat(s.members).extracting(m -> m.nodeId).containsExactly("n0", "n1", "n2");
  }

  @Test
  void aPodLostAfterRunningIsDegraded() {
    HyperKVCluster c = cluster("cache");
    c.setStatus(ClusterStatusAssembler.assemble(c, Optional.of(sts(3)), pods(3), Optional.of(allMembers(4)), "1.0", T0));
    var s = ClusterStatusAssembler.assemble(c, Optional.of(sts(2)), pods(2), Optional.empty(), "1.0", T1);
    assertThat(s.phase).isEqualTo(Phase.Degraded);
    assertThat(condition(s, "Degraded")).isEqualTo("True/PodNotReady");
    assertThat(condition(s, "Ready")).isEqualTo("False/PodsNotReady");
    assertThat(s.topologyEpoch).isEqualTo(4L);
  }

  @Test
  void pausedSaysSoAndKeepsTheLastReadyCondition() {
    HyperKVCluster c = cluster("cache");
    c.setStatus(ClusterStatusAssembler.assemble(c, Optional.of(sts(3)), pods(3), Optional.of(allMembers(4)), "1.0", T0));
    c.getSpec().paused = true;
    var s = ClusterStatusAssembler.assemble(c, Optional.of(sts(3)), pods(3), Optional.empty(), "1.0", T1);
    assertThat(s.phase).isEqualTo(Phase.Paused);
    assertThat(condition(s, "Progressing")).isEqualTo("False/Paused");
    assertThat(condition(s, "Ready")).isEqualTo("True/ClusterReady");
  }

  @Test
  void anUnchangedClusterYieldsAnEqualStatus() {
    HyperKVCluster c = cluster("cache");
    var first = ClusterStatusAssembler.assemble(c, Optional.of(sts(3)), pods(3), Optional.of(allMembers(4)), "1.0", T0);
    c.setStatus(first);
    var second = ClusterStatusAssembler.assemble(c, Optional.of(sts(3)), pods(3), Optional.of(allMembers(4)), "1.0", T1);
    assertThat(second).isEqualTo(first);
    assertThat(ClusterStatusAssembler.find(second.conditions, "Ready").orElseThrow().getLastTransitionTime())
        .isEqualTo(T0.toString());
  }

  @Test
  void anUnreachableMemberIsDegraded() {
    var views = new ArrayList<>(allMembers(4).members());
    views.set(2, new MembershipSync.MemberView("cache-2", Optional.empty(), MembershipSync.State.Unreachable));
    var round = new MembershipSync.Result(views, Optional.empty(), false, Optional.of("GET http://x/v1/node failed"));
    var s = ClusterStatusAssembler.assemble(cluster("cache"), Optional.of(sts(3)), pods(3), Optional.of(round), "1.0", T0);
    assertThat(s.phase).isEqualTo(Phase.Degraded);
    assertThat(condition(s, "Degraded")).isEqualTo("True/AdminApiUnreachable");
    assertThat(ClusterStatusAssembler.find(s.conditions, "Degraded").orElseThrow().getMessage()).contains("/v1/node failed");
  }
}
