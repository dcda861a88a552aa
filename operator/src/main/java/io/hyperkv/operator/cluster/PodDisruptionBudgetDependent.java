package io.hyperkv.operator.cluster;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.hyperkv.operator.api.HyperKVCluster;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/** At most one pod voluntarily disrupted at a time, so a quorum of every slot's replicas stays up during drains. */
@KubernetesDependent(informer = @Informer(labelSelector = ClusterNames.MANAGED_SELECTOR))
public class PodDisruptionBudgetDependent extends ClusterOwnedDependent<PodDisruptionBudget> {

  public PodDisruptionBudgetDependent() {
    super(PodDisruptionBudget.class);
  }

  @Override
  protected PodDisruptionBudget desired(HyperKVCluster cluster, Context<HyperKVCluster> context) {
    return build(cluster);
  }

  static PodDisruptionBudget build(HyperKVCluster cluster) {
    ClusterNames names = ClusterNames.of(cluster);
    return new PodDisruptionBudgetBuilder()
        .withNewMetadata()
        .withName(names.podDisruptionBudget())
        .withNamespace(names.namespace())
        .withLabels(names.labels())
        .endMetadata()
        .withNewSpec()
        .withMaxUnavailable(new IntOrString(1))
        .withNewSelector().withMatchLabels(names.selectorLabels()).endSelector()
        .endSpec()
        .build();
  }
}
