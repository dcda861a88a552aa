package io.hyperkv.operator.it;

import io.fabric8.kubernetes.api.model.Pod;
import io.hyperkv.operator.cluster.AdminEndpoints;
import io.hyperkv.operator.cluster.CredentialsSecretDependent;
import io.hyperkv.operator.testing.FakeDataPlane;
import io.quarkus.test.Mock;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Pods in these tests have no processes (there is no kubelet): each "started" pod gets a {@link FakeDataPlane} on
 * 127.0.0.1 implementing the admin-API contract, and this replaces the pod-IP endpoint lookup so the operator talks
 * to it. Everything else the operator does goes to the real API server.
 */
@Mock
@ApplicationScoped
public class FakeDataPlanes implements AdminEndpoints {

  private static final Map<String, FakeDataPlane> NODES = new ConcurrentHashMap<>();

  /** Starts a fake node for the pod; its token is the admin token of the cluster's generated Secret. */
  public static FakeDataPlane start(String namespace, String cluster, String pod) {
    var node = new FakeDataPlane(nodeId(namespace, pod), () -> KubeApiServerResource.admin().secrets().inNamespace(namespace)
        .withName(cluster + "-credentials").get().getData() == null ? "" : CredentialsSecretDependent.value(
            KubeApiServerResource.admin().secrets().inNamespace(namespace).withName(cluster + "-credentials").get(),
            CredentialsSecretDependent.ADMIN_TOKEN).orElse(""));
    var previous = NODES.put(namespace + "/" + pod, node);
    if (previous != null) {
      previous.close();
    }
    return node;
  }

  /** A node id in the data plane's shape (40 lowercase hex digits), distinct per pod, stable across restarts. */
  public static String nodeId(String namespace, String pod) {
    return "%040x".formatted(Integer.toUnsignedLong((namespace + "/" + pod).hashCode()));
  }

  public static Optional<FakeDataPlane> of(String namespace, String pod) {
    return Optional.ofNullable(NODES.get(namespace + "/" + pod));
  }

  public static void stopAll() {
    NODES.values().forEach(FakeDataPlane::close);
    NODES.clear();
  }

  @Override
  public Optional<URI> of(Pod pod) {
    if (pod.getStatus() == null || pod.getStatus().getPodIP() == null) {
      return Optional.empty();
    }
    return of(pod.getMetadata().getNamespace(), pod.getMetadata().getName()).map(FakeDataPlane::uri);
  }
}
