package io.hyperkv.operator.cluster;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.hyperkv.operator.api.HyperKVCluster;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;

/**
 * A Kubernetes object the operator creates for one {@link HyperKVCluster} and keeps as it desires.
 * Its owner reference names the cluster as the object's <em>controller</em> and blocks the
 * cluster's foreground deletion until the object is gone, as Kubernetes's own controllers mark
 * what they own ({@code kubectl describe} then shows "Controlled By", and other controllers know
 * not to adopt it). The Operator SDK's default reference carries neither flag.
 */
abstract class ClusterOwnedDependent<R extends HasMetadata> extends CRUDKubernetesDependentResource<R, HyperKVCluster> {

  ClusterOwnedDependent(Class<R> type) {
    super(type);
  }

  @Override
  protected void addReferenceHandlingMetadata(R desired, HyperKVCluster cluster) {
    super.addReferenceHandlingMetadata(desired, cluster);
    String uid = cluster.getMetadata().getUid();
    desired.getMetadata().getOwnerReferences().stream()
        .filter(ref -> ref.getUid() != null && ref.getUid().equals(uid))
        .forEach(ref -> {
          ref.setController(true);
          ref.setBlockOwnerDeletion(true);
        });
  }
}
