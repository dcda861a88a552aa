package io.hyperkv.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Observed state of a {@link HyperKVCluster}, written by the operator only. Equality is by value so the reconciler
 * can skip a status patch when nothing changed.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class HyperKVClusterStatus {

  public Long observedGeneration;
  public Phase phase;
  public List<Condition> conditions = new ArrayList<>();
  public Integer replicas;
  public Integer readyReplicas;
  public List<Member> members = new ArrayList<>();
  public Long topologyEpoch;
  public String version;

  @Override
  public boolean equals(Object o) {
    return o instanceof HyperKVClusterStatus s
        && Objects.equals(observedGeneration, s.observedGeneration)
        && phase == s.phase
        && Objects.equals(conditions, s.conditions)
        && Objects.equals(replicas, s.replicas)
        && Objects.equals(readyReplicas, s.readyReplicas)
        && Objects.equals(members, s.members)
        && Objects.equals(topologyEpoch, s.topologyEpoch)
        && Objects.equals(version, s.version);
  }

  @Override
  public int hashCode() {
    return Objects.hash(observedGeneration, phase, conditions, replicas, readyReplicas, members, topologyEpoch, version);
  }

  /** Coarse lifecycle shown in {@code kubectl get hkv}. */
  public enum Phase {
    /** Objects created, no pod ready yet. */
    Pending,
    /** Some pods ready, or membership not yet installed on all of them. */
    Progressing,
    /** Every pod ready and holding the current topology. */
    Running,
    /** Was running and lost a pod, or membership could not be installed. */
    Degraded,
    /** spec.paused: the operator changes nothing. */
    Paused
  }
}
