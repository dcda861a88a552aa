package io.hyperkv.operator.cluster;

import io.hyperkv.operator.api.HyperKVCluster;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Names and labels of every object the operator makes for one cluster, in one place so the builders, the
 * informers' label selectors and the tests agree.
 */
public record ClusterNames(String cluster, String namespace) {

  public static final String LABEL_NAME = "app.kubernetes.io/name";
  public static final String LABEL_INSTANCE = "app.kubernetes.io/instance";
  public static final String LABEL_MANAGED_BY = "app.kubernetes.io/managed-by";
  public static final String LABEL_COMPONENT = "app.kubernetes.io/component";
  public static final String APP = "hyperkv";
  public static final String MANAGED_BY = "hyperkv-operator";
  /** Label selector of the informers: only objects this operator made are cached. */
  public static final String MANAGED_SELECTOR = LABEL_MANAGED_BY + "=" + MANAGED_BY;

  public static final int CLIENT_PORT = 6379;
  public static final int BUS_PORT = 16379;
  public static final int ADMIN_PORT = 8080;

  public static ClusterNames of(HyperKVCluster cluster) {
    return new ClusterNames(cluster.getMetadata().getName(), cluster.getMetadata().getNamespace());
  }

  public String statefulSet() {
    return cluster;
  }

  public String clientService() {
    return cluster;
  }

  public String headlessService() {
    return cluster + "-nodes";
  }

  public String configMap() {
    return cluster + "-config";
  }

  public String credentialsSecret() {
    return cluster + "-credentials";
  }

  public String podDisruptionBudget() {
    return cluster;
  }

  public String serviceMonitor() {
    return cluster;
  }

  public String pod(int ordinal) {
    return cluster + "-" + ordinal;
  }

  /** Stable DNS name of a pod through the headless Service. */
  public String podHost(int ordinal) {
    return pod(ordinal) + "." + headlessService() + "." + namespace + ".svc";
  }

  /** Labels that select this cluster's pods; never change them, a StatefulSet selector is immutable. */
  public Map<String, String> selectorLabels() {
    var labels = new LinkedHashMap<String, String>();
    labels.put(LABEL_NAME, APP);
    labels.put(LABEL_INSTANCE, cluster);
    return labels;
  }

  /** Labels of every object: the selector labels plus ownership and component. */
  public Map<String, String> labels() {
    var labels = new LinkedHashMap<>(selectorLabels());
    labels.put(LABEL_MANAGED_BY, MANAGED_BY);
    labels.put(LABEL_COMPONENT, "dataplane");
    return labels;
  }
}
