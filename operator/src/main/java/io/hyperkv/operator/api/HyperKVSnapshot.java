package io.hyperkv.operator.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A point-in-time checkpoint of every pod of one cluster ({@code POST /v1/snapshots} on each). The resource and
 * its status are defined now; the reconciler that takes snapshots comes with the day-2 work.
 */
@Group(HyperKVCluster.GROUP)
@Version(HyperKVCluster.VERSION)
@ShortNames("hkvsnap")
@Plural("hyperkvsnapshots")
@AdditionalPrinterColumn(name = "Cluster", type = AdditionalPrinterColumn.Type.STRING, jsonPath = ".spec.clusterName")
@AdditionalPrinterColumn(name = "Phase", type = AdditionalPrinterColumn.Type.STRING, jsonPath = ".status.phase")
@AdditionalPrinterColumn(name = "Age", type = AdditionalPrinterColumn.Type.DATE, jsonPath = ".metadata.creationTimestamp")
public class HyperKVSnapshot extends CustomResource<HyperKVSnapshotSpec, HyperKVSnapshotStatus> implements Namespaced {
}
