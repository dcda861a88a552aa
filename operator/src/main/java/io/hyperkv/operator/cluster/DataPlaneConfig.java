package io.hyperkv.operator.cluster;

import io.fabric8.kubernetes.api.model.Quantity;
import io.hyperkv.operator.api.HyperKVCluster;
import io.hyperkv.operator.api.HyperKVClusterSpec;
import java.util.ArrayList;
import java.util.Map;
import java.util.TreeMap;

/**
 * The data plane's non-secret configuration derived from a cluster spec, as {@code HYPERKV_*} variables (the data
 * plane reads {@code hyperkv.*} configuration, overridable by such variables). Held in the ConfigMap and loaded
 * into every container with {@code envFrom}; secrets are wired separately from the credentials Secret.
 */
public final class DataPlaneConfig {

  public static final String DATA_DIR = "/data";

  private DataPlaneConfig() {
  }

  /** Sorted, so the content (and the hash the pod template carries) is stable. */
  public static Map<String, String> of(HyperKVCluster cluster) {
    HyperKVClusterSpec spec = cluster.getSpec();
    ClusterNames names = ClusterNames.of(cluster);
    var env = new TreeMap<String, String>();
    env.put("HYPERKV_PORT", Integer.toString(ClusterNames.CLIENT_PORT));
    env.put("HYPERKV_BIND", "0.0.0.0");
    env.put("HYPERKV_DATA_DIR", DATA_DIR);
    env.put("HYPERKV_STORAGE_ENGINE", spec.storageOrDefault().engineOrDefault().name());
    env.put("HYPERKV_APPENDFSYNC", spec.persistenceOrDefault().fsyncOrDefault().name());
    var memory = spec.memoryOrDefault();
    if (memory.maxmemory != null) {
      // Redis's maxmemory takes bytes; the spec takes a Kubernetes quantity.
      env.put("HYPERKV_MAXMEMORY", Quantity.getAmountInBytes(new Quantity(memory.maxmemory)).toBigInteger().toString());
    }
    env.put("HYPERKV_MAXMEMORY_POLICY", memory.evictionPolicyOrDefault().wire());
    env.put("QUARKUS_HTTP_PORT", Integer.toString(ClusterNames.ADMIN_PORT));
    env.put("HYPERKV_CLUSTER_ENABLED", "true");
    env.put("HYPERKV_CLUSTER_BUS_PORT", Integer.toString(ClusterNames.BUS_PORT));
    var peers = new ArrayList<String>();
    for (int i = 0; i < spec.replicasOrDefault(); i++) {
      peers.add(names.podHost(i) + ":" + ClusterNames.BUS_PORT);
    }
    env.put("HYPERKV_CLUSTER_PEERS", String.join(",", peers));
    env.put("HYPERKV_CLUSTER_REPLICATION_FACTOR", Integer.toString(spec.replicationFactorOrDefault()));
    var consistency = spec.consistencyOrDefault();
    env.put("HYPERKV_CLUSTER_WRITE_CONSISTENCY", consistency.write == null ? "quorum" : consistency.write.name());
    env.put("HYPERKV_CLUSTER_READ_CONSISTENCY", consistency.read == null ? "one" : consistency.read.name());
    var tls = spec.tlsOrDefault();
    env.put("HYPERKV_TLS_ENABLED", Boolean.toString(tls.isEnabled()));
    if (tls.isEnabled()) {
      env.put("HYPERKV_TLS_CERT_FILE", StatefulSetDependent.TLS_DIR + "/tls.crt");
      env.put("HYPERKV_TLS_KEY_FILE", StatefulSetDependent.TLS_DIR + "/tls.key");
    }
    return env;
  }
}
