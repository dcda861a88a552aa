package io.hyperkv.operator.cluster;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.hyperkv.operator.api.HyperKVCluster;
import io.hyperkv.operator.api.HyperKVClusterStatus;
import io.hyperkv.operator.api.HyperKVClusterStatus.Phase;
import io.hyperkv.operator.api.Member;
import io.hyperkv.operator.membership.MembershipSync;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Computes a cluster's status from what the operator observed: the StatefulSet (as its controller reports it),
 * the pods (as the kubelet reports them) and the last membership round. A pure function of its inputs, so every
 * rule below is unit-tested.
 *
 * <ul>
 * <li>Ready: every desired pod ready and holding the topology in force.</li>
 * <li>Progressing: pods starting, a template not yet observed by the StatefulSet controller, or a topology being
 * installed; False with reason Paused while spec.paused.</li>
 * <li>Degraded: a ready pod's admin API unreachable, a topology push failed, or a pod that had joined (reported
 * a node id) no longer ready.</li>
 * </ul>
 * A condition keeps its lastTransitionTime while its status stays the same, so an unchanged cluster yields an
 * equal status and no patch.
 */
public final class ClusterStatusAssembler {

  public static final String READY = "Ready";
  public static final String PROGRESSING = "Progressing";
  public static final String DEGRADED = "Degraded";

  private ClusterStatusAssembler() {
  }

  public static HyperKVClusterStatus assemble(HyperKVCluster cluster, Optional<StatefulSet> statefulSet,
      List<Pod> pods, Optional<MembershipSync.Result> membership, String version, Instant now) {
    var previous = Optional.ofNullable(cluster.getStatus());
    long generation = Optional.ofNullable(cluster.getMetadata().getGeneration()).orElse(0L);
    int desired = cluster.getSpec().replicasOrDefault();
    boolean paused = cluster.getSpec().isPaused();

    int ready = statefulSet.map(StatefulSet::getStatus).map(s -> s.getReadyReplicas()).orElse(0);
    boolean templateObserved = statefulSet
        .map(s -> s.getStatus() != null && s.getStatus().getObservedGeneration() != null
            && s.getStatus().getObservedGeneration() >= s.getMetadata().getGeneration())
        .orElse(false);

    var status = new HyperKVClusterStatus();
    status.observedGeneration = generation;
    status.replicas = desired;
    status.readyReplicas = ready;
    status.version = version;
    status.members = members(pods, membership, previous);
    status.topologyEpoch = membership.flatMap(MembershipSync.Result::epochInForce)
        .or(() -> previous.map(p -> p.topologyEpoch))
        .orElse(null);

    boolean allMembers = status.members.size() == desired
        && status.members.stream().allMatch(m -> m.state == Member.State.Member);
    boolean isReady = ready >= desired && allMembers
        && membership.map(m -> m.problem().isEmpty()).orElse(paused);
    Optional<String> problem = membership.flatMap(MembershipSync.Result::problem);
    boolean unreachable = status.members.stream().anyMatch(m -> m.state == Member.State.Unreachable);
    // A pod that once answered with a node id (it joined) and is now not ready or not answering: its slots
    // are short of a replica. A pod that never joined (first start, scale-up) is only progress.
    boolean lostPod = status.members.stream()
        .anyMatch(m -> m.nodeId != null && (m.state == Member.State.Starting || m.state == Member.State.Unreachable));
    boolean degraded = unreachable || lostPod || membership.map(m -> m.pushed() && m.problem().isPresent()).orElse(false);

    var conditions = new ArrayList<Condition>();
    if (paused) {
      // Nothing is reconciled: Ready and Degraded keep what was last known.
      conditions.add(previousOr(previous, READY, condition(READY, isReady, isReady ? "ClusterReady" : "Unknown",
          "state while paused", generation, now)));
      conditions.add(condition(PROGRESSING, false, "Paused",
          "spec.paused is true: the operator changes nothing until it is false", generation, now));
      conditions.add(previousOr(previous, DEGRADED, condition(DEGRADED, false, "Paused", "state while paused",
          generation, now)));
    } else {
      conditions.add(isReady
          ? condition(READY, true, "ClusterReady", ready + "/" + desired + " pods ready and holding topology epoch "
              + status.topologyEpoch, generation, now)
          : condition(READY, false, ready < desired ? "PodsNotReady" : "TopologyNotInstalled",
              ready + "/" + desired + " pods ready" + problem.map(p -> "; " + p).orElse(""), generation, now));
      boolean progressing = !isReady && !degraded || !templateObserved;
      conditions.add(progressing
          ? condition(PROGRESSING, true, !templateObserved ? "StatefulSetUpdating" : ready < desired ? "PodsStarting"
              : "TopologyInstalling", "the cluster is converging to generation " + generation, generation, now)
          : condition(PROGRESSING, false, isReady ? "Converged" : "Blocked",
              isReady ? "the cluster matches generation " + generation : "waiting on the Degraded condition", generation, now));
      conditions.add(degraded
          ? condition(DEGRADED, true, lostPod ? "PodNotReady" : unreachable ? "AdminApiUnreachable" : "TopologyPushFailed",
              problem.orElse(ready + "/" + desired + " pods ready"), generation, now)
          : condition(DEGRADED, false, "Healthy", "no member is failing", generation, now));
    }
    status.conditions = keepTransitionTimes(conditions, previous);

    if (paused) {
      status.phase = Phase.Paused;
    } else if (isReady) {
      status.phase = Phase.Running;
    } else if (degraded) {
      status.phase = Phase.Degraded;
    } else if (ready == 0) {
      status.phase = Phase.Pending;
    } else {
      status.phase = Phase.Progressing;
    }
    return status;
  }

