package io.hyperkv.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import java.util.List;
import java.util.Map;

/**
 * Where the pods may run. When neither affinity nor spread constraints are given, the operator spreads the pods
 * over nodes (a soft constraint), because replicas of a slot on one node defeat the replication factor.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Scheduling {

  @JsonPropertyDescription("Pod affinity and anti-affinity, as in a pod spec.")
  public Affinity affinity;

  @JsonPropertyDescription("Topology spread constraints, as in a pod spec.")
  public List<TopologySpreadConstraint> topologySpreadConstraints;

  @JsonPropertyDescription("Tolerations, as in a pod spec.")
  public List<Toleration> tolerations;

  @JsonPropertyDescription("Node selector, as in a pod spec.")
  public Map<String, String> nodeSelector;

  @JsonPropertyDescription("PriorityClass of the pods.")
  public String priorityClassName;
}
