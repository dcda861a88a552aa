package io.hyperkv.operator.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A HyperKV cluster: a StatefulSet of data-plane pods, their Services, credentials and disruption budget, run by
 * the operator. The spec is validated by the CRD schema generated from these classes (checked in under
 * {@code crds/}); the status is written only by the operator, through the status subresource.
 */
@Group(HyperKVCluster.GROUP)
@Version(HyperKVCluster.VERSION)
@ShortNames("hkv")
@Plural("hyperkvclusters")
@AdditionalPrinterColumn(name = "Ready", type = AdditionalPrinterColumn.Type.STRING,
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].status")
@AdditionalPrinterColumn(name = "Replicas", type = AdditionalPrinterColumn.Type.INTEGER, jsonPath = ".spec.replicas")
@AdditionalPrinterColumn(name = "Phase", type = AdditionalPrinterColumn.Type.STRING, jsonPath = ".status.phase")
@AdditionalPrinterColumn(name = "Age", type = AdditionalPrinterColumn.Type.DATE, jsonPath = ".metadata.creationTimestamp")
public class HyperKVCluster extends CustomResource<HyperKVClusterSpec, HyperKVClusterStatus> implements Namespaced {

  public static final String GROUP = "hyperkv.io";
  public static final String VERSION = "v1alpha1";

  @Override
  protected HyperKVClusterSpec initSpec() {
    return new HyperKVClusterSpec();
  }
}