  private static List<Member> members(List<Pod> pods, Optional<MembershipSync.Result> membership,
      Optional<HyperKVClusterStatus> previous) {
    if (membership.isPresent()) {
      // A pod that does not answer now keeps the node id it reported before.
      return membership.get().members().stream()
          .map(v -> new Member(v.pod(), v.nodeId().orElseGet(() -> previousNodeId(previous, v.pod())),
              Member.State.valueOf(v.state().name())))
          .toList();
    }
    // No round this time (paused, or no credentials yet): pods as Kubernetes sees them, node ids as last known.
    var members = new ArrayList<Member>();
    for (Pod pod : pods) {
      String name = pod.getMetadata().getName();
      String nodeId = previous.flatMap(p -> p.members.stream().filter(m -> name.equals(m.pod)).findFirst())
          .map(m -> m.nodeId).orElse(null);
      var last = previous.flatMap(p -> p.members.stream().filter(m -> name.equals(m.pod)).findFirst()).map(m -> m.state);
      Member.State state = isReady(pod) ? last.filter(s -> s != Member.State.Starting).orElse(Member.State.Joining)
          : Member.State.Starting;
      members.add(new Member(name, nodeId, state));
    }
    return members;
  }

  private static String previousNodeId(Optional<HyperKVClusterStatus> previous, String pod) {
    return previous.flatMap(p -> p.members.stream().filter(m -> pod.equals(m.pod)).findFirst()).map(m -> m.nodeId)
        .orElse(null);
  }

  /**
   * Whether the pod runs and has an address, so its admin API can be asked (it answers before the pod is ready).
   * A pod being deleted is not asked: it is on its way out.
   */
  public static boolean isRunning(Pod pod) {
    return pod.getStatus() != null && "Running".equals(pod.getStatus().getPhase())
        && pod.getStatus().getPodIP() != null && !pod.getStatus().getPodIP().isBlank()
        && pod.getMetadata().getDeletionTimestamp() == null;
  }

  public static boolean isReady(Pod pod) {
    return pod.getStatus() != null && pod.getStatus().getConditions() != null
        && pod.getStatus().getConditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  private static Condition condition(String type, boolean value, String reason, String message, long generation,
      Instant now) {
    return new ConditionBuilder()
        .withType(type)
        .withStatus(value ? "True" : "False")
        .withReason(reason)
        .withMessage(message)
        .withObservedGeneration(generation)
        .withLastTransitionTime(now.toString())
        .build();
  }

  private static Condition previousOr(Optional<HyperKVClusterStatus> previous, String type, Condition fallback) {
    return previous.flatMap(p -> find(p.conditions, type)).orElse(fallback);
  }

  private static List<Condition> keepTransitionTimes(List<Condition> conditions, Optional<HyperKVClusterStatus> previous) {
    var result = new ArrayList<Condition>();
    for (Condition c : conditions) {
      var before = previous.flatMap(p -> find(p.conditions, c.getType()));
      if (before.isPresent() && before.get().getStatus().equals(c.getStatus())) {
        c.setLastTransitionTime(before.get().getLastTransitionTime());
      }
      result.add(c);
    }
    return result;
  }

  public static Optional<Condition> find(List<Condition> conditions, String type) {
    return conditions == null ? Optional.empty() : conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
  }
}
