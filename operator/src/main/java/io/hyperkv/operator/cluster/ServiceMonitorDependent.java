package io.hyperkv.operator.cluster;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.hyperkv.operator.api.HyperKVCluster;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A Prometheus Operator ServiceMonitor scraping {@code /q/metrics} of every pod, applied only when the
 * ServiceMonitor CRD is installed. It is not a workflow dependent: JOSDK's workflow needs the kind to be known to
 * the API server even to skip it, so the reconciler applies it itself (server-side apply, owned by the cluster like
 * every other object). Whether the CRD exists is cached for a minute.
 */
public class ServiceMonitorDependent {

  public static final ResourceDefinitionContext SERVICE_MONITOR = new ResourceDefinitionContext.Builder()
      .withGroup("monitoring.coreos.com").withVersion("v1").withKind("ServiceMonitor").withPlural("servicemonitors")
      .withNamespaced(true).build();
  static final String CRD = "servicemonitors.monitoring.coreos.com";
  private static final Duration RECHECK = Duration.ofMinutes(1);

  private volatile boolean crdPresent;
  private volatile Instant checkedAt = Instant.EPOCH;

  /** Applies the ServiceMonitor when the CRD exists; returns whether it did. */
  public boolean reconcile(HyperKVCluster cluster, KubernetesClient client) {
    if (Instant.now().isAfter(checkedAt.plus(RECHECK))) {
      crdPresent = client.apiextensions().v1().customResourceDefinitions().withName(CRD).get() != null;
      checkedAt = Instant.now();
    }
    if (!crdPresent) {
      return false;
    }
    client.genericKubernetesResources(SERVICE_MONITOR).inNamespace(cluster.getMetadata().getNamespace())
        .resource(build(cluster))
        .patch(new PatchContext.Builder().withPatchType(PatchType.SERVER_SIDE_APPLY).withForce(true)
            .withFieldManager("hyperkvcluster").build());
    return true;
  }

  static GenericKubernetesResource build(HyperKVCluster cluster) {
    ClusterNames names = ClusterNames.of(cluster);
    return new GenericKubernetesResourceBuilder()
        .withApiVersion("monitoring.coreos.com/v1")
        .withKind("ServiceMonitor")
        .withNewMetadata()
        .withName(names.serviceMonitor())
        .withNamespace(names.namespace())
        .withLabels(names.labels())
        .withOwnerReferences(new OwnerReferenceBuilder()
            .withApiVersion(cluster.getApiVersion()).withKind(cluster.getKind())
            .withName(cluster.getMetadata().getName()).withUid(cluster.getMetadata().getUid())
            .withController(true).withBlockOwnerDeletion(true).build())
        .endMetadata()
        .withAdditionalProperties(Map.of("spec", Map.of(
            "selector", Map.of("matchLabels", names.selectorLabels()),
            "endpoints", List.of(Map.of("port", "admin", "path", "/q/metrics", "interval", "30s")))))
        .build();
  }
}
