package io.hyperkv.operator.cluster;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.hyperkv.operator.api.HyperKVCluster;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/** The Service Redis clients use: port 6379 on every ready pod (any pod takes any command). */
@KubernetesDependent(informer = @Informer(labelSelector = ClusterNames.MANAGED_SELECTOR))
public class ClientServiceDependent extends ClusterOwnedDependent<Service> {

  public ClientServiceDependent() {
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
        .withName(names.clientService())
        .withNamespace(names.namespace())
        .withLabels(names.labels())
        .endMetadata()
        .withNewSpec()
        .withType("ClusterIP")
        .withSelector(names.selectorLabels())
        .addNewPort().withName("redis").withPort(ClusterNames.CLIENT_PORT).withNewTargetPort("redis").endPort()
        .endSpec()
        .build();
  }
}
