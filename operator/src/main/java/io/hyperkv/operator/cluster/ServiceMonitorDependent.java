package io.hyperkv.operator.cluster;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.hyperkv.operator.api.HyperKVCluster;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.GroupVersionKind;
import io.javaoperatorsdk.operator.processing.dependent.Creator;
import io.javaoperatorsdk.operator.processing.dependent.Updater;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.GenericKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import java.util.List;
import java.util.Map;

/**
 * A Prometheus Operator ServiceMonitor scraping {@code /q/metrics} of every pod. Active only when the
 * ServiceMonitor CRD is installed (the workflow's CRD-present activation condition); built as a generic resource
 * so the operator does not depend on the Prometheus Operator's model classes.
 */
@KubernetesDependent(informer = @Informer(labelSelector = ClusterNames.MANAGED_SELECTOR))
public class ServiceMonitorDependent extends GenericKubernetesDependentResource<HyperKVCluster>
    implements Creator<GenericKubernetesResource, HyperKVCluster>, Updater<GenericKubernetesResource, HyperKVCluster> {

  public static final GroupVersionKind GVK = new GroupVersionKind("monitoring.coreos.com", "v1", "ServiceMonitor");

  public ServiceMonitorDependent() {
    super(GVK);
  }

  @Override
  protected GenericKubernetesResource desired(HyperKVCluster cluster, Context<HyperKVCluster> context) {
    return build(cluster);
  }

  static GenericKubernetesResource build(HyperKVCluster cluster) {
    ClusterNames names = ClusterNames.of(cluster);
    return new GenericKubernetesResourceBuilder()
        .withApiVersion(GVK.apiVersion())
        .withKind(GVK.getKind())
        .withNewMetadata()
        .withName(names.serviceMonitor())
        .withNamespace(names.namespace())
        .withLabels(names.labels())
        .endMetadata()
        .withAdditionalProperties(Map.of("spec", Map.of(
            "selector", Map.of("matchLabels", names.selectorLabels()),
            "endpoints", List.of(Map.of("port", "admin", "path", "/q/metrics", "interval", "30s")))))
        .build();
  }
}
