package io.hyperkv.operator.cluster;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.hyperkv.operator.api.HyperKVCluster;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/** The data-plane configuration ({@link DataPlaneConfig}) of one cluster. */
@KubernetesDependent(informer = @Informer(labelSelector = ClusterNames.MANAGED_SELECTOR))
public class ConfigMapDependent extends ClusterOwnedDependent<ConfigMap> {

  public ConfigMapDependent() {
    super(ConfigMap.class);
  }

  @Override
  protected ConfigMap desired(HyperKVCluster cluster, Context<HyperKVCluster> context) {
    return build(cluster);
  }

  static ConfigMap build(HyperKVCluster cluster) {
    ClusterNames names = ClusterNames.of(cluster);
    return new ConfigMapBuilder()
        .withNewMetadata()
        .withName(names.configMap())
        .withNamespace(names.namespace())
        .withLabels(names.labels())
        .endMetadata()
        .withData(DataPlaneConfig.of(cluster))
        .build();
  }
}
