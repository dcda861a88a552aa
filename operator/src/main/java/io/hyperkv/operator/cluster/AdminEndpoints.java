package io.hyperkv.operator.cluster;

import io.fabric8.kubernetes.api.model.Pod;
import java.net.URI;
import java.util.Optional;

/** Where the operator reaches a pod's admin API. */
public interface AdminEndpoints {

  /** The base URI of the pod's admin API, absent while the pod has no address. */
  Optional<URI> of(Pod pod);
}
