package io.hyperkv.operator.cluster;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.hyperkv.operator.api.HyperKVCluster;
import io.hyperkv.operator.api.HyperKVClusterSpec;

/** Clusters for builder tests, as the API server would hand them over (defaults applied by the classes). */
final class ClusterFixtures {

  private ClusterFixtures() {
  }

  static HyperKVCluster cluster(String name) {
    var cluster = new HyperKVCluster();
    cluster.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("shop").withGeneration(1L)
        .withUid("uid-" + name).build());
    cluster.setSpec(new HyperKVClusterSpec());
    return cluster;
  }
}
