package io.hyperkv.operator.cluster;

import io.fabric8.kubernetes.api.model.Pod;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.util.Optional;

/**
 * The admin API at the pod's IP on port 8080. The pod IP rather than the headless-Service name: it needs no DNS
 * and is known as soon as the kubelet reports it.
 */
@ApplicationScoped
public class PodIpAdminEndpoints implements AdminEndpoints {

  @Override
  public Optional<URI> of(Pod pod) {
    return Optional.ofNullable(pod.getStatus())
        .map(s -> s.getPodIP())
        .filter(ip -> !ip.isBlank())
        .map(ip -> URI.create("http://" + (ip.contains(":") ? "[" + ip + "]" : ip) + ":" + ClusterNames.ADMIN_PORT));
  }
}
