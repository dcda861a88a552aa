package io.hyperkv.operator.cluster;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.hyperkv.operator.api.HyperKVCluster;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/**
 * The StatefulSet's governing Service: stable per-pod DNS names for peers and the operator. It publishes pods
 * before they are ready, because a starting node must reach its peers to become ready.
 */
@KubernetesDependent(informer = @Informer(labelSelector = ClusterNames.MANAGED_SELECTOR))
public class HeadlessServiceDependent extends ClusterOwnedDependent<Service> {

  public HeadlessServiceDependent() {
    super(Service.class);
  }

  @Override
  protected Service desired(HyperKVCluster cluster, Context<HyperKVCluster> context) {
    return build(cluster);
  }

  static Service build(HyperKVCluster cluster) {
    ClusterNames names = ClusterNames.of(cluster);
    return new ServiceBuilder()
        .withNewMetadata()
        .withName(names.headlessService())
        .withNamespace(names.namespace())
        .withLabels(names.labels())
        .endMetadata()
        .withNewSpec()
        .withClusterIP("None")
        .withPublishNotReadyAddresses(true)
        .withSelector(names.selectorLabels())
        .addNewPort().withName("redis").withPort(ClusterNames.CLIENT_PORT).withNewTargetPort("redis").endPort()
        .addNewPort().withName("bus").withPort(ClusterNames.BUS_PORT).withNewTargetPort("bus").endPort()
        .addNewPort().withName("admin").withPort(ClusterNames.ADMIN_PORT).withNewTargetPort("admin").endPort()
        .endSpec()
        .build();
  }
}
